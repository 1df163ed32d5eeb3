// The one acquireVsCodeApi() call of the setup wizard, typed with its protocol. No setState anywhere: VS Code
// persists webview state to disk, and this page holds secret values while the user types them.
import type { SetupRequest } from '../../../src/webview/setupProtocol';

declare function acquireVsCodeApi(): { postMessage(message: unknown): void };

const api = acquireVsCodeApi();

export function send(request: SetupRequest): void {
  api.postMessage(request);
}
