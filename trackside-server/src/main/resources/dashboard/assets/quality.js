// Data quality: what came in, what was stored, what was quarantined and why, bots, and each
// destination's health. The answer's shape is shown as it is: numbers as cards, lists as
// tables, so nothing the API says is hidden here.

import { getJson } from './api.js';
import { el, fill, format } from './dom.js';
import { renderNav, Scope } from './layout.js';
import { dataTable, showError } from './tables.js';

renderNav();
const scope = new Scope(document.getElementById('scope'));
const container = document.getElementById('quality');
scope.onChange(load);
load();

async function load() {
  try {
    const quality = await getJson('/api/stats/quality', scope.apiParams());
    fill(container, section('Summary', quality));
  } catch (error) {
    error.path = '/api/stats/quality';
    showError(container, error);
  }
}

/** "deadLetters" → "Dead letters". */
function label(key) {
  const words = String(key).replace(/([a-z])([A-Z])/g, '$1 $2').replace(/[_-]/g, ' ').toLowerCase();
  return words.charAt(0).toUpperCase() + words.slice(1);
}

function scalar(value, key) {
  if (typeof value === 'number') {
    return /share|rate|ratio/i.test(key) && value <= 1 ? format.percent(value) : format.number(value);
  }
  return format.value(value);
}

/** A titled panel: the object's scalars as cards, its lists as tables, its objects as sub-panels. */
function section(title, object) {
  const cards = [];
  const rest = [];
  for (const [key, value] of Object.entries(object)) {
    if (Array.isArray(value)) {
      const table = el('table', { className: 'data', dataset: { list: key } });
      const columns = [...new Set(value.flatMap((row) => (row && typeof row === 'object' ? Object.keys(row) : ['value'])))]
        .map((column) => ({ key: column, label: label(column), format: (v) => (v !== null && typeof v === 'object' ? JSON.stringify(v) : scalar(v, column)) }));
      const rows = value.map((row) => (row && typeof row === 'object' ? row : { value: row }));
      dataTable(table, columns, rows, { empty: 'None.' });
      rest.push(el('div', {}, el('h3', { text: label(key) }), table));
    } else if (value !== null && typeof value === 'object') {
      rest.push(section(label(key), value));
    } else {
      cards.push(el('div', { className: 'card', dataset: { metric: key } },
        el('div', { className: 'label', text: label(key) }), el('div', { className: 'value', text: scalar(value, key) })));
    }
  }
  const empty = cards.length === 0 && rest.length === 0 ? el('p', { className: 'note', text: 'None.' }) : null;
  return el('section', { className: 'panel' }, el('h2', { text: title }),
    cards.length ? el('div', { className: 'cards' }, cards) : null, rest, empty);
}
