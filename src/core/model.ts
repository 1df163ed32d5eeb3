// The extension's own view of Cloud Run resources: small, normalised, independent of the Google client
// types (which mix enum strings and numbers and use Long/Timestamp objects). src/gcp maps into these.

export type ResourceState = 'ready' | 'failed' | 'deploying' | 'unknown';

export interface TrafficTarget {
  /** 'latest' floats with the latest ready revision; 'revision' pins one revision. */
  kind: 'latest' | 'revision';
  /** Short revision name (e.g. api-00002-abc); for 'latest' in a status, the revision it resolved to. */
  revision?: string;
  percent: number;
  tag?: string;
  /** Only on observed statuses: the tag URL. */
  uri?: string;
}

export interface ServiceSummary {
  /** Full resource name projects/P/locations/L/services/S. */
  name: string;
  id: string;
  project: string;
  region: string;
  uri?: string;
  state: ResourceState;
  stateMessage?: string;
  /** Desired traffic (what an update sends back). */
  traffic: TrafficTarget[];
  /** Observed traffic with resolved revisions. */
  trafficStatuses: TrafficTarget[];
  latestReadyRevision?: string;
  latestCreatedRevision?: string;
  updateTime?: Date;
  etag?: string;
}

export interface RevisionSummary {
  name: string;
  id: string;
  service: string;
  createTime?: Date;
  image?: string;
  imageDigest?: string;
  state: ResourceState;
  stateMessage?: string;
}
