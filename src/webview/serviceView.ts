// Model → the plain data the details webview shows (pure, unit-tested).
import { relativeTime } from '../core/format';
import { RevisionSummary, ServiceSummary } from '../core/model';
import { isServing, revisionTrafficLabel } from '../core/traffic';
import { RevisionView, ServiceView } from './protocol';

export function toServiceView(service: ServiceSummary): ServiceView {
  return {
    id: service.id,
    project: service.project,
    region: service.region,
    url: service.uri,
    state: service.state,
    stateMessage: service.stateMessage,
    traffic: service.trafficStatuses
      .filter((s) => s.percent > 0 || s.tag)
      .map((s) => ({ revision: s.revision ?? 'latest', percent: s.percent, latest: s.kind === 'latest', tag: s.tag, tagUrl: s.uri })),
  };
}

export function toRevisionViews(service: ServiceSummary, revisions: readonly RevisionSummary[], now = new Date()): RevisionView[] {
  return revisions.map((revision) => ({
    id: revision.id,
    state: revision.state,
    stateMessage: revision.stateMessage,
    created: revision.createTime?.toISOString(),
    createdAgo: revision.createTime ? relativeTime(revision.createTime, now) : undefined,
    image: revision.image,
    trafficLabel: revisionTrafficLabel(revision.id, service.trafficStatuses),
    serving: isServing(revision.id, service.trafficStatuses),
  }));
}
