// CloudLoggingApi over the official generated Logging v2 client. The deep import keeps the bundle to
// this one client (the package index loads the whole high-level library); TailLogEntries is used
// directly because the high-level tailEntries() sends `bufferwindow` and so never sets the window.
import { LoggingServiceV2Client } from '@google-cloud/logging-api/build/src/v2/logging_service_v2_client';
import type { protos } from '@google-cloud/logging-api';
import type { CallOptions } from 'google-gax';
import type { CloudLogEntry } from '../core/logEntries';
import { MentorTarget } from '../core/settings';
import { buildClientOptions, callOptionsFor } from './clientOptions';
import { CloudLoggingApi, ListEntriesRequest, Suppression, TailRequest } from './cloudLogging';
import { RawLogEntry, toCloudLogEntry } from './cloudLoggingMapping';
import { toUserFacingError } from './errorMapping';

type TailResponse = protos.google.logging.v2.ITailLogEntriesResponse;
const MAX_PAGE_SIZE = 1000;

export class GoogleCloudLogging implements CloudLoggingApi {
  private readonly callOptions: CallOptions;

  private constructor(
    readonly target: MentorTarget,
    readonly endpoint: string | undefined,
    private readonly client: LoggingServiceV2Client,
  ) {
    this.callOptions = callOptionsFor(endpoint);
  }

  static async connect(target: MentorTarget): Promise<GoogleCloudLogging> {
    const { options, endpoint } = await buildClientOptions(target);
    return new GoogleCloudLogging(target, endpoint, new LoggingServiceV2Client(options));
  }

  private get resourceNames(): string[] {
    return [`projects/${this.target.project}`];
  }

  async listEntries(request: ListEntriesRequest): Promise<CloudLogEntry[]> {
    const limit = request.maxEntries ?? request.pageSize;
    const entries: CloudLogEntry[] = [];
    let pageToken: string | undefined;
    try {
      do {
        const pageSize = Math.min(MAX_PAGE_SIZE, request.pageSize, limit - entries.length);
        const [page, , response] = await this.client.listLogEntries(
          { resourceNames: this.resourceNames, filter: request.filter, orderBy: request.orderBy, pageSize, pageToken },
          this.callOptions);
        for (const raw of page) entries.push(toCloudLogEntry(raw as RawLogEntry));
        pageToken = response?.nextPageToken || undefined;
      } while (pageToken && entries.length < limit);
    } catch (error) {
      throw toUserFacingError(error, { action: 'read Cloud Run logs', endpoint: this.endpoint, project: this.target.project });
    }
    return entries.slice(0, limit);
  }

  tail(request: TailRequest, onEntries: (entries: CloudLogEntry[]) => void,
    onSuppression: (suppression: Suppression) => void, signal: AbortSignal): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      if (signal.aborted) return resolve();
      const stream = this.client.tailLogEntries();
      let settled = false;
      const finish = (error?: unknown) => {
        if (settled) return;
        settled = true;
        signal.removeEventListener('abort', abort);
        if (error && !signal.aborted) reject(error);
        else resolve();
      };
      const abort = () => {
        finish();
        stream.cancel();
      };
      signal.addEventListener('abort', abort, { once: true });
      stream.on('data', (response: TailResponse) => {
        if (settled) return;
        if (response.entries?.length) onEntries(response.entries.map((raw) => toCloudLogEntry(raw as RawLogEntry)));
        for (const info of response.suppressionInfo ?? []) {
          onSuppression({ reason: String(info.reason ?? 'REASON_UNSPECIFIED'), count: Number(info.suppressedCount ?? 0) });
        }
      });
      stream.on('error', (error: Error) => finish(error));
      stream.on('end', () => finish());
      const windowMs = Math.max(0, Math.min(60_000, Math.round(request.bufferWindowMs)));
      // The first request configures the session; the write side stays open, or Google ends the session.
      stream.write({
        resourceNames: request.resourceNames ?? this.resourceNames,
        filter: request.filter,
        bufferWindow: { seconds: Math.floor(windowMs / 1000), nanos: (windowMs % 1000) * 1e6 },
      });
    });
  }

  async close(): Promise<void> {
    await this.client.close().catch(() => undefined);
  }
}
