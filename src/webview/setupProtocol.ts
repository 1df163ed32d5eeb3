// Typed messages between the setup wizard's host (setupPanel.ts) and its webview (webview-ui/src/setup).
// Shared by both sides, so no vscode import. A secret value crosses exactly once, in `saveSecret`, from the
// webview to the host, which hands it to Secret Manager; no message from the host ever carries one.
import type { StepId } from '../setup/setupContext';
import type { StepState } from '../setup/setupRunner';

export type { StepState };

export interface StepView {
  id: StepId;
  title: string;
  state: StepState;
  summary: string;
  willCreate?: string;
  fix?: string;
  gcloud: string;
  /** The latest progress note while the step works. */
  note?: string;
}

export interface AnswersView {
  project?: string;
  /** Set when `project` is one the setup is to create. */
  newProject?: { projectId: string; displayName: string };
  region: string;
  service: string;
  repository: string;
  serviceAccountId: string;
  billingAccount?: string;
  /** Env var → "secret-id:version". */
  secrets: Record<string, string>;
  notSecrets: string[];
}

export interface EnvVarView {
  name: string;
  foundIn: string[];
}

export interface ProjectView {
  projectId: string;
  displayName: string;
}

/** Host → webview. */
export type SetupMessage =
  | { type: 'init'; answers: AnswersView; steps: StepView[]; envVars: EnvVarView[]; emulator?: string; folder: string }
  | { type: 'step'; step: StepView }
  | { type: 'answers'; answers: AnswersView }
  /** The answer to the searchProjects request `requestId` (searches run beside the steps, so answers may overtake each other). */
  | { type: 'projects'; requestId: number; query: string; projects: ProjectView[]; nextPageToken?: string; append: boolean }
  | { type: 'billingAccounts'; accounts: { name: string; displayName: string; open: boolean }[] }
  | { type: 'busy'; busy: boolean }
  | { type: 'secretResult'; name: string; ok: boolean; message: string }
  | { type: 'finished'; settingsFile: string; written: string[] }
  | { type: 'error'; message: string };

/** Webview → host. */
export type SetupRequest =
  | { type: 'ready' }
  | { type: 'check' }
  | { type: 'run' }
  | { type: 'searchProjects'; requestId: number; query: string; pageToken?: string }
  | { type: 'chooseProject'; projectId: string }
  | { type: 'newProject'; projectId: string; displayName: string }
  | { type: 'listBillingAccounts' }
  | { type: 'chooseBilling'; account: string }
  | { type: 'setAnswers'; region: string; service: string; repository: string; serviceAccountId: string }
  | { type: 'saveSecret'; name: string; secretId: string; value: string }
  | { type: 'saveSecretFromFile'; name: string; secretId: string }
  | { type: 'notSecret'; name: string }
  | { type: 'copy'; text: string }
  | { type: 'finish' }
  | { type: 'deployNow' }
  /** Runs "Mentor: Set Up Continuous Deployment" (its own diff, dialogs and progress) once the settings are written. */
  | { type: 'setUpContinuousDeployment' };

const str = (v: unknown, max = 1024): boolean => typeof v === 'string' && v.length <= max;

/** Messages come from a webview: check their shape before acting on them. */
export function isSetupRequest(value: unknown): value is SetupRequest {
  if (!value || typeof value !== 'object') return false;
  const m = value as Record<string, unknown>;
  switch (m.type) {
    case 'ready': case 'check': case 'run': case 'listBillingAccounts': case 'finish': case 'deployNow': case 'setUpContinuousDeployment':
      return true;
    case 'searchProjects':
      return Number.isSafeInteger(m.requestId) && str(m.query, 200) && (m.pageToken === undefined || str(m.pageToken, 4096));
    case 'chooseProject':
      return str(m.projectId, 100);
    case 'newProject':
      return str(m.projectId, 100) && str(m.displayName, 100);
    case 'chooseBilling':
      return str(m.account, 200);
    case 'setAnswers':
      return str(m.region, 100) && str(m.service, 100) && str(m.repository, 100) && str(m.serviceAccountId, 100);
    case 'saveSecret':
      // Secret Manager takes payloads up to 64 KiB.
      return str(m.name, 255) && str(m.secretId, 255) && str(m.value, 65536);
    case 'saveSecretFromFile':
      return str(m.name, 255) && str(m.secretId, 255);
    case 'notSecret':
      return str(m.name, 255);
    case 'copy':
      return str(m.text, 8192);
    default:
      return false;
  }
}

/** Project IDs: 6–30 characters, a lowercase letter first, lowercase letters, digits and hyphens, no trailing hyphen. */
export const PROJECT_ID = /^[a-z][a-z0-9-]{4,28}[a-z0-9]$/;

/** Project display names: 4–30 letters, digits, quotes, hyphens, spaces or exclamation marks. */
export const PROJECT_DISPLAY_NAME = /^[\p{L}\p{N}'" !-]{4,30}$/u;
