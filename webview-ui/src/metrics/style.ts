// The panel's look in VS Code's theme colours (a style element: the CSP allows styles, never inline scripts).
export const METRICS_STYLE = `
  body { font-family: var(--vscode-font-family); color: var(--vscode-foreground); padding: 0 16px 24px; }
  .header { display: flex; align-items: baseline; gap: 12px; flex-wrap: wrap; }
  .muted { color: var(--vscode-descriptionForeground); }
  .as-of { font-variant-numeric: tabular-nums; color: var(--vscode-descriptionForeground); }
  .status { display: flex; align-items: center; gap: 6px; }
  .toolbar { display: flex; align-items: center; gap: 16px; flex-wrap: wrap; margin: 8px 0 12px; }
  .toolbar label { display: flex; align-items: center; gap: 6px; }
  .error { color: var(--vscode-errorForeground); border-left: 3px solid var(--vscode-errorForeground); padding: 4px 12px; margin: 8px 0; }
  .empty { border-left: 3px solid var(--vscode-charts-blue); padding: 4px 12px; }
  .charts { display: grid; gap: 16px 24px; margin-top: 16px; }
  .chart { min-width: 0; overflow: hidden; }
  .chart h3 { font-size: 13px; margin: 4px 0; }
  .chart .latest { display: flex; gap: 12px; font-size: 12px; font-variant-numeric: tabular-nums; }
  .uplot, .u-legend { font-family: var(--vscode-font-family); color: var(--vscode-foreground); font-size: 11px; }
  vscode-table-cell[data-metric="requests"], vscode-table-cell[data-metric="errors"], vscode-table-cell[data-metric="errorRatio"],
  vscode-table-cell[data-metric="p95"] { font-variant-numeric: tabular-nums; }
  .canary { border: 1px solid var(--vscode-panel-border); border-radius: 4px; padding: 8px 12px; margin: 12px 0; max-width: 760px; }
  .canary .sides { display: flex; gap: 24px; flex-wrap: wrap; }
  .canary .side { flex: 1; min-width: 220px; }
  .canary .side.candidate { border-left: 3px solid var(--vscode-charts-orange); padding-left: 8px; }
  .canary .side.serving { border-left: 3px solid var(--vscode-charts-green); padding-left: 8px; }
  .canary .big { font-size: 20px; font-variant-numeric: tabular-nums; }
  .actions { display: flex; gap: 8px; margin-top: 8px; }
`;
