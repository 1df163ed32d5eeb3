// The demo project's surroundings for the deploy preflight: enabled APIs, the Docker repository its
// images live in, and the secrets its services reference (fake values).
import { newRepository } from './artifactRegistryBackend';
import { seededSecret } from './secretManagerBackend';
import { API_TITLES } from './serviceUsageBackend';
import type { EmulatorData } from './stateStore';
import { timestampFromMs } from './timestamps';

export const DEMO_ENABLED_APIS = [
  'run.googleapis.com', 'artifactregistry.googleapis.com', 'secretmanager.googleapis.com', 'logging.googleapis.com',
  'iam.googleapis.com', 'cloudbuild.googleapis.com', 'monitoring.googleapis.com', 'serviceusage.googleapis.com',
];

export const DEMO_REPOSITORY = 'mentor';

export function seedDemoPlatform(data: EmulatorData, project: string, location: string, now: number): void {
  data.apiStates[project] = Object.fromEntries(Object.keys(API_TITLES).map((api) => [api, DEMO_ENABLED_APIS.includes(api)]));
  const at = timestampFromMs(now - 30 * 24 * 3_600_000);
  const repo = newRepository(project, location, DEMO_REPOSITORY, { format: 'DOCKER', description: 'Mentor container images' }, at);
  data.repositories[repo.name!] = repo;
  const secrets: Record<string, string[]> = {
    'gemini-api-key': ['AIzaSy-fake-gemini-key-for-the-emulator'],
    'razorpay-key-id': ['rzp_test_fakeKeyId123'],
    // payments-api pins version 3 of this one.
    'razorpay-key-secret': ['fake-razorpay-secret-v1', 'fake-razorpay-secret-v2', 'fake-razorpay-secret-v3'],
    'firebase-credentials': [JSON.stringify({ type: 'service_account', project_id: project, private_key_id: 'fake', client_email: `firebase-adminsdk@${project}.iam.gserviceaccount.com` })],
  };
  for (const [id, values] of Object.entries(secrets)) data.secrets[`projects/${project}/secrets/${id}`] = seededSecret(project, id, values, at);
}
