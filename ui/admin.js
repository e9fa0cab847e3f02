// Administration (superusers): every collection of the API as a table — sortable
// columns, a search of the rows shown, the API's filters, keyset paging ("More") —
// detail pages with related objects and the object's history, forms that show the
// API's field errors beside the fields, deletion that first says what goes with it,
// bulk confirm and cancel of reservations; webhooks, with their signing secret shown
// once and their deliveries, each of which can be sent again.
import { api, page, all, ApiError } from './api.js';
import { el, when, status, showErrors, field, busy, fromLocalInput, turns } from './ui.js';

const ID = { type: 'number', min: 1, inputmode: 'numeric' };
const COLLECTIONS = {
  users: {
    title: 'Users', cols: ['id', 'username', 'email', 'is_superuser', 'is_active', 'date_joined'],
    form: [['username', 'User name', { autocomplete: 'off' }], ['email', 'Email', { type: 'email' }],
      ['password', 'Password (set or reset)', { type: 'password', autocomplete: 'new-password' }],
      ['is_superuser', 'Administrator', { type: 'checkbox' }],
      ['is_active', 'Active (may sign in)', { type: 'checkbox', checked: true }]],
    gone: 'Its client and provider records go with it, and with them their reservations, slots and schedule.',
  },
  clients: { title: 'Clients', cols: ['id', 'user'], form: [['user', 'User id', ID]],
    gone: 'Its reservations go with it.' },
  providers: { title: 'Providers', cols: ['id', 'user'], form: [['user', 'User id', ID]],
    gone: 'Its slots, schedule, overrides and time off go with it, and the reservations on its slots.' },
  available_slots: {
    title: 'Bookable slots', cols: ['id', 'provider', 'start_time', 'end_time', 'source'],
    filters: [['provider', 'Provider id', ID], ['from', 'From', { type: 'datetime-local' }],
      ['to', 'To', { type: 'datetime-local' }]],
    form: [['provider', 'Provider id', ID], ['start_time', 'Start', { type: 'datetime-local' }],
      ['end_time', 'End', { type: 'datetime-local' }]],
    gone: 'Reservations on it go with it (a slot actively reserved cannot be deleted).',
  },
  appointment_reservations: {
    title: 'Reservations', cols: ['id', 'client', 'slot', 'status', 'created_at', 'expires_at', 'confirmed_at'],
    filters: [['client', 'Client id', ID], ['provider', 'Provider id', ID],
      ['status', 'Status', { list: 'statuses' }]],
    form: [['client', 'Client id', ID], ['slot', 'Slot id', ID]],
    gone: 'Its slot becomes free. (Cancelling keeps the record.)', bulk: true,
  },
  schedules: {
    title: 'Schedules', cols: ['id', 'provider', 'time_zone', 'slot_minutes', 'horizon_days', 'materialized_until'],
    filters: [['provider', 'Provider id', ID]],
    form: [['provider', 'Provider id', ID], ['time_zone', 'Time zone (IANA)'],
      ['slot_minutes', 'Slot minutes', { type: 'number', min: 5 }],
      ['horizon_days', 'Horizon (days)', { type: 'number', min: 1 }]],
    gone: 'Its future slots without an active reservation are deleted.',
  },
  schedule_overrides: {
    title: 'Overrides', cols: ['id', 'provider', 'date'], filters: [['provider', 'Provider id', ID]],
    form: [['provider', 'Provider id', ID], ['date', 'Date', { type: 'date' }]],
    gone: 'The weekly hours apply that day again.',
  },
  time_off: {
    title: 'Time off', cols: ['id', 'provider', 'start_time', 'end_time', 'reason'],
    filters: [['provider', 'Provider id', ID]],
    form: [['provider', 'Provider id', ID], ['start_time', 'Start', { type: 'datetime-local' }],
      ['end_time', 'End', { type: 'datetime-local' }], ['reason', 'Reason']],
    gone: 'Its time can be booked again.',
  },
  webhooks: {
    title: 'Webhooks', cols: ['id', 'url', 'events', 'active', 'created_at'],
    form: [['url', 'Target URL', { type: 'url', autocomplete: 'off', spellcheck: 'false' }],
      ['events', 'Event types, separated by commas (reservation.created, …), or * for all',
        { kind: 'strings', autocomplete: 'off', spellcheck: 'false' }],
      ['active', 'Active (deliveries are sent)', { type: 'checkbox', checked: true }]],
    gone: 'Its deliveries not yet sent, and the record of those sent, go with it.',
    noHistory: true,
  },
};
const TIMES = new Set(['date_joined', 'start_time', 'end_time', 'created_at', 'expires_at',
  'confirmed_at', 'materialized_until']);

