import { MentorCommand } from './context';
import { copyServiceUrl } from './copyServiceUrl';
import { openServiceUrl } from './openServiceUrl';
import { openSettings } from './openSettings';
import { refreshExplorer } from './refreshExplorer';
import { refreshService } from './refreshService';
import { routeAllTraffic } from './routeAllTraffic';
import { runErrorActionCommand } from './runErrorActionCommand';
import { showLog } from './showLog';
import { showServiceDetails } from './showServiceDetails';
import { undoTrafficChange } from './undoTrafficChange';

export const allCommands = [
  refreshExplorer, openSettings, showLog, runErrorActionCommand,
  refreshService, openServiceUrl, copyServiceUrl, showServiceDetails,
  routeAllTraffic, undoTrafficChange,
] as unknown as readonly MentorCommand<never[]>[];
