// The demo project's surroundings for the deploy preflight and the setup wizard: enabled APIs, the Docker
// repository its images live in, the secrets its services reference (fake values) with the grants their
// runtime identities need, the Resource Manager projects around it and their billing.
import { newRepository } from './artifactRegistryBackend';
import { newBillingAccount } from './billingBackend';
import { projectNumber } from './cloudRunRules';
import { DEFAULT_CALLER, defaultComputeAccount, newPolicyEtag } from './iamAccess';
import { newProjectRecord } from './resourceManagerBackend';
import { seededSecret } from './secretManagerBackend';
import { newServiceAccount } from './serviceAccountsHandler';
import { API_TITLES, DEFAULT_NEW_PROJECT_APIS } from './serviceUsageBackend';
import type { EmulatorData } from './stateStore';
import { timestampFromMs } from './timestamps';

export const DEMO_ENABLED_APIS = [
  'run.googleapis.com', 'artifactregistry.googleapis.com', 'secretmanager.googleapis.com', 'logging.googleapis.com',
  'iam.googleapis.com', 'cloudbuild.googleapis.com', 'monitoring.googleapis.com', 'serviceusage.googleapis.com',
];

export const DEMO_REPOSITORY = 'mentor';
/** A second project of the demo developer, with no billing account and only Google's default APIs. */
export const SANDBOX_PROJECT = 'mentor-sandbox';
/** Linked to the "Startup credits" account, which can take no further project (its quota is 1). */
export const LEGACY_PROJECT = 'mentor-legacy';
export const DEMO_BILLING = {
  main: 'billingAccounts/01A2B3-C4D5E6-F7A8B9',
  closed: 'billingAccounts/0C1D2E-3F4A5B-6C7D8E',
  full: 'billingAccounts/015B3A-9F2C4D-7E8A1B',
} as const;
/** The runtime identity of mentor-ai-backend (template.serviceAccount). */
export const DEMO_RUNTIME_ACCOUNT = 'mentor-runtime';

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
  seedDemoProjects(data, project, at);
}

/**
 * The Resource Manager's view: the demo developer owns three projects. The compute default account is an
 * Editor of the demo project (Google's default grant), which covers payments-api's secrets; mentor-ai-backend
 * runs as its own account, granted the Secret Accessor role on each secret it reads.
 */
function seedDemoProjects(data: EmulatorData, project: string, at: { seconds: string; nanos?: number }): void {
  const demo = newProjectRecord(project, 'Mentor Demo', DEFAULT_CALLER, at);
  demo.iamPolicy.bindings!.push({ role: 'roles/editor', members: [`serviceAccount:${defaultComputeAccount(projectNumber(project))}`] });
  data.projects[project] = demo;
  for (const [id, name] of [[SANDBOX_PROJECT, 'Mentor Sandbox'], [LEGACY_PROJECT, 'Mentor Legacy']]) {
    data.projects[id] = newProjectRecord(id, name, DEFAULT_CALLER, at);
    data.apiStates[id] = Object.fromEntries(Object.keys(API_TITLES).map((api) => [api, DEFAULT_NEW_PROJECT_APIS.includes(api)]));
  }
  for (const record of [
    newBillingAccount(DEMO_BILLING.main.split('/')[1], 'My Billing Account', true, 5),
    newBillingAccount(DEMO_BILLING.closed.split('/')[1], 'Old card (closed)', false),
    newBillingAccount(DEMO_BILLING.full.split('/')[1], 'Startup credits', true, 1),
  ]) data.billingAccounts[record.account.name] = record;
  data.projectBilling[project] = DEMO_BILLING.main;
  data.projectBilling[LEGACY_PROJECT] = DEMO_BILLING.full;
  const runtime = newServiceAccount(project, DEMO_RUNTIME_ACCOUNT, 'Mentor runtime', 'Identity of mentor-ai-backend');
  data.serviceAccounts[runtime.account.email] = runtime;
  for (const id of ['gemini-api-key', 'razorpay-key-id', 'razorpay-key-secret', 'firebase-credentials']) {
    data.secrets[`projects/${project}/secrets/${id}`].iamPolicy = {
      version: 1, etag: newPolicyEtag(),
      bindings: [{ role: 'roles/secretmanager.secretAccessor', members: [`serviceAccount:${runtime.account.email}`] }],
    };
  }
}

/** "projects:N": N projects of the caller (scale-project-00001 …), for paging through SearchProjects. */
export function seedManyProjects(data: EmulatorData, count: number, now: number): void {
  const at = timestampFromMs(now);
  for (let i = 1; i <= count; i++) {
    const n = String(i).padStart(5, '0');
    const record = newProjectRecord(`scale-project-${n}`, `Scale Project ${n}`, DEFAULT_CALLER, at, { batch: String(Math.ceil(i / 100)) });
    data.projects[record.project.projectId] = record;
  }
}