function show(col, v) {
  if (TIMES.has(col)) return when(v);
  if (v === true) return 'yes';
  if (v === false) return 'no';
  if (v === null || v === undefined) return '—';
  return String(v);
}

function tabs(current) {
  return el('nav', { class: 'tabs', 'aria-label': 'Collections' }, el('ul', {},
    Object.entries(COLLECTIONS).map(([name, c]) => el('li', {},
      el('a', { href: `#/admin/${name}`, 'aria-current': name === current ? 'page' : null }, c.title)))));
}

// The body of a form, as the API wants it: numbers, booleans, RFC 3339 times; empty
// fields left out (PATCH: unchanged).
function bodyOf(form, spec) {
  const body = {};
  for (const [name, , attrs = {}] of spec) {
    const input = form.elements[name];
    if (attrs.type === 'checkbox') body[name] = input.checked;
    else if (attrs.kind === 'strings') {
      if (input.value.trim() === '') continue;
      body[name] = input.value.split(',').map((v) => v.trim()).filter((v) => v !== '');
    } else if (input.value === '') continue;
    else if (attrs.type === 'number') body[name] = Number(input.value);
    else if (attrs.type === 'datetime-local') body[name] = fromLocalInput(input.value);
    else body[name] = input.value;
  }
  return body;
}

function formOf(spec, values = {}) {
  return spec.map(([name, label, attrs = {}]) => {
    const { kind, ...a } = attrs;
    if (attrs.type === 'checkbox') a.checked = name in values ? values[name] : attrs.checked;
    else if (values[name] !== undefined && values[name] !== null && name !== 'password') {
      if (attrs.type === 'datetime-local') {
        a.value = new Date(new Date(values[name]).getTime() - new Date().getTimezoneOffset() * 60000)
          .toISOString().slice(0, 16);
      } else {
        a.value = kind === 'strings' ? values[name].join(', ') : values[name];
      }
    }
    return field(name, label, a);
  });
}

