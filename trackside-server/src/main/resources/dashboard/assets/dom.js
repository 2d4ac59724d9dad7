// Building the page from data. Everything that came from events (names, pages, referrers, ...)
// goes in as text: el() and text() only ever set textContent, never innerHTML, so a visitor who
// names an event "<img src=x onerror=...>" gets exactly that string shown, not run.

/**
 * Creates an element. props: className, text, title, attrs (name → value, set with setAttribute;
 * never "on..." or "style"), on (event → handler), dataset (data-* values).
 * Children may be nodes or strings (strings become text nodes).
 */
export function el(tag, props = {}, ...children) {
  const node = document.createElement(tag);
  if (props.className) node.className = props.className;
  if (props.text !== undefined && props.text !== null) node.textContent = String(props.text);
  if (props.title) node.title = props.title;
  for (const [name, value] of Object.entries(props.attrs || {})) {
    if (/^on/i.test(name) || name === 'style') throw new Error('el(): set handlers with "on", not ' + name);
    node.setAttribute(name, value);
  }
  for (const [name, value] of Object.entries(props.dataset || {})) node.dataset[name] = value;
  for (const [event, handler] of Object.entries(props.on || {})) node.addEventListener(event, handler);
  for (const child of children.flat()) {
    if (child === null || child === undefined) continue;
    node.append(typeof child === 'string' ? document.createTextNode(child) : child);
  }
  return node;
}

/** Removes every child of a node. */
export function clear(node) {
  while (node.firstChild) node.removeChild(node.firstChild);
  return node;
}

/** Replaces a node's children with the given ones. */
export function fill(node, ...children) {
  clear(node);
  for (const child of children.flat()) if (child) node.append(child);
  return node;
}

/** A short message where data would be: "no data", "not available", an error. */
export function message(text, className = 'note') {
  return el('p', { className, text });
}

/** How an empty dimension value (null) is shown. */
export const NONE = '(none)';

export const format = {
  number(n) {
    return n === null || n === undefined ? '–' : Number(n).toLocaleString('en-US', { maximumFractionDigits: 2 });
  },
  percent(fraction) {
    return fraction === null || fraction === undefined ? '–' : (fraction * 100).toFixed(1) + '%';
  },
  /** A change against the previous period: "+20.0%", or "–" when there is nothing to compare with. */
  change(fraction) {
    if (fraction === null || fraction === undefined) return '–';
    return (fraction >= 0 ? '+' : '') + (fraction * 100).toFixed(1) + '%';
  },
  duration(seconds) {
    if (seconds === null || seconds === undefined) return '–';
    const s = Math.round(seconds);
    return s < 60 ? s + ' s' : Math.floor(s / 60) + ' min ' + (s % 60) + ' s';
  },
  money(amount, currency) {
    if (amount === null || amount === undefined) return '–';
    const text = Number(amount).toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 });
    return currency ? text + ' ' + currency : text;
  },
  time(iso) {
    return iso ? new Date(iso).toLocaleTimeString('en-GB') : '–';
  },
  value(v) {
    return v === null || v === undefined || v === '' ? NONE : String(v);
  },
};
