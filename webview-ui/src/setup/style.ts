// The wizard's look, in VS Code's theme colours (a style element: the CSP allows styles, never inline scripts).
export const WIZARD_STYLE = `
  [hidden] { display: none !important; } /* a folded chooser's parts, whatever display their class gives them */
  body { font-family: var(--vscode-font-family); color: var(--vscode-foreground); padding: 0 16px 24px; max-width: 960px; }
  .header { display: flex; align-items: center; gap: 12px; }
  .muted, .note { color: var(--vscode-descriptionForeground); }
  .busy, .note { display: flex; align-items: center; gap: 6px; }
  .row { display: flex; flex-wrap: wrap; align-items: center; gap: 8px; margin: 6px 0; }
  .field { display: flex; flex-direction: column; gap: 2px; font-size: 12px; }
  .step { border-left: 3px solid var(--vscode-panel-border); padding: 4px 12px; margin: 12px 0; }
  .step.done { border-color: var(--vscode-charts-green); }
  .step.missing, .step.working, .step.checking { border-color: var(--vscode-charts-blue); }
  .step.needsAction { border-color: var(--vscode-charts-yellow); }
  .step.failed { border-color: var(--vscode-errorForeground); }
  .step h3 { margin: 4px 0; font-size: 14px; }
  .step .state { font-size: 11px; font-weight: 600; letter-spacing: 0.04em; color: var(--vscode-descriptionForeground); margin-right: 6px; }
  .fix, .error { color: var(--vscode-errorForeground); }
  .will-create, .ok { color: var(--vscode-charts-green); }
  .gcloud { background: var(--vscode-textCodeBlock-background); padding: 6px 8px; white-space: pre-wrap; user-select: text; }
  .results { display: flex; flex-direction: column; align-items: flex-start; gap: 4px; max-height: 240px; overflow-y: auto; margin: 6px 0; }
  .secret { border-top: 1px solid var(--vscode-panel-border); padding: 6px 0; }
  .outcome.ok { color: var(--vscode-charts-green); }
`;