async function listView(name, query) {
  const c = COLLECTIONS[name];
  const root = el('section', { class: 'admin' });
  const msg = el('p', { role: 'status', 'aria-live': 'polite' });
  let rows = [];
  let next = null;
  let sort = { col: 'id', dir: 1 };
  const tbody = el('tbody');
  const search = el('input', { id: 'search', type: 'search', placeholder: 'Search the rows shown' });
  const more = el('button', { type: 'button', hidden: true }, 'More');
  const selected = new Set();
  const head = el('tr', {}, c.bulk ? el('th', { scope: 'col' }, el('span', { class: 'sr' }, 'Select')) : null,
    c.cols.map((col) => el('th', { scope: 'col', 'aria-sort': 'none' },
      el('button', { type: 'button', class: 'sort', onclick: () => {
        sort = { col, dir: sort.col === col ? -sort.dir : 1 };
        for (const th of head.querySelectorAll('th[aria-sort]')) th.setAttribute('aria-sort', 'none');
        head.children[c.cols.indexOf(col) + (c.bulk ? 1 : 0)]
          .setAttribute('aria-sort', sort.dir > 0 ? 'ascending' : 'descending');
        draw();
      } }, col))));

  function draw() {
    const q = search.value.trim().toLowerCase();
    const shown = rows.filter((r) => !q || c.cols.some((col) => show(col, r[col]).toLowerCase().includes(q)))
      .sort((a, b) => (a[sort.col] > b[sort.col] ? 1 : a[sort.col] < b[sort.col] ? -1 : 0) * sort.dir);
    tbody.replaceChildren(...shown.map((r) => el('tr', {},
      c.bulk ? el('td', {}, el('input', { type: 'checkbox', 'aria-label': `Select ${r.id}`,
        checked: selected.has(r.id), onchange: (ev) => (ev.target.checked ? selected.add(r.id) : selected.delete(r.id)) })) : null,
      c.cols.map((col) => el('td', { 'data-label': col }, col === 'id'
        ? el('a', { href: `#/admin/${name}/${r.id}` }, String(r.id)) : show(col, r[col]))))));
    more.hidden = !next;
    status(msg, `${shown.length} of ${rows.length} loaded${next ? ' (more to load)' : ''}.`);
  }

  const loadTurn = turns();

  async function load(path, append) {
    const current = loadTurn();
    status(msg, 'Loading…', 'busy');
    try {
      const p = await page(path);
      if (!current()) return;
      rows = append ? rows.concat(p.items) : p.items;
      next = p.next;
      draw();
    } catch (e) {
      if (current()) status(msg, e.message, 'error');
    }
  }

  const filters = el('form', { class: 'filters', onsubmit: (ev) => {
    ev.preventDefault();
    const params = new URLSearchParams();
    for (const [f, , attrs = {}] of c.filters || []) {
      const v = filters.elements[f].value;
      if (v) params.set(f, attrs.type === 'datetime-local' ? fromLocalInput(v) : v);
    }
    load(`${name}/?${params}`, false);
  } }, (c.filters || []).map(([f, label, attrs]) => field(f, label, attrs)),
    c.filters ? el('button', { type: 'submit' }, 'Filter') : null,
    el('datalist', { id: 'statuses' }, ['pending', 'confirmed', 'expired', 'cancelled'].map((s) => el('option', { value: s }))));
  search.addEventListener('input', draw);
  more.addEventListener('click', () => load(next, true));

  const bulk = c.bulk ? el('div', { class: 'bulk' }, ['confirm', 'cancel'].map((action) =>
    el('button', { type: 'button', onclick: async (ev) => {
      const ids = [...selected];
      if (!ids.length) { status(msg, 'Select reservations first.', 'error'); return; }
      await busy(ev.target, async () => {
        const out = await Promise.allSettled(ids.map((id) =>
          api(`appointment_reservations/${id}/${action}/`, { method: 'POST' })));
        const failed = out.filter((o) => o.status === 'rejected');
        selected.clear();
        await load(`${name}/${query ? `?${query}` : ''}`, false);
        status(msg, `${ids.length - failed.length} ${action === 'confirm' ? 'confirmed' : 'cancelled'}`
          + (failed.length ? `, ${failed.length} refused: ${failed.map((f) => f.reason.message).join('; ')}` : '.'),
          failed.length ? 'error' : '');
      });
    } }, action === 'confirm' ? 'Confirm selected' : 'Cancel selected'))) : null;

  root.append(...[tabs(name), el('h1', {}, c.title),
    el('p', {}, el('a', { href: `#/admin/${name}/new`, class: 'button' }, `Add to ${c.title.toLowerCase()}`)),
    filters, el('div', { class: 'field' }, el('label', { for: 'search' }, 'Search'), search),
    bulk, msg, el('div', { class: 'table' }, el('table', {}, el('thead', {}, head), tbody)), more]
    .filter(Boolean));
  await load(`${name}/${query ? `?${query}` : ''}`, false);
  return root;
}

// A webhook's signing secret, answered once by its creation: in a field to copy it
// from, with the way to the webhook's page.
function secretOnce(name, made) {
  return el('div', { class: 'edit' },
    el('div', { class: 'field' },
      el('label', { for: 'secret' }, 'Signing secret, shown only this once: give it to the receiver, '
        + 'which checks each delivery\'s webhook-signature with it'),
      el('input', { id: 'secret', readonly: true, value: made.secret, spellcheck: 'false' })),
    el('p', {}, el('a', { href: `#/admin/${name}/${made.id}` }, `Go to webhook ${made.id}`)));
}

async function newView(name) {
  const c = COLLECTIONS[name];
  const msg = el('p', { role: 'status', 'aria-live': 'polite' });
  const form = el('form', { class: 'edit', novalidate: true }, formOf(c.form),
    el('button', { type: 'submit' }, 'Create'));
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    await busy(form.querySelector('button[type=submit]'), async () => {
      try {
        const made = await api(`${name}/`, { method: 'POST', body: bodyOf(form, c.form) });
        if (made.secret) {
          form.replaceWith(secretOnce(name, made));
          status(msg, 'Made. Copy its signing secret now: it is not shown again.', 'ok');
          document.getElementById('secret').select();
          return;
        }
        location.hash = Array.isArray(made) ? `#/admin/${name}` : `#/admin/${name}/${made.id}`;
      } catch (e) {
        showErrors(form, msg, e);
      }
    });
  });
  return el('section', {}, tabs(name), el('h1', {}, `New: ${c.title}`), msg, form);
}

