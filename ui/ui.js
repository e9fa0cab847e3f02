// Small helpers for building the pages: elements, times in the browser's zone,
// status messages, forms that show the API's field errors.
export const zone = Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';

export function el(tag, attrs = {}, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === null || v === undefined || v === false) continue;
    if (k === 'class') e.className = v;
    else if (k.startsWith('on')) e.addEventListener(k.slice(2), v);
    else if (v === true) e.setAttribute(k, '');
    else e.setAttribute(k, v);
  }
  for (const c of children.flat()) {
    if (c === null || c === undefined || c === false) continue;
    e.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return e;
}

const timeFmt = new Intl.DateTimeFormat(undefined, {
  weekday: 'short', year: 'numeric', month: 'short', day: 'numeric',
  hour: '2-digit', minute: '2-digit', timeZone: zone, timeZoneName: 'short' });
const hourFmt = new Intl.DateTimeFormat(undefined, {
  hour: '2-digit', minute: '2-digit', timeZone: zone });
const dayFmt = new Intl.DateTimeFormat(undefined, {
  weekday: 'long', month: 'short', day: 'numeric', timeZone: zone });

// A time of the API (RFC 3339), for people: in the browser's zone, the zone shown.
export function when(t) {
  return t ? timeFmt.format(new Date(t)) : '—';
}
export function hour(t) { return hourFmt.format(new Date(t)); }
export function day(t) { return dayFmt.format(new Date(t)); }

// The local date (YYYY-MM-DD, browser's zone) of an instant.
export function localDate(d) {
  const parts = new Intl.DateTimeFormat('en-CA', { timeZone: zone, year: 'numeric',
    month: '2-digit', day: '2-digit' }).format(d);
  return parts;
}

// A value of <input type="datetime-local"> (browser's zone) as RFC 3339 with offset.
export function fromLocalInput(v) {
  return v ? new Date(v).toISOString() : null;
}

export function status(node, text, kind = '') {
  node.textContent = text || '';
  node.className = kind;
}

// Shows the API's errors beside the form's fields (and the detail in msg).
export function showErrors(form, msg, e) {
  for (const p of form.querySelectorAll('.field-error')) p.remove();
  for (const i of form.querySelectorAll('[aria-invalid]')) i.removeAttribute('aria-invalid');
  const errors = (e.problem && e.problem.errors) || {};
  for (const [field, messages] of Object.entries(errors)) {
    const input = form.elements[field];
    if (!input) continue;
    const id = `${input.id}-error`;
    input.setAttribute('aria-invalid', 'true');
    input.setAttribute('aria-describedby', id);
    input.after(el('p', { class: 'field-error error', id }, messages.join(' ')));
  }
  status(msg, e.message, 'error');
}

// A labelled input of a form.
export function field(name, label, attrs = {}) {
  const id = `f-${name}`;
  if (attrs.type === 'checkbox') {
    return el('div', { class: 'check' },
      el('input', { id, name, ...attrs }), el('label', { for: id }, label));
  }
  return el('div', { class: 'field' }, el('label', { for: id }, label),
    el('input', { id, name, ...attrs }));
}

// Runs fn while the button says it is busy.
export async function busy(button, fn) {
  const text = button.textContent;
  button.disabled = true;
  button.setAttribute('aria-busy', 'true');
  button.textContent = 'Working…';
  try {
    return await fn();
  } finally {
    button.disabled = false;
    button.removeAttribute('aria-busy');
    button.textContent = text;
  }
}

// Turns of an async drawing function that can be called again before its answers came:
// const turn = turns(); … const current = turn(); await …; if (!current()) return;
// so an old answer arriving late never draws over a newer one.
export function turns() {
  let last = 0;
  return () => {
    const mine = ++last;
    return () => mine === last;
  };
}
