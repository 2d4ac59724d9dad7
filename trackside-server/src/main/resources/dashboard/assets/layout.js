// What every page shares: the navigation bar, and the scope of its numbers (date range, bots,
// filters). The scope lives in the address bar (?period=7d&bots=include&filter.country=DE), so
// a reload or a shared link shows the same numbers.

import { el, fill, NONE } from './dom.js';
import { signOut } from './api.js';

const PAGES = [
  ['/', 'Overview'], ['/live', 'Live'], ['/funnels', 'Funnels'], ['/ecommerce', 'E-commerce'],
  ['/journeys', 'Journeys'], ['/attribution', 'Attribution'], ['/quality', 'Data quality'],
];

/** Fills <header id="nav">: a link per page (the current one marked) and a sign-out button. */
export function renderNav() {
  const here = window.location.pathname;
  const links = PAGES.map(([path, label]) => el('a', {
    text: label, className: path === here ? 'active' : '',
    attrs: { href: path + scopeQueryFor(path), ...(path === here ? { 'aria-current': 'page' } : {}) },
  }));
  fill(document.getElementById('nav'),
    el('span', { className: 'brand', text: 'Trackside' }),
    el('nav', {}, links),
    el('button', { className: 'link', text: 'Sign out', on: { click: signOut } }));
}

/** Keeps the scope when moving between pages (not to Live, which has none). */
function scopeQueryFor(path) {
  return path === '/live' ? '' : window.location.search;
}

const PERIODS = [['today', 'Today'], ['yesterday', 'Yesterday'], ['7d', 'Last 7 days'], ['30d', 'Last 30 days'],
  ['90d', 'Last 90 days'], ['custom', 'Custom…']];

/** Filter dimensions a click on a table row can add, with their labels. */
export const DIMENSIONS = {
  page: 'Page', entry_page: 'Entry page', exit_page: 'Exit page', event: 'Event', channel: 'Channel',
  referrer: 'Referrer', utm_source: 'UTM source', utm_medium: 'UTM medium', utm_campaign: 'UTM campaign',
  country: 'Country', region: 'Region', city: 'City', device: 'Device', browser: 'Browser', os: 'OS',
  source: 'Source',
};

/**
 * The date range, bots switch and filters of a page, as controls in <div id="scope">.
 * onChange(listener) is called whenever the operator changes any of them.
 */
export class Scope {
  constructor(container) {
    this.container = container;
    this.listeners = [];
    this.params = new URLSearchParams(window.location.search);
    this.render();
  }

  /** The query parameters of every /api/stats/ call: period or from/to, bots, filter.*. */
  apiParams() {
    const out = new URLSearchParams();
    for (const [key, value] of this.params) {
      if (key === 'period' || key === 'from' || key === 'to' || key === 'bots' || key.startsWith('filter.')) {
        out.append(key, value);
      }
    }
    return out;
  }

  onChange(listener) {
    this.listeners.push(listener);
  }

  /** Adds a filter (a click on a table row): the whole page then shows only matching sessions. */
  addFilter(dimension, value) {
    this.params.set('filter.' + dimension, value);
    this.changed();
  }

  removeFilter(dimension) {
    this.params.delete('filter.' + dimension);
    this.changed();
  }

  setPeriod(period) {
    this.params.delete('from');
    this.params.delete('to');
    if (period === '30d') this.params.delete('period'); else this.params.set('period', period);
    this.changed();
  }

  setDays(from, to) {
    if (!from || !to) return;
    this.params.delete('period');
    this.params.set('from', from);
    this.params.set('to', to);
    this.changed();
  }

  setBots(include) {
    if (include) this.params.set('bots', 'include'); else this.params.delete('bots');
    this.changed();
  }

  changed() {
    const query = this.params.toString();
    window.history.replaceState(null, '', window.location.pathname + (query ? '?' + query : ''));
    renderNav();
    this.render();
    this.listeners.forEach((listener) => listener());
  }

  render(showCustomDays = false) {
    const custom = this.params.has('from');
    const period = custom ? 'custom' : (this.params.get('period') || '30d');
    const select = el('select', { attrs: { id: 'period', 'aria-label': 'Date range' }, on: {
      change: (e) => (e.target.value === 'custom' ? this.render(true) : this.setPeriod(e.target.value)),
    } }, PERIODS.map(([value, label]) => el('option', { text: label, attrs: { value, ...(value === period ? { selected: '' } : {}) } })));
    const controls = [select];
    if (custom || showCustomDays) {
      select.value = 'custom';
      const from = el('input', { attrs: { type: 'date', id: 'from', value: this.params.get('from') || '' } });
      const to = el('input', { attrs: { type: 'date', id: 'to', value: this.params.get('to') || '' } });
      controls.push(from, el('span', { text: '–' }), to,
        el('button', { text: 'Apply', attrs: { type: 'button', id: 'apply-days' }, on: { click: () => this.setDays(from.value, to.value) } }));
    }
    const bots = el('input', { attrs: { type: 'checkbox', id: 'bots', ...(this.params.get('bots') === 'include' ? { checked: '' } : {}) },
      on: { change: (e) => this.setBots(e.target.checked) } });
    controls.push(el('label', { className: 'switch' }, bots, el('span', { text: 'Include bots' })));
    const chips = [];
    for (const [key, value] of this.params) {
      if (!key.startsWith('filter.')) continue;
      const dimension = key.slice('filter.'.length);
      chips.push(el('span', { className: 'chip', dataset: { filter: dimension } },
        el('span', { text: (DIMENSIONS[dimension] || dimension) + ': ' + (value || NONE) }),
        el('button', { className: 'link', text: '×', title: 'Remove this filter', attrs: { type: 'button' },
          on: { click: () => this.removeFilter(dimension) } })));
    }
    fill(this.container, el('div', { className: 'scope' }, controls, chips));
  }
}
