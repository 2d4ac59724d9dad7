// Tables of API rows. Cells are text (see dom.js). A breakdown table's rows are buttons that add
// a filter to the whole page.

import { el, fill, format, message, NONE } from './dom.js';

/**
 * Fills a <table>: columns are [{key, label, format?, numeric?}], rows plain objects.
 * onPick(row), when given, makes each row clickable (and reachable by keyboard).
 */
export function dataTable(table, columns, rows, { onPick, empty = 'No data in this range.' } = {}) {
  const head = el('thead', {}, el('tr', {}, columns.map((c) => el('th', { text: c.label, className: c.numeric ? 'num' : '' }))));
  const body = el('tbody');
  for (const row of rows) {
    const cells = columns.map((c) => {
      const raw = row[c.key];
      const text = c.format ? c.format(raw, row) : format.value(raw);
      return el('td', { text, className: c.numeric ? 'num' : '', dataset: { key: c.key } });
    });
    const tr = el('tr', {}, cells);
    if (onPick) {
      tr.classList.add('pick');
      tr.tabIndex = 0;
      tr.title = 'Show only these';
      tr.addEventListener('click', () => onPick(row));
      tr.addEventListener('keydown', (e) => { if (e.key === 'Enter') onPick(row); });
    }
    body.append(tr);
  }
  fill(table, head, body);
  if (rows.length === 0) {
    body.append(el('tr', {}, el('td', { text: empty, className: 'note', attrs: { colspan: String(columns.length) } })));
  }
}

/** Columns of a /api/stats/breakdown answer. */
export const BREAKDOWN_COLUMNS = [
  { key: 'value', label: 'Value', format: (v) => (v === null || v === undefined ? NONE : String(v)) },
  { key: 'visitors', label: 'Visitors', numeric: true, format: format.number },
  { key: 'sessions', label: 'Sessions', numeric: true, format: format.number },
  { key: 'pageviews', label: 'Views', numeric: true, format: format.number },
  { key: 'conversionRate', label: 'Conv.', numeric: true, format: format.percent },
];

/** A card with a heading and a table, or a note when the data cannot be had. */
export function panel(title, id) {
  const table = el('table', { className: 'data', attrs: { id } });
  const note = el('div');
  return { node: el('section', { className: 'panel', dataset: { breakdown: id } }, el('h2', { text: title }), note, table), table, note };
}

export function showError(container, error) {
  fill(container, message('Could not load: ' + error.message, 'error'));
}
