// Charts with ECharts (served from its WebJar at /assets/echarts.js). Tooltips use ECharts'
// "richText" mode: drawn on the canvas, never as HTML, so event data in a label or tooltip
// (a page path, an event name) cannot become markup.

import * as echarts from './echarts.js';

const TOOLTIP = { renderMode: 'richText', confine: true };
const charts = new Map();

window.addEventListener('resize', () => charts.forEach((chart) => chart.resize()));

/** The chart in a container, made once and reused on every refresh. */
function chartIn(container) {
  let chart = charts.get(container);
  if (!chart) {
    chart = echarts.init(container, null, { renderer: 'canvas' });
    charts.set(container, chart);
  }
  return chart;
}

/** Lines over time: categories on the x axis, one line per series ({name, data}). */
export function lineChart(container, categories, series) {
  chartIn(container).setOption({
    tooltip: { ...TOOLTIP, trigger: 'axis' },
    legend: { top: 0 },
    grid: { left: 48, right: 16, top: 32, bottom: 32 },
    xAxis: { type: 'category', data: categories },
    yAxis: { type: 'value', minInterval: 1 },
    series: series.map((s) => ({ type: 'line', showSymbol: categories.length < 40, ...s })),
  }, true);
}

/** Horizontal or vertical bars: one bar per label, one or more series ({name, data}). */
export function barChart(container, labels, series, { horizontal = false } = {}) {
  const category = { type: 'category', data: labels, axisLabel: { width: 160, overflow: 'truncate' } };
  const value = { type: 'value' };
  chartIn(container).setOption({
    tooltip: { ...TOOLTIP, trigger: 'axis', axisPointer: { type: 'shadow' } },
    legend: series.length > 1 ? { top: 0 } : undefined,
    grid: { left: horizontal ? 170 : 48, right: 24, top: 32, bottom: 32 },
    xAxis: horizontal ? value : category,
    yAxis: horizontal ? { ...category, inverse: true } : value,
    series: series.map((s) => ({ type: 'bar', label: { show: true, position: horizontal ? 'right' : 'top' }, ...s })),
  }, true);
}

/**
 * A Sankey diagram: nodes [{name, shownAs?}] and links [{source, target, value}] by node name.
 * shownAs is the label drawn (a node's name must be unique, a label need not be).
 */
export function sankeyChart(container, nodes, links) {
  chartIn(container).setOption({
    tooltip: { ...TOOLTIP, trigger: 'item' },
    series: [{
      type: 'sankey', data: nodes, links, nodeAlign: 'left', emphasis: { focus: 'adjacency' },
      label: { overflow: 'truncate', width: 140, formatter: (p) => p.data.shownAs ?? p.name }, lineStyle: { color: 'gradient', curveness: 0.5 },
    }],
  }, true);
}

/** Empties a chart (no data). */
export function clearChart(container) {
  chartIn(container).clear();
}
