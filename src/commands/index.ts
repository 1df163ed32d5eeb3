// Every command Mentor registers: its id, and its implementation, loaded on first use so that
// activation parses none of them (registerCommand.ts checks that the loaded command has this id).
import { LazyCommand } from './context';

export const allCommands: readonly LazyCommand[] = [
  { id: 'mentor.allowFilesInImage', load: async () => (await import('./allowFilesInImage')).allowFilesInImage },
  { id: 'mentor.buildContainer', load: async () => (await import('./buildContainer')).buildContainer },
  { id: 'mentor.clearCloudDiagnostics', load: async () => (await import('./clearCloudDiagnostics')).clearCloudDiagnostics },
  { id: 'mentor.copyServiceUrl', load: async () => (await import('./copyServiceUrl')).copyServiceUrl },
  { id: 'mentor.createDockerfile', load: async () => (await import('./createDockerfile')).createDockerfile },
  { id: 'mentor.deploy', load: async () => (await import('./deploy')).deploy },
  { id: 'mentor.fixStartCommand', load: async () => (await import('./fixStartCommand')).fixStartCommand },
  { id: 'mentor.ignoreFilesInImage', load: async () => (await import('./ignoreFilesInImage')).ignoreFilesInImage },
  { id: 'mentor.stopLocalContainer', load: async () => (await import('./localContainer')).stopLocalContainer },
  { id: 'mentor.showLocalLogs', load: async () => (await import('./localContainer')).showLocalLogs },
  { id: 'mentor.openLocalContainer', load: async () => (await import('./localContainer')).openLocalContainer },
  { id: 'mentor.localContainerActions', load: async () => (await import('./localContainer')).localContainerActions },
  { id: 'mentor.openServiceUrl', load: async () => (await import('./openServiceUrl')).openServiceUrl },
  { id: 'mentor.openSettings', load: async () => (await import('./openSettings')).openSettings },
  { id: 'mentor.refresh', load: async () => (await import('./refreshExplorer')).refreshExplorer },
  { id: 'mentor.refreshService', load: async () => (await import('./refreshService')).refreshService },
  { id: 'mentor.routeAllTraffic', load: async () => (await import('./routeAllTraffic')).routeAllTraffic },
  { id: 'mentor.runErrorAction', load: async () => (await import('./runErrorActionCommand')).runErrorActionCommand },
  { id: 'mentor.runLocally', load: async () => (await import('./runLocally')).runLocally },
  { id: 'mentor.setTailFilter', load: async () => (await import('./setTailFilter')).setTailFilter },
  { id: 'mentor.showCloudLogEntries', load: async () => (await import('./showCloudLogEntries')).showCloudLogEntries },
  { id: 'mentor.showLog', load: async () => (await import('./showLog')).showLog },
  { id: 'mentor.showServiceDetails', load: async () => (await import('./showServiceDetails')).showServiceDetails },
  { id: 'mentor.stopTail', load: async () => (await import('./stopTail')).stopTail },
  { id: 'mentor.tailActions', load: async () => (await import('./tailActions')).tailActions },
  { id: 'mentor.tailLogs', load: async () => (await import('./tailLogs')).tailLogs },
  { id: 'mentor.trustApiEndpoint', load: async () => (await import('./trustApiEndpoint')).trustApiEndpoint },
  { id: 'mentor.undoTrafficChange', load: async () => (await import('./undoTrafficChange')).undoTrafficChange },
];
