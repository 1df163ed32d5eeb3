import { buildContainer } from './buildContainer';
import { clearCloudDiagnostics } from './clearCloudDiagnostics';
import { MentorCommand } from './context';
import { createDockerfile } from './createDockerfile';
import { deploy } from './deploy';
import { localContainerActions, openLocalContainer, showLocalLogs, stopLocalContainer } from './localContainer';
import { runLocally } from './runLocally';
import { copyServiceUrl } from './copyServiceUrl';
import { openServiceUrl } from './openServiceUrl';
import { openSettings } from './openSettings';
import { refreshExplorer } from './refreshExplorer';
import { refreshService } from './refreshService';
import { routeAllTraffic } from './routeAllTraffic';
import { runErrorActionCommand } from './runErrorActionCommand';
import { setTailFilter } from './setTailFilter';
import { showCloudLogEntries } from './showCloudLogEntries';
import { showLog } from './showLog';
import { showServiceDetails } from './showServiceDetails';
import { stopTail } from './stopTail';
import { tailActions } from './tailActions';
import { tailLogs } from './tailLogs';
import { undoTrafficChange } from './undoTrafficChange';

export const allCommands = [
  refreshExplorer, openSettings, showLog, runErrorActionCommand,
  refreshService, openServiceUrl, copyServiceUrl, showServiceDetails,
  routeAllTraffic, undoTrafficChange,
  deploy, createDockerfile, buildContainer, runLocally, stopLocalContainer, showLocalLogs, openLocalContainer, localContainerActions,
  tailLogs, stopTail, setTailFilter, tailActions, clearCloudDiagnostics, showCloudLogEntries,
] as unknown as readonly MentorCommand<never[]>[];
