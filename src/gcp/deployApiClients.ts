// The Service Usage, Artifact Registry and Secret Manager v1 clients for the setup wizard, loaded on first use.
// The preflight imports the same generated modules, so the bundle holds each once.
export { ServiceUsageClient } from '@google-cloud/service-usage/build/src/v1/service_usage_client';
export { ArtifactRegistryClient } from '@google-cloud/artifact-registry/build/src/v1/artifact_registry_client';
export { SecretManagerServiceClient } from '@google-cloud/secret-manager/build/src/v1/secret_manager_service_client';
