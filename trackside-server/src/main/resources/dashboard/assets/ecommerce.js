// E-commerce: revenue, orders, order value and conversion; carts abandoned (no order within N
// hours); how each product does from view to purchase; searches, those with no click first.

import { getJson } from './api.js';
import { el, fill, format } from './dom.js';
import { renderNav, Scope } from './layout.js';
import { dataTable, showError } from './tables.js';

renderNav();
const scope = new Scope(document.getElementById('scope'));
const hours = document.getElementById('abandon-hours');
document.getElementById('abandon-form').addEventListener('submit', (event) => {
  event.preventDefault();
  load();
});
scope.onChange(load);
load();

function card(key, label, text) {
  return el('div', { className: 'card', dataset: { metric: key } },
    el('div', { className: 'label', text: label }), el('div', { className: 'value', text }));
}

async function load() {
  const metrics = document.getElementById('metrics');
  try {
    const params = scope.apiParams();
    params.set('abandonHours', hours.value || '24');
    const shop = await getJson('/api/stats/ecommerce', params);
    const money = (v) => format.money(v, shop.currency);
    fill(metrics,
      card('revenue', 'Revenue', money(shop.revenue)),
      card('orders', 'Orders', format.number(shop.orders)),
      card('averageOrderValue', 'Average order value', money(shop.averageOrderValue)),
      card('conversionRate', 'Conversion rate', format.percent(shop.conversionRate)));
    fill(document.getElementById('carts'),
      card('carts', 'Carts', format.number(shop.carts.carts)),
      card('abandoned', 'Abandoned', format.number(shop.carts.abandoned)),
      card('abandonRate', 'Abandonment rate', format.percent(shop.carts.rate)),
      card('abandonedValue', 'Value left in carts', money(shop.carts.abandonedValue)));
    dataTable(document.getElementById('products'), [
      { key: 'product', label: 'Product' }, { key: 'name', label: 'Name' },
      { key: 'views', label: 'Views', numeric: true, format: format.number },
      { key: 'addsToCart', label: 'Added to cart', numeric: true, format: format.number },
      { key: 'purchases', label: 'Purchased', numeric: true, format: format.number },
      { key: 'revenue', label: 'Revenue', numeric: true, format: money },
    ], shop.products);
    dataTable(document.getElementById('searches'), [
      { key: 'query', label: 'Search' },
      { key: 'searches', label: 'Searches', numeric: true, format: format.number },
      { key: 'withClick', label: 'Followed by a click', numeric: true, format: format.number },
    ], shop.searches, { empty: 'No searches in this range.' });
  } catch (error) {
    error.path = '/api/stats/ecommerce';
    showError(metrics, error);
  }
}
