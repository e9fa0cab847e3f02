// The start page: who is signed in. While the database is away it says so and tries
// again by itself.
import { api } from './api.js';

const status = document.getElementById('status');

function show(id, text) {
  document.getElementById(id).textContent = text;
}

async function load() {
  status.textContent = 'Loading…';
  status.className = 'busy';
  try {
    const me = await api('users/me/');
    show('who', `Signed in as ${me.username}`);
    show('username', me.username);
    show('email', me.email || '—');
    show('role', me.is_superuser ? 'administrator' : 'user');
    document.getElementById('account').hidden = false;
    status.textContent = '';
    status.className = '';
  } catch (e) {
    if (e.status === 401) {
      return;
    }
    status.className = 'error';
    status.textContent = e.status === 503
      ? 'The database is unavailable; trying again in a few seconds…'
      : `Something went wrong: ${e.message}`;
    setTimeout(load, 5000);
  }
}

load();
