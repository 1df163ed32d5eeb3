// The one acquireVsCodeApi() call (VS Code allows it once per webview), typed with our protocol.
import type { PanelRequest } from '../../src/webview/protocol';

declare function acquireVsCodeApi(): { postMessage(message: unknown): void };

const api = acquireVsCodeApi();

export function send(request: PanelRequest): void {
  api.postMessage(request);
}
