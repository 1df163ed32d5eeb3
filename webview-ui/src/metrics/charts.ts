// The panel's time-series charts with uPlot (canvas, no inline script, its CSS shipped as dist/metrics.css).
// Canvas cannot read CSS variables, so the theme's chart colours are resolved once per draw.
import uPlot from 'uplot';
import type { Chart } from '../../../src/core/metricSeries';
import { h } from '../dom';

const PALETTE = ['--vscode-charts-blue', '--vscode-charts-green', '--vscode-charts-orange', '--vscode-charts-red', '--vscode-charts-purple', '--vscode-charts-yellow'];
/** Lines whose label says what they are keep one colour everywhere (5xx is always red). */
const BY_LABEL: Record<string, string> = { '2xx': '--vscode-charts-green', '3xx': '--vscode-charts-blue', '4xx': '--vscode-charts-yellow',
  '5xx': '--vscode-charts-red', p50: '--vscode-charts-blue', p95: '--vscode-charts-orange', p99: '--vscode-charts-red',
  active: '--vscode-charts-green', idle: '--vscode-charts-blue' };

function color(variable: string, fallback: string): string {
  return getComputedStyle(document.body).getPropertyValue(variable).trim() || fallback;
}

const plots: uPlot[] = [];

/** Destroys the previous charts (their canvases and resize observers) before drawing new ones. */
export function clearCharts(): void {
  for (const plot of plots.splice(0)) plot.destroy();
}

function latest(values: readonly (number | null)[]): number | null {
  for (let i = values.length - 1; i >= 0; i--) if (values[i] !== null) return values[i];
  return null;
}

const format = (v: number | null, unit: string) => (v === null ? '—' : `${Math.round(v * 100) / 100} ${unit}`);

export function chartSection(chart: Chart, width: number): HTMLElement {
  const body = h('div', { className: 'plot' });
  const hasData = chart.lines.some((l) => l.values.some((v) => v !== null && v !== 0));
  const section = h('section', { className: 'chart', 'data-chart': chart.id },
    h('h3', {}, chart.title, h('span', { className: 'muted' }, ` (${chart.unit})`)),
    h('div', { className: 'latest' }, ...chart.lines.map((l) =>
      h('span', { className: 'line-latest', 'data-line': l.label }, `${l.label}: ${format(latest(l.values), chart.unit)}`))),
    hasData ? body : h('p', { className: 'muted no-data' }, 'No data in this range.'));
  if (!hasData) return section;
  const fg = color('--vscode-descriptionForeground', '#888');
  const grid = color('--vscode-editorWidget-border', '#8884');
  const axis = { stroke: fg, grid: { stroke: grid, width: 1 }, ticks: { stroke: grid, width: 1 } };
  const options: uPlot.Options = {
    width, height: 180,
    legend: { show: true },
    cursor: { drag: { x: false, y: false } },
    scales: { x: { time: true } },
    axes: [axis, { ...axis, size: 56 }],
    series: [{}, ...chart.lines.map((line, i) => ({
      label: line.label,
      stroke: color(BY_LABEL[line.label] ?? PALETTE[i % PALETTE.length], '#3794ff'),
      width: 1.5,
      spanGaps: false,
      // A value with gaps on both sides (a 5xx ratio in the one minute that had requests) is no line: show it as a dot.
      points: { show: line.values.some((v, j) => v !== null && line.values[j - 1] == null && line.values[j + 1] == null), size: 5 },
      value: (_: uPlot, v: number | null) => format(v, chart.unit),
    }))],
  };
  const data = [chart.times, ...chart.lines.map((l) => l.values)] as uPlot.AlignedData;
  plots.push(new uPlot(options, data, body));
  return section;
}
