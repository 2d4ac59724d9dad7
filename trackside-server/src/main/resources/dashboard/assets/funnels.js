// Funnels: steps (a page path or an event name, with optional property conditions), a window
// (same session or N days) and an optional breakdown; the answer as bars and a table. Funnels can
// be saved, loaded and deleted.

import { getJson, sendJson } from './api.js';
import { el, fill, format, message } from './dom.js';
import { renderNav, Scope } from './layout.js';
import { barChart, clearChart } from './charts.js';
import { dataTable, showError } from './tables.js';

renderNav();
const scope = new Scope(document.getElementById('scope'));
const form = document.getElementById('funnel-form');

// The funnel being edited: what the API takes (docs/DASHBOARD.md, POST /api/stats/funnel).
let funnel = {
  steps: [{ page: '/' }, { event: 'Product Added' }, { event: 'Order Completed' }],
  window: 'session',
  breakdown: '',
};

renderForm();
loadSaved();
scope.onChange(run);

function renderForm() {
  const stepRows = funnel.steps.map((step, i) => stepEditor(step, i));
  const windowSelect = el('select', { attrs: { id: 'funnel-window', 'aria-label': 'Window' },
    on: { change: (e) => { funnel.window = e.target.value; } } },
  [['session', 'Within one session'], ['1d', 'Within 1 day'], ['7d', 'Within 7 days'], ['30d', 'Within 30 days']]
    .map(([value, text]) => el('option', { text, attrs: { value, ...(funnel.window === value ? { selected: '' } : {}) } })));
  const breakdownSelect = el('select', { attrs: { id: 'funnel-breakdown-by', 'aria-label': 'Breakdown' },
    on: { change: (e) => { funnel.breakdown = e.target.value; } } },
  [['', 'No breakdown'], ['channel', 'By channel'], ['utm_campaign', 'By campaign'], ['device', 'By device']]
    .map(([value, text]) => el('option', { text, attrs: { value, ...(funnel.breakdown === value ? { selected: '' } : {}) } })));
  const name = el('input', { attrs: { id: 'funnel-name', placeholder: 'Name to save as', maxlength: '100' } });
  fill(form,
    el('ol', { className: 'steps' }, stepRows),
    el('div', { className: 'inline' },
      el('button', { text: '+ Step', attrs: { type: 'button', id: 'add-step' }, on: { click: () => { funnel.steps.push({ page: '' }); renderForm(); } } }),
      windowSelect, breakdownSelect),
    el('div', { className: 'inline' },
      el('button', { text: 'Show funnel', className: 'primary', attrs: { type: 'submit', id: 'run-funnel' } }),
      name,
      el('button', { text: 'Save', attrs: { type: 'button', id: 'save-funnel' }, on: { click: () => save(name.value) } })));
}

/** One step: page/event, its value, its property conditions, and a remove button. */
function stepEditor(step, index) {
  const kind = step.event !== undefined ? 'event' : 'page';
  const kindSelect = el('select', { attrs: { 'aria-label': 'Step kind' }, on: { change: (e) => {
    const value = step[kind];
    delete step.page; delete step.event;
    step[e.target.value] = value;
    renderForm();
  } } }, ['page', 'event'].map((k) => el('option', { text: k === 'page' ? 'Page path' : 'Event', attrs: { value: k, ...(k === kind ? { selected: '' } : {}) } })));
  const value = el('input', { className: 'step-value', attrs: { value: step[kind] || '', required: '', placeholder: kind === 'page' ? '/pricing' : 'Signed Up' },
    on: { input: (e) => { step[kind] = e.target.value; } } });
  const conditions = (step.where || []).map((condition, c) => el('div', { className: 'inline where' },
    el('span', { text: 'where' }),
    el('input', { attrs: { value: condition.property, placeholder: 'property', 'aria-label': 'Property' }, on: { input: (e) => { condition.property = e.target.value; } } }),
    el('select', { attrs: { 'aria-label': 'Operator' }, on: { change: (e) => { condition.op = e.target.value; } } },
      [['eq', '='], ['neq', '≠'], ['contains', 'contains'], ['gt', '>'], ['lt', '<']].map(([op, text]) =>
        el('option', { text, attrs: { value: op, ...(condition.op === op ? { selected: '' } : {}) } }))),
    el('input', { attrs: { value: condition.value ?? '', placeholder: 'value', 'aria-label': 'Value' }, on: { input: (e) => { condition.value = e.target.value; } } }),
    el('button', { className: 'link', text: '×', attrs: { type: 'button' }, on: { click: () => { step.where.splice(c, 1); renderForm(); } } })));
  return el('li', {},
    el('div', { className: 'inline' }, kindSelect, value,
      el('button', { className: 'link', text: '+ where', attrs: { type: 'button' }, on: { click: () => { (step.where ||= []).push({ property: '', op: 'eq', value: '' }); renderForm(); } } }),
      funnel.steps.length > 2 ? el('button', { className: 'link', text: 'remove', attrs: { type: 'button' }, on: { click: () => { funnel.steps.splice(index, 1); renderForm(); } } }) : null),
    conditions);
}

