// The Cloud Run connection for the current settings (see TargetConnection: checked, lazy, reconnecting).
import { MentorTarget } from '../core/settings';
import { CloudRunApi, connectCloudRun } from './cloudRun';
import { TargetConnection } from './targetConnection';

export class CloudRunConnection extends TargetConnection<CloudRunApi> {
  constructor(readTarget: () => MentorTarget, connect: (target: MentorTarget) => Promise<CloudRunApi> = connectCloudRun, closeReplacedAfterMs?: number) {
    super(readTarget, connect, closeReplacedAfterMs);
  }
}
