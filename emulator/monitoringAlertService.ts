// Cloud Monitoring's alerting, assembled: AlertPolicyService and NotificationChannelService (gRPC, and REST
// through the generic transcoder), the alert evaluator with its REST-only alerts list, and the outbox of
// "mail". server.ts builds one `Alerting` and exposes it to tests as `RunningEmulator.alerting`.
import type { LoadedProtos } from './protos';
import type { Registration } from './platformGrpc';
import { AlertPolicies } from './monitoringAlertPolicies';
import { AlertEvaluator, type AlertEvaluatorOptions } from './monitoringAlerts';
import { NotificationChannels } from './monitoringChannels';
import { MonitoringOutbox } from './monitoringChannelsOutbox';
import type { RestHandler } from './restTypes';
import type { StateStore } from './stateStore';

export const MONITORING_API = 'monitoring.googleapis.com';

export interface Alerting {
  policies: AlertPolicies;
  channels: NotificationChannels;
  outbox: MonitoringOutbox;
  evaluator: AlertEvaluator;
  /** The hand-written REST surfaces: /v3/projects/P/alerts[/ID] and /_emulator/outbox. */
  restHandlers: RestHandler[];
}

export function createAlerting(opts: { state: StateStore; user: string } & Omit<AlertEvaluatorOptions, 'state' | 'outbox'>): Alerting {
  const outbox = new MonitoringOutbox();
  const evaluator = new AlertEvaluator({ ...opts, outbox });
  return {
    policies: new AlertPolicies(opts.state, opts.user),
    channels: new NotificationChannels(opts.state, outbox, opts.user),
    outbox,
    evaluator,
    restHandlers: [evaluator.rest, outbox.page],
  };
}

export function alertingRegistrations(protos: LoadedProtos, { policies, channels }: Alerting): Registration[] {
  return [
    {
      definition: protos.alertPolicies,
      api: MONITORING_API,
      impls: {
        ListAlertPolicies: (req: never) => policies.listAlertPolicies(req),
        GetAlertPolicy: (req: never) => policies.getAlertPolicy(req),
        CreateAlertPolicy: (req: never) => policies.createAlertPolicy(req),
        UpdateAlertPolicy: (req: never) => policies.updateAlertPolicy(req),
        DeleteAlertPolicy: (req: never) => policies.deleteAlertPolicy(req),
      },
    },
    {
      definition: protos.notificationChannels,
      api: MONITORING_API,
      impls: {
        ListNotificationChannelDescriptors: (req: never) => channels.listNotificationChannelDescriptors(req),
        GetNotificationChannelDescriptor: (req: never) => channels.getNotificationChannelDescriptor(req),
        ListNotificationChannels: (req: never) => channels.listNotificationChannels(req),
        GetNotificationChannel: (req: never) => channels.getNotificationChannel(req),
        CreateNotificationChannel: (req: never) => channels.createNotificationChannel(req),
        UpdateNotificationChannel: (req: never) => channels.updateNotificationChannel(req),
        DeleteNotificationChannel: (req: never) => channels.deleteNotificationChannel(req),
        SendNotificationChannelVerificationCode: (req: never) => channels.sendNotificationChannelVerificationCode(req),
        GetNotificationChannelVerificationCode: (req: never) => channels.getNotificationChannelVerificationCode(req),
        VerifyNotificationChannel: (req: never) => channels.verifyNotificationChannel(req),
      },
    },
  ];
}
