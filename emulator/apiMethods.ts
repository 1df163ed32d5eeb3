// The Google API methods the emulator implements, by full gRPC name, and the one way to call them: count the
// call, apply injected faults/latency, refuse it with SERVICE_DISABLED while its API is off, then run the
// backend. Both transports (gRPC in grpcServices.ts, REST/JSON in transcoder.ts) call through here, so a
// test sees the same counts, faults and errors whichever transport the client uses.
import type { grpc } from 'google-gax';
import type { CloudRunBackend } from './cloudRunBackend';
import { normalizeMethod, type FaultInjector } from './faults';
import type { LoggingBackend } from './loggingBackend';
import { monitoringRegistrations, type MonitoringService } from './monitoringService';
import type { OperationStore } from './operations';
import { LOGGING_API, RUN_API, platformRegistrations, type PlatformBackends, type Registration, type UnaryImpl } from './platformGrpc';
import { projectOfRequest } from './projects';
import type { LoadedProtos } from './protos';
import type { Duration } from './apiTypes';

export interface ApiMethodDeps {
  protos: LoadedProtos;
  cloudRun: CloudRunBackend;
  logging: LoggingBackend;
  operations: OperationStore;
  faults: FaultInjector;
  /** Service Usage (which also gates the other APIs), Secret Manager, Artifact Registry. */
  platform: PlatformBackends;
  /** Cloud Monitoring's MetricService; optional so a test can build the transports without it. */
  monitoring?: MonitoringService;
}

interface BoundMethod {
  impl: UnaryImpl;
  api?: string;
}

const WAIT_OPERATION_MAX_MS = 60_000;

/** "google.cloud.run.v2.Services/GetService" for a method of a loaded service definition. */
export function fullMethodName(definition: grpc.ServiceDefinition, method: string): string {
  return normalizeMethod(definition[method].path);
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

export class ApiMethods {
  /** Every Google service the emulator serves, with the unary methods it implements. */
  readonly registrations: Registration[];
  private readonly byName = new Map<string, BoundMethod>();

  constructor(private readonly deps: ApiMethodDeps) {
    this.registrations = [
      ...coreRegistrations(deps), ...platformRegistrations(deps.protos, deps.platform),
      ...(deps.monitoring ? monitoringRegistrations(deps.protos, deps.monitoring) : []),
    ];
    for (const r of this.registrations) {
      for (const [method, impl] of Object.entries(r.impls)) this.byName.set(fullMethodName(r.definition, method), { impl, api: r.api });
    }
  }

  implements(name: string): boolean {
    return this.byName.has(name);
  }

  /** Calls a unary method as a client would; rejects with ApiError (or anything a backend throws). */
  call(name: string, request: unknown): Promise<unknown> {
    const bound = this.byName.get(name);
    if (!bound) return Promise.reject(new Error(`${name} is not implemented by the emulator`));
    return this.guarded(name, () => {
      if (bound.api) this.deps.platform.serviceUsage.check(projectOfRequest(request), bound.api);
      return bound.impl(request as never);
    });
  }

  /** Counts the call and applies its injected fault or latency before `fn` runs (also for streams). */
  async guarded(name: string, fn: () => unknown): Promise<unknown> {
    const { error, delayMs } = this.deps.faults.onCall(name);
    if (delayMs) await sleep(delayMs);
    if (error) throw error;
    return await fn();
  }
}

/** Cloud Run Admin v2, long-running Operations and Logging (its unary methods; the tail is gRPC's own). */
function coreRegistrations({ protos, cloudRun, logging, operations }: ApiMethodDeps): Registration[] {
  return [
    {
      definition: protos.services,
      api: RUN_API,
      impls: {
        CreateService: (req: never) => cloudRun.createService(req),
        GetService: (req: never) => cloudRun.getService(req),
        ListServices: (req: never) => cloudRun.listServices(req),
        UpdateService: (req: never) => cloudRun.updateService(req),
        DeleteService: (req: never) => cloudRun.deleteService(req),
        GetIamPolicy: (req: never) => cloudRun.getIamPolicy(req),
        SetIamPolicy: (req: never) => cloudRun.setIamPolicy(req),
        TestIamPermissions: (req: never) => cloudRun.testIamPermissions(req),
      },
    },
    {
      definition: protos.revisions,
      api: RUN_API,
      impls: {
        GetRevision: (req: never) => cloudRun.getRevision(req),
        ListRevisions: (req: never) => cloudRun.listRevisions(req),
        DeleteRevision: (req: never) => cloudRun.deleteRevision(req),
      },
    },
    {
      definition: protos.operations,
      impls: {
        GetOperation: (req: { name?: string }) => operations.get(req.name ?? ''),
        ListOperations: (req: { name?: string; pageSize?: number; pageToken?: string }) => {
          const page = operations.list(req.name ?? '', req);
          return { operations: page.items, nextPageToken: page.nextPageToken };
        },
        DeleteOperation: (req: { name?: string }) => {
          operations.delete(req.name ?? '');
          return {};
        },
        WaitOperation: (req: { name?: string; timeout?: Duration }) => {
          const ms = req.timeout ? Number(req.timeout.seconds ?? 0) * 1000 + Math.floor((req.timeout.nanos ?? 0) / 1e6) : 0;
          return operations.wait(req.name ?? '', Math.min(ms || WAIT_OPERATION_MAX_MS, WAIT_OPERATION_MAX_MS));
        },
      },
    },
    {
      definition: protos.logging,
      api: LOGGING_API,
      impls: {
        WriteLogEntries: (req: never) => logging.write(req),
        ListLogEntries: (req: never) => logging.list(req),
        ListLogs: (req: never) => logging.listLogs(req),
      },
    },
  ];
}
