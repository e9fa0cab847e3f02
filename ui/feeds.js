// The calendar feed of a provider or a client (/calendar_feeds/): a secret URL that a
// calendar application subscribes to. Made here, its URL is shown this once, in a
// field to copy it from; the feeds there are can be revoked.
import { api, all } from './api.js';
import { el, when, status, busy, turns } from './ui.js';

// Copies the URL of input: the Clipboard API where the page may use it, else the
// selection and the older copy command.
async function copy(input) {
  try {
    await navigator.clipboard.writeText(input.value);
    return true;
  } catch (e) {
    input.focus();
    input.select();
    return document.execCommand('copy');
  }
}

// owner: { provider: id } or { client: id }; msg: where to say what happened.
export async function feedsSection(owner, msg) {
  const [kind, id] = Object.entries(owner)[0];
  const box = el('div', { id: 'feeds' });

  function shownOnce(url) {
    const input = el('input', { id: 'feed-url', readonly: true, value: url, spellcheck: 'false' });
    return el('div', { class: 'field', id: 'feed-url-box' },
      el('label', { for: 'feed-url' },
        'The URL of your new feed, shown only this once: add it to your calendar application'),
      input,
      el('button', { type: 'button', id: 'copy-feed', onclick: async () => {
        status(msg, (await copy(input)) ? 'The URL is copied.' : 'Select the URL and copy it.',
          'ok');
      } }, 'Copy'));
  }

  const turn = turns();

  async function draw(url) {
    const current = turn();
    const feeds = await all(`calendar_feeds/?${kind}=${id}`, 3);
    if (!current()) return;
    const revoke = (f) => (ev) => busy(ev.target, async () => {
      try {
        await api(`calendar_feeds/${f.id}/`, { method: 'DELETE' });
        status(msg, 'Feed revoked: its URL no longer answers.', 'ok');
        await draw(null);
      } catch (e) { status(msg, e.message, 'error'); }
    });
    const make = (ev) => busy(ev.target, async () => {
      try {
        const f = await api('calendar_feeds/', { method: 'POST', body: { [kind]: Number(id) } });
        await draw(f.url);
        status(msg, 'Calendar feed made: copy its URL now, it is not shown again.', 'ok');
        document.getElementById('feed-url').select();
      } catch (e) { status(msg, e.message, 'error'); }
    });
    box.replaceChildren(el('h2', {}, 'Calendar feed'),
      el('p', { class: 'note' }, 'Your appointments in the calendar you already use '
        + '(Thunderbird, Google Calendar, Apple Calendar, Outlook: "subscribe from URL"). '
        + 'Anyone with the URL sees them: keep it to yourself, and revoke it if it leaks.'),
      url ? shownOnce(url) : null,
      el('button', { type: 'button', id: 'make-feed', onclick: make }, 'Make a calendar feed'),
      feeds.length
        ? el('ul', { id: 'feed-list' }, feeds.map((f) => el('li', {},
          `Feed ${f.id}, made ${when(f.created_at)} `,
          el('button', { type: 'button', class: 'danger', onclick: revoke(f) }, 'Revoke'))))
        : el('p', { class: 'none', id: 'feed-list' }, 'No feed yet.'));
  }

  await draw(null);
  return box;
}
