// The pages of mod_sched: who is signed in, what they may use (administration for
// superusers, booking for clients, their week for providers), and the page the URL's
// fragment names (#/admin/users, #/book, #/provider, ...). While the database is away
// a message says so and the page is loaded again by itself.
import { api, all } from './api.js';
import { el, status, turns } from './ui.js';
import { adminView } from './admin.js';
import { bookView } from './book.js';
import { providerView } from './provider.js';

const statusNode = document.getElementById('status');
const view = document.getElementById('view');
export const me = { user: null, client: null, provider: null };

async function whoAmI() {
  me.user = await api('users/me/');
  if (!me.user.is_superuser) {
    const [clients, providers] = await Promise.all([
      all(`clients/?user=${me.user.id}`, 1), all(`providers/?user=${me.user.id}`, 1)]);
    me.client = clients[0] || null;
    me.provider = providers[0] || null;
  }
}

function links() {
  const items = [];
  if (me.user.is_superuser) items.push(['#/admin/users', 'Administration']);
  if (me.client || me.user.is_superuser) items.push(['#/book', 'Book']);
  if (me.provider) items.push(['#/provider', 'My week']);
  return items;
}

function nav() {
  const node = document.getElementById('nav');
  node.replaceChildren(el('ul', {}, links().map(([href, text]) =>
    el('li', {}, el('a', { href, 'aria-current': location.hash.startsWith(href.split('/').slice(0, 2).join('/')) ? 'page' : null }, text)))));
}

function home() {
  const items = links();
  return el('section', {}, el('h1', {}, `Welcome, ${me.user.username}`),
    items.length ? el('ul', { class: 'cards' }, items.map(([href, text]) =>
      el('li', {}, el('a', { href }, text))))
      : el('p', {}, 'Your account has no client or provider record yet: ask an administrator.'));
}

// Each page drawn only if no later navigation started meanwhile: a slow page must
// not replace the one asked for after it.
const routeTurn = turns();

async function route() {
  const current = routeTurn();
  const parts = location.hash.replace(/^#\/?/, '').split('/').filter(Boolean);
  nav();
  status(statusNode, 'Loading…', 'busy');
  try {
    let node;
    if (parts[0] === 'admin' && me.user.is_superuser) node = await adminView(parts.slice(1));
    else if (parts[0] === 'admin') node = el('p', { class: 'error' }, 'Only administrators may use this page.');
    else if (parts[0] === 'book') node = await bookView(me, parts.slice(1));
    else if (parts[0] === 'provider') node = await providerView(me, parts.slice(1));
    else node = home();
    if (!current()) return;
    view.replaceChildren(node);
    status(statusNode, '');
  } catch (e) {
    if (e.status === 401 || !current()) return;
    status(statusNode, e.status === 503 || e.status === 0
      ? 'The database is unavailable; trying again in a few seconds…'
      : `Something went wrong: ${e.message}`, 'error');
    if (e.status === 503 || e.status === 0) setTimeout(route, 5000);
  }
}

async function start() {
  try {
    await whoAmI();
  } catch (e) {
    if (e.status === 401) return;
    status(statusNode, 'The database is unavailable; trying again in a few seconds…', 'error');
    setTimeout(start, 5000);
    return;
  }
  document.getElementById('who').textContent =
    `Signed in as ${me.user.username}${me.user.is_superuser ? ' (administrator)' : ''}`;
  window.addEventListener('hashchange', route);
  route();
}

start();
