// Typed messages between the service details panel and its webview. Shared by both sides, so no
// vscode import here. Dates travel as ISO strings.

export interface TrafficShareView {
  revision: string;
  percent: number;
  latest: boolean;
  tag?: string;
  tagUrl?: string;
}

export interface RevisionView {
  id: string;
  state: 'ready' | 'failed' | 'deploying' | 'unknown';
  stateMessage?: string;
  created?: string;
  createdAgo?: string;
  image?: string;
  trafficLabel: string;
  serving: boolean;
}

export interface ServiceView {
  id: string;
  project: string;
  region: string;
  url?: string;
  state: RevisionView['state'];
  stateMessage?: string;
  traffic: TrafficShareView[];
}

/** Extension → webview. */
export type PanelMessage =
  | { type: 'show'; service: ServiceView; revisions: RevisionView[] }
  | { type: 'busy'; note: string | undefined }
  | { type: 'error'; message: string };

/** Webview → extension. */
export type PanelRequest =
  | { type: 'ready' }
  | { type: 'refresh' }
  | { type: 'openUrl'; url: string }
  | { type: 'routeAllTraffic'; revision: string };

export function isPanelRequest(value: unknown): value is PanelRequest {
  if (!value || typeof value !== 'object') return false;
  const message = value as { type?: unknown; revision?: unknown; url?: unknown };
  switch (message.type) {
    case 'ready':
    case 'refresh':
      return true;
    case 'openUrl':
      return typeof message.url === 'string' && /^https?:\/\//.test(message.url);
    case 'routeAllTraffic':
      return typeof message.revision === 'string';
    default:
      return false;
  }
}
