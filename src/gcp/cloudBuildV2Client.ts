// Cloud Build v2 (connections, repositories), loaded on first use; the deep import leaves the v1 client out.
export { RepositoryManagerClient } from '@google-cloud/cloudbuild/build/src/v2/repository_manager_client';
