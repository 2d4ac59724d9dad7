// Live: events as the warehouse stores them, over Server-Sent Events. The browser's EventSource
// reconnects by itself and sends the id of the last event it got (Last-Event-ID), so the server
// sends what was missed. Visitors in the last 5 minutes and their current pages come from
// /api/stats/live, refreshed every few seconds.

import { getJson } from './api.js';
import { format } from './dom.js';
import { renderNav } from './layout.js';
import { dataTable } from './tables.js';

const MAX_ROWS = 100;
const REFRESH_MS = 5000;

renderNav();
const eventsTable = document.getElementById('events');
const status = document.getElementById('stream-status');
const showBots = document.getElementById('show-bots');
const rows = []; // newest first, at most MAX_ROWS

const COLUMNS = [
  { key: 'time', label: 'Time', format: format.time },
  { key: 'type', label: 'Type' },
  { key: 'event', label: 'Event' },
  { key: 'page', label: 'Page' },
  { key: 'visitorId', label: 'Visitor', format: (v) => (v ? String(v).slice(0, 12) : '–') },
  { key: 'country', label: 'Country' },
  { key: 'device', label: 'Device' },
  { key: 'channel', label: 'Channel' },
];

function renderEvents() {
  const visible = rows.filter((row) => showBots.checked || !row.bot);
  dataTable(eventsTable, COLUMNS, visible, { empty: 'Waiting for events…' });
  // A bot's row is marked, so that with "Show bots" on it can be told apart.
  eventsTable.querySelectorAll('tbody tr').forEach((tr, i) => {
    if (visible[i]?.bot) tr.classList.add('bot');
  });
}

function connect() {
  // backlog=50: a fresh page starts with the 50 latest events instead of an empty list.
  const source = new EventSource('/api/live/stream?backlog=50');
  source.addEventListener('open', () => { status.textContent = 'connected'; });
  source.addEventListener('error', () => {
    // EventSource retries on its own; a closed stream whose retry fails (signed out) needs a page load.
    status.textContent = source.readyState === EventSource.CLOSED ? 'closed — reload the page' : 'reconnecting…';
  });
  source.addEventListener('message', (message) => {
    rows.unshift(JSON.parse(message.data));
    rows.length = Math.min(rows.length, MAX_ROWS);
    renderEvents();
  });
}

async function refreshVisitors() {
  const visitors = document.getElementById('live-visitors');
  const pages = document.getElementById('current-pages');
  try {
    const live = await getJson('/api/stats/live');
    visitors.textContent = format.number(live.visitors);
    document.getElementById('live-note').textContent = '';
    dataTable(pages, [{ key: 'page', label: 'Page' }, { key: 'visitors', label: 'Visitors', numeric: true, format: format.number }],
      live.pages, { empty: 'Nobody right now.' });
  } catch (error) {
    visitors.textContent = '–';
    document.getElementById('live-note').textContent = 'Could not load: ' + error.message;
  }
}

showBots.addEventListener('change', renderEvents);
renderEvents();
connect();
refreshVisitors();
setInterval(refreshVisitors, REFRESH_MS);
