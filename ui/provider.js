// Provider users: a week of their slots and bookings, the weekly hours editor,
// overrides and time off, cancelling a booking on their slots, and the calendar feed
// of their bookings.
import { api, all } from './api.js';
import { el, when, hour, day, zone, localDate, status, busy, showErrors, field, fromLocalInput, turns } from './ui.js';
import { feedsSection } from './feeds.js';

const HOUR = 3600 * 1000;
const WEEKDAYS = ['Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday', 'Sunday'];

function weekStart(offset) {
  const d = new Date();
  d.setHours(0, 0, 0, 0);
  d.setDate(d.getDate() - ((d.getDay() + 6) % 7) + 7 * offset);
  return d;
}

export async function providerView(me) {
  if (!me.provider) {
    return el('p', { class: 'error' }, 'Your account has no provider record.');
  }
  const p = me.provider.id;
  const msg = el('p', { role: 'status', 'aria-live': 'polite', id: 'provider-status' });
  const week = el('div', { id: 'calendar' });
  const hours = el('div', { id: 'hours' });
  const away = el('div', { id: 'away' });
  let offset = 0;
  const weekTurn = turns();
  const hoursTurn = turns();
  const awayTurn = turns();

  async function drawWeek() {
    const current = weekTurn();
    const from = weekStart(offset);
    const to = new Date(from.getTime() + 7 * 24 * HOUR);
    const range = `from=${encodeURIComponent(from.toISOString())}&to=${encodeURIComponent(to.toISOString())}`;
    const [free, booked] = await Promise.all([
      all(`available_slots/?provider=${p}&${range}&limit=1000`, 5),
      all(`appointment_reservations/?provider=${p}&limit=200`, 5)]);
    const active = booked.filter((r) => r.status === 'pending' || r.status === 'confirmed');
    const slots = new Map();
    await Promise.all(active.map(async (r) => {
      try { slots.set(r.id, await api(`available_slots/${r.slot}/`)); } catch (e) { /* gone */ }
    }));
    if (!current()) return;
    const days = new Map();
    for (let i = 0; i < 7; i++) {
      const d = new Date(from.getTime() + i * 24 * HOUR);
      days.set(localDate(d), { label: day(d), items: [] });
    }
    for (const s of free) {
      const k = localDate(new Date(s.start_time));
      if (days.has(k)) days.get(k).items.push({ t: s.start_time, node: el('li', { class: 'free' }, `${hour(s.start_time)}–${hour(s.end_time)} free`) });
    }
    for (const r of active) {
      const s = slots.get(r.id);
      if (!s) continue;
      const k = localDate(new Date(s.start_time));
      if (!days.has(k)) continue;
      days.get(k).items.push({ t: s.start_time, node: el('li', { class: 'booked' },
        `${hour(s.start_time)}–${hour(s.end_time)} booked by client ${r.client} (${r.status}) `,
        el('button', { type: 'button', class: 'danger', onclick: (ev) => busy(ev.target, async () => {
          try {
            await api(`appointment_reservations/${r.id}/cancel/`, { method: 'POST' });
            status(msg, 'Booking cancelled: the client\'s slot is free again.', 'ok');
            await drawWeek();
          } catch (e) { status(msg, e.message, 'error'); }
        }) }, 'Cancel booking')) });
    }
    week.replaceChildren(el('h2', {}, 'My week'),
      el('div', { class: 'week-nav' },
        el('button', { type: 'button', onclick: () => { offset--; drawWeek(); } }, '← Previous week'),
        el('span', {}, `${day(from)} – ${day(new Date(to.getTime() - 1))} (${zone})`),
        el('button', { type: 'button', onclick: () => { offset++; drawWeek(); } }, 'Next week →')),
      el('div', { class: 'days' }, [...days.values()].map((d) => el('div', { class: 'day' },
        el('h3', {}, d.label), d.items.length
          ? el('ul', {}, d.items.sort((a, b) => (a.t < b.t ? -1 : 1)).map((i) => i.node))
          : el('p', { class: 'none' }, 'Nothing')))));
  }

  function intervalRow(iv = { weekday: 1, start: '09:00', end: '17:00' }, n) {
    return el('fieldset', { class: 'interval' }, el('legend', {}, `Interval ${n + 1}`),
      el('label', { for: `wd-${n}` }, 'Day'),
      el('select', { id: `wd-${n}`, name: 'weekday' }, WEEKDAYS.map((w, i) =>
        el('option', { value: i + 1, selected: iv.weekday === i + 1 }, w))),
      el('label', { for: `st-${n}` }, 'From'), el('input', { id: `st-${n}`, name: 'start', type: 'time', value: iv.start }),
      el('label', { for: `en-${n}` }, 'To'), el('input', { id: `en-${n}`, name: 'end', type: 'time', value: iv.end === '24:00' ? '23:59' : iv.end }),
      el('button', { type: 'button', class: 'danger', onclick: (ev) => ev.target.closest('fieldset').remove() }, 'Remove'));
  }

  async function drawHours() {
    const current = hoursTurn();
    const [schedule] = await all(`schedules/?provider=${p}`, 1);
    if (!current()) return;
    const rows = el('div', { id: 'intervals' }, (schedule ? schedule.weekly : []).map((iv, n) => intervalRow(iv, n)));
    const form = el('form', { class: 'edit', novalidate: true },
      field('time_zone', 'Time zone', { value: schedule ? schedule.time_zone : zone }),
      field('slot_minutes', 'Slot length (minutes)', { type: 'number', min: 5, value: schedule ? schedule.slot_minutes : 30 }),
      field('horizon_days', 'Bookable how many days ahead', { type: 'number', min: 1, value: schedule ? schedule.horizon_days : 60 }),
      el('h3', {}, 'Weekly hours'), rows,
      el('button', { type: 'button', id: 'add-interval', onclick: () => rows.append(intervalRow(undefined, rows.children.length)) }, 'Add an interval'),
      el('button', { type: 'submit', id: 'save-hours' }, 'Save hours'));
    form.addEventListener('submit', async (ev) => {
      ev.preventDefault();
      const weekly = [...rows.querySelectorAll('fieldset')].map((f) => ({
        weekday: Number(f.querySelector('[name=weekday]').value),
        start: f.querySelector('[name=start]').value, end: f.querySelector('[name=end]').value }));
      const body = { time_zone: form.elements.time_zone.value,
        slot_minutes: Number(form.elements.slot_minutes.value),
        horizon_days: Number(form.elements.horizon_days.value), weekly };
      await busy(form.querySelector('#save-hours'), async () => {
        try {
          const saved = schedule
            ? await api(`schedules/${schedule.id}/`, { method: 'PUT', body })
            : await api('schedules/', { method: 'POST', body: { provider: p, ...body } });
          status(msg, `Hours saved${saved.kept && saved.kept.length ? `; ${saved.kept.length} booked slot(s) kept` : ''}.`, 'ok');
          await Promise.all([drawHours(), drawWeek()]);
        } catch (e) {
          showErrors(form, msg, e);
        }
      });
    });
    hours.replaceChildren(el('h2', {}, 'Working hours'), form);
  }

  async function drawAway() {
    const current = awayTurn();
    const [off, overrides] = await Promise.all([all(`time_off/?provider=${p}`, 3),
      all(`schedule_overrides/?provider=${p}`, 3)]);
    if (!current()) return;
    const form = el('form', { class: 'edit', novalidate: true },
      field('start_time', 'Away from', { type: 'datetime-local' }),
      field('end_time', 'Until', { type: 'datetime-local' }), field('reason', 'Reason'),
      el('button', { type: 'submit' }, 'Add time off'));
    form.addEventListener('submit', async (ev) => {
      ev.preventDefault();
      try {
        await api('time_off/', { method: 'POST', body: { provider: p,
          start_time: fromLocalInput(form.elements.start_time.value),
          end_time: fromLocalInput(form.elements.end_time.value), reason: form.elements.reason.value } });
        status(msg, 'Time off added.', 'ok');
        await Promise.all([drawAway(), drawWeek()]);
      } catch (e) { showErrors(form, msg, e); }
    });
    const closed = el('form', { class: 'edit', novalidate: true },
      field('date', 'Closed on (a date of your schedule\'s zone)', { type: 'date' }),
      el('button', { type: 'submit' }, 'Close that day'));
    closed.addEventListener('submit', async (ev) => {
      ev.preventDefault();
      try {
        await api('schedule_overrides/', { method: 'POST', body: { provider: p, date: closed.elements.date.value, intervals: [] } });
        status(msg, 'Day closed.', 'ok');
        await Promise.all([drawAway(), drawWeek()]);
      } catch (e) { showErrors(closed, msg, e); }
    });
    const other = el('form', { class: 'edit', novalidate: true, id: 'other-hours' },
      field('odate', 'Different hours on (a date of your schedule\'s zone)', { type: 'date' }),
      field('ostart', 'From', { type: 'time', value: '10:00' }),
      field('oend', 'To', { type: 'time', value: '14:00' }),
      el('button', { type: 'submit' }, 'Set these hours for that day'));
    other.addEventListener('submit', async (ev) => {
      ev.preventDefault();
      try {
        await api('schedule_overrides/', { method: 'POST', body: { provider: p, date: other.elements.odate.value,
          intervals: [{ start: other.elements.ostart.value, end: other.elements.oend.value }] } });
        status(msg, 'Hours of that day set.', 'ok');
        await Promise.all([drawAway(), drawWeek()]);
      } catch (e) { showErrors(other, msg, e); }
    });
    const remove = (path) => async (ev) => busy(ev.target, async () => {
      try { await api(path, { method: 'DELETE' }); await Promise.all([drawAway(), drawWeek()]); } catch (e) { status(msg, e.message, 'error'); }
    });
    away.replaceChildren(el('h2', {}, 'Time off, closed days and other hours'),
      el('ul', {}, off.map((o) => el('li', {}, `${when(o.start_time)} – ${when(o.end_time)} ${o.reason}`,
        el('button', { type: 'button', class: 'danger', onclick: remove(`time_off/${o.id}/`) }, 'Remove'))),
      overrides.map((o) => el('li', {}, `${o.date}: ${o.intervals.length ? o.intervals.map((i) => `${i.start}–${i.end}`).join(', ') : 'closed'}`,
        el('button', { type: 'button', class: 'danger', onclick: remove(`schedule_overrides/${o.id}/`) }, 'Remove')))),
      form, closed, other);
  }

  const [feeds] = await Promise.all([feedsSection({ provider: p }, msg), drawWeek(), drawHours(),
    drawAway()]);
  return el('section', { class: 'provider' }, el('h1', {}, `Provider ${p}`), msg, week, hours, away,
    feeds);
}
