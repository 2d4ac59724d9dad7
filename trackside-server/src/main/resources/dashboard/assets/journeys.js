// Journeys: the paths people take from (or to) a page or an event, as a Sankey diagram, and the
// most common next (or previous) steps.

import { getJson } from './api.js';
import { el, fill, format } from './dom.js';
import { renderNav, Scope } from './layout.js';
import { clearChart, sankeyChart } from './charts.js';
import { dataTable, showError } from './tables.js';

renderNav();
const scope = new Scope(document.getElementById('scope'));
const form = document.getElementById('journey-form');

const kind = el('select', { attrs: { id: 'journey-kind', 'aria-label': 'Start at' } },
  el('option', { text: 'Page', attrs: { value: 'page' } }), el('option', { text: 'Event', attrs: { value: 'event' } }));
const start = el('input', { attrs: { id: 'journey-start', value: '/', required: '', 'aria-label': 'Page path or event name' } });
const direction = el('select', { attrs: { id: 'journey-direction', 'aria-label': 'Direction' } },
  el('option', { text: 'what comes next', attrs: { value: 'next' } }),
  el('option', { text: 'what came before', attrs: { value: 'previous' } }));
const depth = el('input', { attrs: { id: 'journey-depth', type: 'number', min: '1', max: '5', value: '3', 'aria-label': 'Steps' } });
fill(form, el('span', { text: 'From' }), kind, start, direction, el('span', { text: 'steps:' }), depth,
  el('button', { className: 'primary', text: 'Show', attrs: { type: 'submit' } }));
form.addEventListener('submit', (event) => {
  event.preventDefault();
  load();
});
scope.onChange(load);
load();

async function load() {
  const chart = document.getElementById('sankey');
  const top = document.getElementById('top-steps');
  try {
    const params = scope.apiParams();
    params.set('start', kind.value + ':' + start.value);
    params.set('direction', direction.value);
    params.set('depth', depth.value || '3');
    const journeys = await getJson('/api/stats/journeys', params);
    document.getElementById('journey-title').textContent = 'Paths ' + (journeys.direction === 'previous' ? 'to ' : 'from ') + journeys.start;
    // Node ids ("1:/cart") keep the same page at different steps apart; the label is what is shown.
    sankeyChart(chart,
      journeys.nodes.map((n) => ({ name: n.id, shownAs: n.label, value: n.sessions })),
      journeys.links.map((l) => ({ source: l.source, target: l.target, value: l.sessions })));
    dataTable(top, [
      { key: 'label', label: journeys.direction === 'previous' ? 'Previous step' : 'Next step' },
      { key: 'sessions', label: 'Sessions', numeric: true, format: format.number },
      { key: 'share', label: 'Share', numeric: true, format: format.percent },
    ], journeys.top);
  } catch (error) {
    error.path = '/api/stats/journeys';
    clearChart(chart);
    showError(top, error);
  }
}
