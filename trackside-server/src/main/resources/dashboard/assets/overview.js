// Overview: key figures with their change against the previous period, visitors over time,
// and the top values of each dimension. A click on a table row filters the whole page.

import { getJson } from './api.js';
import { el, fill, format } from './dom.js';
import { renderNav, Scope } from './layout.js';
import { lineChart } from './charts.js';
import { BREAKDOWN_COLUMNS, dataTable, panel, showError } from './tables.js';

const METRICS = [
  ['visitors', 'Visitors', format.number], ['sessions', 'Sessions', format.number],
  ['pageviews', 'Page views', format.number], ['bounceRate', 'Bounce rate', format.percent],
  ['visitDuration', 'Visit duration', format.duration], ['conversionRate', 'Conversion rate', format.percent],
  ['revenue', 'Revenue', null], ['orders', 'Orders', format.number],
];

/** Figures where a rise is bad news: their change is coloured the other way round. */
const LOWER_IS_BETTER = new Set(['bounceRate']);

const BREAKDOWNS = [
  ['page', 'Top pages'], ['entry_page', 'Entry pages'], ['exit_page', 'Exit pages'], ['channel', 'Channels'],
  ['referrer', 'Referrers'], ['utm_campaign', 'UTM campaigns'], ['country', 'Countries'],
  ['device', 'Devices'], ['browser', 'Browsers'], ['os', 'Operating systems'],
];

renderNav();
const scope = new Scope(document.getElementById('scope'));
const panels = new Map(BREAKDOWNS.map(([dimension, title]) => [dimension, panel(title, 'breakdown-' + dimension)]));
fill(document.getElementById('breakdowns'), [...panels.values()].map((p) => p.node));
scope.onChange(load);
load();

function load() {
  loadMetrics();
  loadTimeseries();
  for (const [dimension] of BREAKDOWNS) loadBreakdown(dimension);
}

async function loadMetrics() {
  const container = document.getElementById('metrics');
  try {
    const overview = await getJson('/api/stats/overview', scope.apiParams());
    fill(container, METRICS.map(([key, label, show]) => {
      const metric = overview.metrics[key] || {};
      const text = show ? show(metric.value) : format.money(metric.value, overview.currency);
      const change = metric.change;
      const good = change === null || change === undefined || change === 0 ? null
        : (change > 0) !== LOWER_IS_BETTER.has(key);
      return el('div', { className: 'card', dataset: { metric: key } },
        el('div', { className: 'label', text: label }),
        el('div', { className: 'value', text }),
        el('div', { className: 'change ' + (good === null ? '' : good ? 'up' : 'down'),
          text: format.change(change) + ' vs previous', title: 'previous period: ' + (show ? show(metric.previous) : format.money(metric.previous, overview.currency)) }));
    }));
  } catch (error) {
    error.path = '/api/stats/overview';
    showError(container, error);
  }
}

async function loadTimeseries() {
  const container = document.getElementById('timeseries');
  try {
    const params = scope.apiParams();
    params.set('interval', params.get('period') === 'today' || params.get('period') === 'yesterday' ? 'hour' : 'day');
    const series = await getJson('/api/stats/timeseries', params);
    lineChart(container, series.points.map((p) => p.time), [
      { name: 'Visitors', data: series.points.map((p) => p.visitors) },
      { name: 'Page views', data: series.points.map((p) => p.pageviews) },
    ]);
  } catch (error) {
    error.path = '/api/stats/timeseries';
    showError(container, error);
  }
}

async function loadBreakdown(dimension) {
  const { table, note } = panels.get(dimension);
  fill(note);
  try {
    const params = scope.apiParams();
    params.set('limit', '10');
    const answer = await getJson('/api/stats/breakdown/' + dimension, params);
    dataTable(table, BREAKDOWN_COLUMNS, answer.rows, {
      onPick: (row) => (row.value === null ? null : scope.addFilter(dimension, row.value)),
    });
  } catch (error) {
    error.path = '/api/stats/breakdown/' + dimension;
    fill(table);
    showError(note, error);
  }
}
