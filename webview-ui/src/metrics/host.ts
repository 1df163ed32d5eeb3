// The one acquireVsCodeApi() call of the metrics panel, typed with its protocol. No setState: the
// extension re-sends the view after every ready.
import type { MetricsRequest } from '../../../src/webview/metricsProtocol';

declare function acquireVsCodeApi(): { postMessage(message: unknown): void };

const api = acquireVsCodeApi();

export function send(request: MetricsRequest): void {
  api.postMessage(request);
}