async function related(name, obj) {
  const links = [];
  if (name === 'providers') {
    links.push(['Bookable slots', `#/admin/available_slots?provider=${obj.id}`],
      ['Schedule', `#/admin/schedules?provider=${obj.id}`],
      ['Reservations on its slots', `#/admin/appointment_reservations?provider=${obj.id}`],
      ['Time off', `#/admin/time_off?provider=${obj.id}`]);
  }
  if (name === 'clients') links.push(['Reservations', `#/admin/appointment_reservations?client=${obj.id}`]);
  if (name === 'users') {
    const [clients, providers] = await Promise.all([
      all(`clients/?user=${obj.id}`, 1), all(`providers/?user=${obj.id}`, 1)]);
    for (const r of clients) links.push([`Client record ${r.id}`, `#/admin/clients/${r.id}`]);
    for (const r of providers) links.push([`Provider record ${r.id}`, `#/admin/providers/${r.id}`]);
  }
  if (obj.provider) links.push([`Provider ${obj.provider}`, `#/admin/providers/${obj.provider}`]);
  if (obj.client) links.push([`Client ${obj.client}`, `#/admin/clients/${obj.client}`]);
  if (obj.slot) links.push([`Slot ${obj.slot}`, `#/admin/available_slots/${obj.slot}`]);
  return links.length ? el('section', {}, el('h2', {}, 'Related'),
    el('ul', {}, links.map(([t, h]) => el('li', {}, el('a', { href: h }, t))))) : null;
}

async function historyOf(name, id) {
  let items = [];
  try {
    items = await all(`${name}/${id}/history/`, 5);
  } catch (e) {
    return el('p', { class: 'error' }, `History: ${e.message}`);
  }
  return el('section', {}, el('h2', {}, 'History'), items.length
    ? el('div', { class: 'table' }, el('table', {}, el('thead', {}, el('tr', {},
      ['When', 'Who', 'What', 'Changes'].map((h) => el('th', { scope: 'col' }, h)))),
      el('tbody', {}, items.map((h) => el('tr', {}, el('td', {}, when(h.at)),
        el('td', {}, h.actor ? el('a', { href: `#/admin/users/${h.actor}` }, `user ${h.actor}`) : '—'),
        el('td', {}, h.action),
        el('td', {}, Object.entries(h.changes).map(([f, v]) =>
          el('div', {}, `${f}: ${Array.isArray(v) ? `${JSON.stringify(v[0])} → ${JSON.stringify(v[1])}` : v}`))))))))
    : el('p', {}, 'No recorded change.'));
}

// The attempts of a webhook's deliveries, the newest first; each event can be sent
// again now.
async function deliveriesOf(id, msg) {
  const box = el('section', { id: 'deliveries' });
  const turn = turns();
  async function draw() {
    const current = turn();
    const items = (await all(`webhooks/${id}/deliveries/`, 5)).reverse().slice(0, 100);
    if (!current()) return;
    const retry = (d) => (ev) => busy(ev.target, async () => {
      try {
        await api(`webhooks/${id}/deliveries/${d.id}/retry/`, { method: 'POST' });
        status(msg, `Event ${d.event} is being sent again.`, 'ok');
        await draw();
      } catch (e) { status(msg, e.message, 'error'); }
    });
    box.replaceChildren(el('h2', {}, 'Deliveries'), items.length
      ? el('div', { class: 'table' }, el('table', {}, el('thead', {}, el('tr', {},
        ['When', 'Event', 'Attempt', 'Answer', 'Next attempt', ''].map((h) => el('th', { scope: 'col' }, h)))),
        el('tbody', {}, items.map((d) => el('tr', {}, el('td', { 'data-label': 'When' }, when(d.at)),
          el('td', { 'data-label': 'Event' }, String(d.event)),
          el('td', { 'data-label': 'Attempt' }, String(d.attempt)),
          el('td', { 'data-label': 'Answer', class: d.status >= 200 && d.status < 300 ? 'ok' : 'error' },
            d.status !== null ? `HTTP ${d.status}` : d.error || 'under way'),
          el('td', { 'data-label': 'Next attempt' }, d.next_attempt_at ? when(d.next_attempt_at) : '—'),
          el('td', {}, el('button', { type: 'button', onclick: retry(d),
            'aria-label': `Send event ${d.event} again` }, 'Send again')))))))
      : el('p', { class: 'none' }, 'No delivery yet: events that happen from now on are sent here.'));
  }
  try {
    await draw();
  } catch (e) {
    box.replaceChildren(el('p', { class: 'error' }, `Deliveries: ${e.message}`));
  }
  return box;
}

