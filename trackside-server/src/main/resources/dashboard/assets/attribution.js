// Attribution: conversions and revenue credited to channels or campaigns under one of four models
// (first touch, last touch, linear, position-based), over a look-back window.

import { getJson } from './api.js';
import { el, fill, format } from './dom.js';
import { renderNav, Scope } from './layout.js';
import { barChart, clearChart } from './charts.js';
import { dataTable, showError } from './tables.js';

const MODELS = [['first_touch', 'First touch'], ['last_touch', 'Last touch'], ['linear', 'Linear'],
  ['position_based', 'Position-based']];

renderNav();
const scope = new Scope(document.getElementById('scope'));
const form = document.getElementById('attribution-form');
let model = 'last_touch';

const by = el('select', { attrs: { id: 'attribution-by', 'aria-label': 'Credit' }, on: { change: load } },
  el('option', { text: 'by channel', attrs: { value: 'channel' } }), el('option', { text: 'by campaign', attrs: { value: 'campaign' } }));
const lookback = el('input', { attrs: { id: 'lookback', type: 'number', min: '1', max: '365', value: '30', 'aria-label': 'Look-back days' }, on: { change: load } });
const modelButtons = MODELS.map(([value, text]) => el('button', {
  text, className: 'toggle', attrs: { type: 'button', 'data-model': value },
  on: { click: () => { model = value; load(); } },
}));
fill(form, el('div', { className: 'toggles', attrs: { role: 'group', 'aria-label': 'Model' } }, modelButtons), by,
  el('label', {}, 'look back ', lookback, ' days'));
form.addEventListener('submit', (event) => event.preventDefault());
scope.onChange(load);
load();

async function load() {
  modelButtons.forEach((b) => b.classList.toggle('active', b.dataset.model === model));
  document.getElementById('by-label').textContent = by.value;
  const chart = document.getElementById('attribution-chart');
  const table = document.getElementById('attribution-table');
  try {
    const params = scope.apiParams();
    params.set('model', model);
    params.set('by', by.value);
    params.set('lookbackDays', lookback.value || '30');
    const answer = await getJson('/api/stats/attribution', params);
    barChart(chart, answer.rows.map((r) => format.value(r.value)), [{ name: 'Revenue', data: answer.rows.map((r) => r.revenue) }],
      { horizontal: true });
    const rows = [...answer.rows, { value: 'Total', conversions: answer.total.conversions, revenue: answer.total.revenue, total: true }];
    dataTable(table, [
      { key: 'value', label: by.value === 'campaign' ? 'Campaign' : 'Channel', format: (v, row) => (row.total ? 'Total' : format.value(v)) },
      { key: 'conversions', label: 'Conversions', numeric: true, format: format.number },
      { key: 'revenue', label: 'Revenue', numeric: true, format: (v) => format.money(v, answer.currency) },
    ], rows);
  } catch (error) {
    error.path = '/api/stats/attribution';
    clearChart(chart);
    showError(table, error);
  }
}
