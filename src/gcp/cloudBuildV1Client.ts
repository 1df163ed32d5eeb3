// Cloud Build v1 (triggers, builds), loaded on first use; the deep import leaves the v2 client out.
export { CloudBuildClient } from '@google-cloud/cloudbuild/build/src/v1/cloud_build_client';
