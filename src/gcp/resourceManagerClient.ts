// Resource Manager v3 Projects, loaded on first use by the setup wizard (`await import('./resourceManagerClient')`);
// the deep import keeps the other Resource Manager APIs (folders, tags, …) out of the bundle.
export { ProjectsClient } from '@google-cloud/resource-manager/build/src/v3/projects_client';