async function detailView(name, id) {
  const c = COLLECTIONS[name];
  const msg = el('p', { role: 'status', 'aria-live': 'polite' });
  let obj;
  try {
    obj = await api(`${name}/${id}/`);
  } catch (e) {
    if (e.status !== 404) throw e;
    return el('section', {}, tabs(name), el('h1', {}, `${c.title}: ${id}`),
      el('p', { class: 'error' }, 'There is no such object (it may have been deleted).'),
      c.noHistory ? null : await historyOf(name, id));
  }
  const form = el('form', { class: 'edit', novalidate: true }, formOf(c.form, obj),
    el('button', { type: 'submit' }, 'Save changes'));
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    await busy(form.querySelector('button[type=submit]'), async () => {
      try {
        await api(`${name}/${id}/`, { method: 'PATCH', body: bodyOf(form, c.form) });
        status(msg, 'Saved.', 'ok');
        window.dispatchEvent(new HashChangeEvent('hashchange'));
      } catch (e) {
        showErrors(form, msg, e);
      }
    });
  });
  const dialog = el('dialog', { 'aria-labelledby': 'del-title' },
    el('h2', { id: 'del-title' }, `Delete ${c.title.toLowerCase()} ${id}?`), el('p', {}, c.gone),
    el('form', { method: 'dialog' }, el('button', { value: 'cancel' }, 'Keep it'),
      el('button', { value: 'delete', class: 'danger' }, 'Delete')));
  dialog.addEventListener('close', async () => {
    if (dialog.returnValue !== 'delete') return;
    try {
      await api(`${name}/${id}/`, { method: 'DELETE' });
      location.hash = `#/admin/${name}`;
    } catch (e) {
      status(msg, e.message, 'error');
    }
  });
  const actions = [];
  if (name === 'appointment_reservations') {
    for (const action of ['confirm', 'cancel']) {
      actions.push(el('button', { type: 'button', onclick: async (ev) => busy(ev.target, async () => {
        try {
          await api(`${name}/${id}/${action}/`, { method: 'POST' });
          window.dispatchEvent(new HashChangeEvent('hashchange'));
        } catch (e) {
          status(msg, e.message, 'error');
        }
      }) }, action === 'confirm' ? 'Confirm' : 'Cancel reservation'));
    }
  }
  return el('section', {}, tabs(name), el('h1', {}, `${c.title}: ${id}`),
    el('dl', {}, Object.entries(obj).flatMap(([k, v]) => [el('dt', {}, k),
      el('dd', {}, typeof v === 'object' && v !== null ? JSON.stringify(v) : show(k, v))])),
    actions.length ? el('div', { class: 'bulk' }, actions) : null,
    await related(name, obj), el('h2', {}, 'Change'), msg, form,
    el('p', {}, el('button', { type: 'button', class: 'danger', onclick: () => dialog.showModal() }, 'Delete…')),
    dialog, name === 'webhooks' ? await deliveriesOf(id, msg) : null,
    c.noHistory ? null : await historyOf(name, id));
}

// #/admin/<collection>[?query] | #/admin/<collection>/new | #/admin/<collection>/<id>
export async function adminView(parts) {
  const [first = 'users', second] = parts;
  const [name, query] = first.split('?');
  if (!COLLECTIONS[name]) throw new ApiError(404, { detail: 'No such collection.' });
  if (second === 'new') return newView(name);
  if (second) return detailView(name, second.split('?')[0]);
  return listView(name, query || (location.hash.split('?')[1] || ''));
}
