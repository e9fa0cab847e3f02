// Booking (client users): pick a provider, see a week of bookable slots in the
// browser's time zone, hold one, confirm it while the hold's countdown runs (hold it
// again once it has expired), and see, cancel and reschedule one's reservations; a
// client user's calendar feed of them.
// A slot just taken by someone else (409) is said in words.
import { api, all } from './api.js';
import { el, when, hour, day, zone, localDate, status, busy, turns } from './ui.js';
import { feedsSection } from './feeds.js';

const HOUR = 3600 * 1000;

function weekStart(offset) {
  const d = new Date();
  d.setHours(0, 0, 0, 0);
  d.setDate(d.getDate() + 7 * offset);
  return d;
}

// What a refused booking means, for people.
function refusal(e) {
  if (e.status === 409) {
    const errors = e.problem.errors || {};
    if (errors.slot) return 'Someone else has just taken this slot. Please pick another one.';
    if (errors.client) return 'You already have a booking at that time.';
    return `This slot cannot be booked now: ${e.message}`;
  }
  if (e.status === 400) return `This slot cannot be booked: ${e.message}`;
  return e.message;
}

export async function bookView(me) {
  const root = el('section', { class: 'book' });
  const msg = el('p', { role: 'status', 'aria-live': 'polite', id: 'book-status' });
  const hold = el('div', { id: 'hold', 'aria-live': 'polite' });
  const week = el('div', { id: 'week' });
  const mine = el('div', { id: 'mine' });
  let offset = 0;
  let provider = null;
  let moving = null;     // the reservation being rescheduled
  let timer = null;
  const clientInput = me.client ? null
    : el('input', { id: 'client', type: 'number', min: 1, inputmode: 'numeric' });
  const clientId = () => (me.client ? me.client.id : Number(clientInput.value));

  const slots = await all(`available_slots/?from=${encodeURIComponent(new Date().toISOString())}&limit=1000`, 3);
  const providers = [...new Set(slots.map((s) => s.provider))].sort((a, b) => a - b);
  const select = el('select', { id: 'provider' }, el('option', { value: '' }, 'Choose…'),
    providers.map((p) => el('option', { value: p }, `Provider ${p}`)));
  select.addEventListener('change', () => { provider = Number(select.value) || null; offset = 0; drawWeek(); });

  const weekTurn = turns();
  const mineTurn = turns();

  async function drawWeek() {
    const current = weekTurn();
    if (!provider) { week.replaceChildren(); return; }
    const from = weekStart(offset);
    const to = new Date(from.getTime() + 7 * 24 * HOUR);
    week.replaceChildren(el('p', { class: 'busy' }, 'Loading the week…'));
    const items = await all(`available_slots/?provider=${provider}&from=${encodeURIComponent(from.toISOString())}`
      + `&to=${encodeURIComponent(to.toISOString())}&limit=1000`, 5);
    if (!current()) return;
    const days = new Map();
    for (let i = 0; i < 7; i++) {
      const d = new Date(from.getTime() + i * 24 * HOUR);
      days.set(localDate(d), { label: day(d), slots: [] });
    }
    for (const s of items) {
      const k = localDate(new Date(s.start_time));
      if (days.has(k)) days.get(k).slots.push(s);
    }
    week.replaceChildren(...[
      el('div', { class: 'week-nav' },
        el('button', { type: 'button', id: 'prev-week', disabled: offset === 0, onclick: () => { offset--; drawWeek(); } }, '← Previous week'),
        el('span', {}, `${day(from)} – ${day(new Date(to.getTime() - 1))} (${zone})`),
        el('button', { type: 'button', id: 'next-week', onclick: () => { offset++; drawWeek(); } }, 'Next week →')),
      moving ? el('p', { class: 'note' }, `Choose the new time for reservation ${moving.id}, or `,
        el('button', { type: 'button', onclick: () => { moving = null; drawWeek(); } }, 'keep it')) : null,
      el('div', { class: 'days' }, [...days.values()].map((d) => el('div', { class: 'day' },
        el('h3', {}, d.label),
        d.slots.length ? el('ul', {}, d.slots.map((s) => el('li', {},
          el('button', { type: 'button', class: 'slot', 'data-slot': s.id,
            'aria-label': `${when(s.start_time)} to ${hour(s.end_time)}`,
            onclick: (ev) => (moving ? reschedule(moving, s, ev.target) : take(s, ev.target)) },
          `${hour(s.start_time)}–${hour(s.end_time)}`))))
          : el('p', { class: 'none' }, 'Nothing free'))))].filter(Boolean));
  }

  async function take(slot, button) {
    await busy(button, async () => {
      try {
        const r = await api('appointment_reservations/', { method: 'POST',
          body: { client: clientId(), slot: slot.id } });
        showHold(r, slot);
        status(msg, '');
        await Promise.all([drawWeek(), drawMine()]);
      } catch (e) {
        status(msg, refusal(e), 'error');
        await drawWeek();
      }
    });
  }

  function showHold(r, slot) {
    clearInterval(timer);
    const left = el('strong', { id: 'countdown' });
    const confirm = el('button', { type: 'button', id: 'confirm' }, 'Confirm this booking');
    const again = el('button', { type: 'button', id: 'hold-again', hidden: true }, 'Hold it again');
    const tick = () => {
      const ms = new Date(r.expires_at).getTime() - Date.now();
      if (ms <= 0) {
        clearInterval(timer);
        left.textContent = 'expired';
        hold.classList.add('expired');
        confirm.hidden = true;
        again.hidden = false;
        status(msg, `Your hold on ${when(slot.start_time)} has expired: the slot is free for anyone again.`, 'error');
        return;
      }
      const s = Math.ceil(ms / 1000);
      left.textContent = `${Math.floor(s / 60)}:${String(s % 60).padStart(2, '0')}`;
    };
    confirm.addEventListener('click', () => busy(confirm, async () => {
      try {
        await api(`appointment_reservations/${r.id}/confirm/`, { method: 'POST' });
        clearInterval(timer);
        hold.replaceChildren(el('p', { class: 'ok' }, `Booked: ${when(slot.start_time)}. It is confirmed.`));
        await drawMine();
      } catch (e) {
        status(msg, e.status === 409 ? 'This hold has expired; hold the slot again if it is still free.' : e.message, 'error');
      }
    }));
    again.addEventListener('click', () => take(slot, again));
    hold.classList.remove('expired');
    hold.replaceChildren(el('h2', {}, 'Your hold'),
      el('p', {}, `${when(slot.start_time)} – ${hour(slot.end_time)}. Held for you for `, left,
        ` (until ${when(r.expires_at)}).`), confirm, again);
    tick();
    timer = setInterval(tick, 1000);
  }

  async function reschedule(r, slot, button) {
    await busy(button, async () => {
      try {
        await api(`appointment_reservations/${r.id}/`, { method: 'PATCH', body: { slot: slot.id } });
        moving = null;
        status(msg, `Reservation ${r.id} moved to ${when(slot.start_time)}.`, 'ok');
        await Promise.all([drawWeek(), drawMine()]);
      } catch (e) {
        status(msg, refusal(e), 'error');
      }
    });
  }

  async function drawMine() {
    const current = mineTurn();
    if (!clientId()) { mine.replaceChildren(); return; }
    const items = await all(`appointment_reservations/?client=${clientId()}&limit=100`, 3);
    const active = items.filter((r) => r.status === 'pending' || r.status === 'confirmed');
    const times = new Map();
    await Promise.all(active.map(async (r) => {
      try { times.set(r.id, await api(`available_slots/${r.slot}/`)); } catch (e) { /* gone */ }
    }));
    if (!current()) return;
    mine.replaceChildren(el('h2', {}, 'My reservations'), active.length
      ? el('ul', { class: 'mine' }, active.map((r) => {
        const s = times.get(r.id);
        return el('li', {}, el('span', {}, `${s ? when(s.start_time) : `slot ${r.slot}`} — ${r.status}`),
          el('button', { type: 'button', onclick: () => { moving = r; if (!provider && s) { provider = s.provider; select.value = s.provider; } drawWeek(); } }, 'Reschedule'),
          el('button', { type: 'button', class: 'danger', onclick: (ev) => busy(ev.target, async () => {
            try {
              await api(`appointment_reservations/${r.id}/cancel/`, { method: 'POST' });
              status(msg, 'Cancelled.', 'ok');
              await Promise.all([drawMine(), drawWeek()]);
            } catch (e) { status(msg, e.message, 'error'); }
          }) }, 'Cancel'));
      }))
      : el('p', {}, 'None right now.'));
  }

  root.append(...[el('h1', {}, 'Book an appointment'),
    el('p', { class: 'note' }, `Times are shown in your time zone, ${zone}.`),
    clientInput ? el('div', { class: 'field' }, el('label', { for: 'client' }, 'Client id (as administrator)'), clientInput) : null,
    el('div', { class: 'field' }, el('label', { for: 'provider' }, 'Provider'), select),
    msg, hold, week, mine].filter(Boolean));
  if (clientInput) clientInput.addEventListener('change', drawMine);
  await drawMine();
  if (me.client) root.append(await feedsSection({ client: me.client.id }, msg));
  return root;
}