form.addEventListener('submit', (event) => {
  event.preventDefault();
  run();
});

/** The body POST /api/stats/funnel takes: empty conditions left out, no breakdown when none. */
function request() {
  const steps = funnel.steps.map((step) => {
    const out = step.event !== undefined ? { event: step.event } : { page: step.page };
    const where = (step.where || []).filter((c) => c.property);
    if (where.length) out.where = where;
    return out;
  });
  return { steps, window: funnel.window, ...(funnel.breakdown ? { breakdown: funnel.breakdown } : {}) };
}

async function run() {
  const chart = document.getElementById('funnel-chart');
  const table = document.getElementById('funnel-table');
  const breakdown = document.getElementById('funnel-breakdown');
  try {
    const answer = await sendJson('POST', '/api/stats/funnel', request(), scope.apiParams());
    barChart(chart, answer.steps.map((s) => s.label), [{ name: 'People', data: answer.steps.map((s) => s.count) }]);
    dataTable(table, STEP_COLUMNS, answer.steps);
    fill(breakdown, (answer.breakdown || []).map((group) => {
      const t = el('table', { className: 'data' });
      dataTable(t, STEP_COLUMNS, group.steps);
      return el('div', {}, el('h3', { text: format.value(group.value) }), t);
    }));
    if (!answer.breakdown?.length) fill(breakdown, message('Choose a breakdown to compare channels, campaigns or devices.'));
  } catch (error) {
    error.path = 'POST /api/stats/funnel';
    clearChart(chart);
    showError(table, error);
    fill(breakdown);
  }
}

const STEP_COLUMNS = [
  { key: 'label', label: 'Step' },
  { key: 'count', label: 'Count', numeric: true, format: format.number },
  { key: 'conversionFromPrevious', label: 'From previous', numeric: true, format: format.percent },
  { key: 'conversionFromStart', label: 'From start', numeric: true, format: format.percent },
  { key: 'dropOff', label: 'Drop-off', numeric: true, format: format.number },
  { key: 'medianSecondsFromPrevious', label: 'Median time', numeric: true, format: format.duration },
];

async function loadSaved() {
  const list = document.getElementById('saved');
  try {
    const answer = await getJson('/api/funnels');
    const funnels = answer.funnels;
    fill(list, funnels.length ? funnels.map((saved) => el('li', {},
      el('button', { className: 'link', text: saved.name, on: { click: () => {
        funnel = { steps: saved.steps, window: saved.window || 'session', breakdown: saved.breakdown === 'none' ? '' : (saved.breakdown || '') };
        renderForm();
        run();
      } } }),
      el('button', { className: 'link danger', text: 'delete', title: 'Delete this funnel', on: { click: () => remove(saved.id) } })))
      : [message('No saved funnels yet.')]);
  } catch (error) {
    error.path = '/api/funnels';
    showError(list, error);
  }
}

async function save(name) {
  if (!name.trim()) {
    document.getElementById('funnel-name').focus();
    return;
  }
  try {
    const { steps, window, breakdown } = request();
    await sendJson('POST', '/api/funnels', { name: name.trim(), steps, window, breakdown: breakdown || 'none' });
    loadSaved();
  } catch (error) {
    showError(document.getElementById('saved'), error);
  }
}

async function remove(id) {
  try {
    await sendJson('DELETE', '/api/funnels/' + encodeURIComponent(id));
    loadSaved();
  } catch (error) {
    showError(document.getElementById('saved'), error);
  }
}

run();
