// Pure parser for the engine's push progress stream (POST /images/NAME/push), image reference parsing and
// the mapping of registry errors to messages. No I/O, no dockerode.
//
// The engine answers 200 and then streams newline-delimited JSON objects:
//   {"status":"The push refers to repository [127.0.0.1:5000/app]"}
//   {"status":"Preparing","progressDetail":{},"id":"24ec435a0747"}
//   {"status":"Pushing","progressDetail":{"current":19968,"total":1984241},"progress":"[>  ]","id":"24ec435a0747"}
//   {"status":"Pushed","progressDetail":{},"id":"24ec435a0747"}          (or "Layer already exists", "Mounted from x")
//   {"status":"v1: digest: sha256:… size: 735"}
//   {"progressDetail":{},"aux":{"Tag":"v1","Digest":"sha256:…","Size":735}}
// A failed push still answers 200: "unauthorized: authentication required", "denied: …", "no basic auth
// credentials", "Get \"http://…/v2/\": dial tcp …: connect: connection refused" arrive as an error event.

import { UserFacingError, type ErrorAction } from '../core/errors';
import type { PushProgress } from './types';
import { LineSplitter } from './streams';

export interface PushEvent {
  status?: string;
  id?: string;
  progress?: string;
  progressDetail?: { current?: number; total?: number };
  aux?: { Tag?: string; Digest?: string; Size?: number } | unknown;
  error?: string;
  errorDetail?: { code?: number; message?: string };
}

interface LayerState {
  current: number;
  total: number;
  uploaded: boolean;
  pushed: boolean;
  reused: boolean;
}

const DIGEST_LINE_RE = /^(\S+): digest: (sha256:[0-9a-f]{64}) size: (\d+)$/;

export class PushStreamParser {
  /** "sha256:…" of the pushed manifest. */
  digest?: string;
  tag?: string;
  /** The first error event, if any. */
  error?: { message: string; code?: number };
  private readonly layers = new Map<string, LayerState>();
  /** Engine events are JSON lines; an object may arrive split across chunks (even inside a UTF-8 character). */
  private readonly jsonLines = new LineSplitter((line) => {
    const raw = line.trim();
    if (raw) this.pushJsonLine(raw);
  });

  constructor(private readonly onProgress?: (progress: PushProgress) => void) {}

  /** Feeds raw bytes/text from the response; handles JSON objects split across chunks. */
  pushChunk(chunk: string | Buffer): void {
    this.jsonLines.push(chunk);
  }

  /** Call when the response ended: handles a trailing object without newline. */
  end(): void {
    this.jsonLines.flush();
  }

  pushJsonLine(raw: string): void {
    let event: PushEvent;
    try {
      event = JSON.parse(raw) as PushEvent;
    } catch {
      // Not JSON (a proxy's error page, a truncated object): report it as status so it is not lost.
      this.onProgress?.({ status: raw });
      return;
    }
    this.push(event);
  }

  push(event: PushEvent): void {
    if (event.error !== undefined || event.errorDetail !== undefined) {
      const message = (event.errorDetail?.message ?? event.error ?? 'unknown error').trim();
      this.error ??= { message, code: event.errorDetail?.code };
      return;
    }
    const aux = event.aux as { Tag?: unknown; Digest?: unknown } | undefined;
    if (aux && typeof aux === 'object') {
      if (typeof aux.Digest === 'string') this.digest = aux.Digest;
      if (typeof aux.Tag === 'string') this.tag = aux.Tag;
    }
    if (typeof event.status !== 'string') return;
    const status = event.status;
    const digestLine = DIGEST_LINE_RE.exec(status);
    if (digestLine) {
      this.tag ??= digestLine[1];
      this.digest ??= digestLine[2];
    }
    const current = event.progressDetail?.current;
    const total = event.progressDetail?.total;
    if (event.id && !digestLine) this.updateLayer(event.id, status, current, total);
    this.onProgress?.({ layer: event.id, status, current, total });
  }

  /** Layers uploaded by this push. */
  get layersPushed(): number {
    return [...this.layers.values()].filter((l) => l.pushed).length;
  }

  /** Layers the registry already had (or mounted from another repository): nothing was uploaded. */
  get layersReused(): number {
    return [...this.layers.values()].filter((l) => l.reused && !l.pushed).length;
  }

  /**
   * Bytes of the layers that went through "Pushing": per layer the larger of the engine's `total` (the
   * layer's size) and the last `current` it reported (bytes read for upload, tar headers included:
   * a 8-byte file is a 2 KB layer). 0 when the registry already had every layer.
   */
  get pushedBytes(): number {
    let bytes = 0;
    for (const layer of this.layers.values()) {
      if (layer.pushed || layer.uploaded) bytes += Math.max(layer.current, layer.total);
    }
    return bytes;
  }

  private updateLayer(id: string, status: string, current: number | undefined, total: number | undefined): void {
    let layer = this.layers.get(id);
    if (!layer) {
      layer = { current: 0, total: 0, uploaded: false, pushed: false, reused: false };
      this.layers.set(id, layer);
    }
    if (status === 'Pushing') {
      layer.uploaded = true;
      if (typeof current === 'number') layer.current = Math.max(layer.current, current);
      if (typeof total === 'number' && total > 0) layer.total = total;
    } else if (status === 'Pushed') {
      layer.pushed = true;
    } else if (status === 'Layer already exists' || status.startsWith('Mounted from')) {
      layer.reused = true;
    }
  }
}

export interface ImageReference {
  /** "us-central1-docker.pkg.dev", "127.0.0.1:5000", "docker.io" when the reference names none. */
  registry: string;
  /** Everything before the tag, as given: "127.0.0.1:5000/team/app". */
  repository: string;
  /** The tag; "latest" when the reference has none. */
  tag: string;
}

/** Splits REGISTRY/PATH/NAME[:TAG] (a digest reference cannot be pushed). */
export function parseImageReference(reference: string): ImageReference {
  const trimmed = reference.trim();
  if (!trimmed || /\s/.test(trimmed) || trimmed.includes('@')) {
    throw new UserFacingError(`"${reference}" is not an image reference that can be pushed (REGISTRY/PATH/NAME:TAG).`, 'invalidArgument');
  }
  const lastSlash = trimmed.lastIndexOf('/');
  const colon = trimmed.lastIndexOf(':');
  const hasTag = colon > lastSlash;
  const repository = hasTag ? trimmed.slice(0, colon) : trimmed;
  const tag = hasTag ? trimmed.slice(colon + 1) : 'latest';
  if (!repository || !/^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/.test(tag)) {
    throw new UserFacingError(`"${reference}" has no valid tag. A tag is up to 128 letters, digits, "_", "." and "-".`, 'invalidArgument');
  }
  const first = repository.split('/')[0];
  const registry = repository.includes('/') && (/[.:]/.test(first) || first === 'localhost') ? first : 'docker.io';
  return { registry, repository, tag };
}

export interface ArtifactRegistryRepository {
  location: string;
  project: string;
  repository: string;
}

/** LOCATION-docker.pkg.dev/PROJECT/REPOSITORY/IMAGE → its Artifact Registry repository, else undefined. */
export function artifactRegistryRepository(repository: string): ArtifactRegistryRepository | undefined {
  const [host, project, repo, ...image] = repository.split('/');
  const location = /^([a-z0-9-]+)-docker\.pkg\.dev$/.exec(host ?? '')?.[1];
  if (!location || !project || !repo || image.length === 0) return undefined;
  return { location, project, repository: repo };
}

/** Google's registries: Artifact Registry and the gcr.io hosts it now serves. */
export function isGoogleRegistry(host: string): boolean {
  return /(^|[.-])docker\.pkg\.dev$/.test(host) || /(^|\.)gcr\.io$/.test(host);
}

const RETRY: ErrorAction = { kind: 'retry', label: 'Retry' };
const LOGIN_COMMAND = 'gcloud auth application-default login';

/** The registry's error as a person should see it: what happened and what to do. */
export function pushFailure(registryMessage: string, reference: string): UserFacingError {
  const ref = safeParse(reference);
  const host = ref?.registry ?? 'the registry';
  const ar = ref ? artifactRegistryRepository(ref.repository) : undefined;
  const google = isGoogleRegistry(host);
  const detail = registryMessage;
  const m = registryMessage;

  if (/an image does not exist locally|tag does not exist|no such image/i.test(m)) {
    return new UserFacingError(`The image ${reference} does not exist locally. Build (and tag) it first, then push.`, 'notFound', [], detail);
  }
  if (/has not been used in project|API .*is disabled|SERVICE_DISABLED/i.test(m)) {
    const project = ar?.project ?? /project (\S+?)[ .]/i.exec(m)?.[1];
    const url = `https://console.cloud.google.com/apis/library/artifactregistry.googleapis.com${project ? `?project=${project}` : ''}`;
    return new UserFacingError(
      `Cannot push ${reference}: the Artifact Registry API is not enabled${project ? ` in project ${project}` : ''}. Enable it, then retry.`,
      'apiDisabled', [{ kind: 'openUrl', label: 'Enable API', url }, RETRY], detail);
  }
  if (/^unauthorized\b|authentication required|no basic auth credentials|\b401\b/i.test(m)) {
    const none = /no basic auth credentials/i.test(m);
    const what = none ? `${host} asked for credentials and none were sent` : `${host} rejected the credentials`;
    if (google) {
      return new UserFacingError(
        `Cannot push ${reference}: ${what}. Pushing to Artifact Registry needs the Artifact Registry Writer role ` +
          `(roles/artifactregistry.writer) on the repository and fresh Application Default Credentials: run ` +
          `"${LOGIN_COMMAND}" in a terminal, then retry.`,
        'registryAuth', [{ kind: 'copyText', label: 'Copy Login Command', text: LOGIN_COMMAND }, RETRY], detail);
    }
    return new UserFacingError(
      `Cannot push ${reference}: ${what}. Check the user name and password for ${host} ` +
        '(for a local registry Mentor sends MENTOR_REGISTRY_USERNAME and MENTOR_REGISTRY_PASSWORD from its environment), then retry.',
      'registryAuth', [RETRY], detail);
  }
  if (/^denied\b|requested access to the resource is denied|\b403\b|forbidden/i.test(m)) {
    if (ar) {
      const command = `gcloud artifacts repositories add-iam-policy-binding ${ar.repository} --location=${ar.location} ` +
        `--project=${ar.project} --member=user:YOUR_EMAIL --role=roles/artifactregistry.writer`;
      return new UserFacingError(
        `Artifact Registry denied the push of ${reference}. Your account needs the Artifact Registry Writer role ` +
          `(roles/artifactregistry.writer) on the repository ${ar.repository} (${ar.location}, project ${ar.project}), ` +
          'or the repository does not exist. Ask a project owner to grant it, then retry.',
        'permissionDenied',
        [{ kind: 'openUrl', label: 'Open Repository', url: `https://console.cloud.google.com/artifacts/docker/${ar.project}/${ar.location}/${ar.repository}?project=${ar.project}` },
          { kind: 'copyText', label: 'Copy Grant Command', text: command }, RETRY],
        detail);
    }
    const role = google ? ' Pushing to Artifact Registry needs roles/artifactregistry.writer on the repository.' : '';
    return new UserFacingError(`${host} denied the push of ${reference}: your account may not push to this repository.${role}`,
      'permissionDenied', [RETRY], detail);
  }
  if (/name unknown|repository .*not found|NAME_UNKNOWN/i.test(m)) {
    const create = ar
      ? ` Create it: gcloud artifacts repositories create ${ar.repository} --repository-format=docker --location=${ar.location} --project=${ar.project}`
      : '';
    return new UserFacingError(`The repository for ${reference} does not exist on ${host}.${create}`, 'notFound',
      ar ? [{ kind: 'copyText', label: 'Copy Create Command', text: create.replace(/^ Create it: /, '') }, RETRY] : [RETRY], detail);
  }
  if (/server gave HTTP response to HTTPS client/i.test(m)) {
    return new UserFacingError(
      `${host} speaks plain HTTP, but Docker talks to it over HTTPS. Add "${host}" to the engine's insecure-registries ` +
        '(or give the registry TLS), restart Docker, then retry.',
      'unreachable', [RETRY], detail);
  }
  if (/connection refused|no such host|i\/o timeout|dial tcp|network is unreachable|TLS handshake timeout|x509:|EOF$/i.test(m)) {
    return new UserFacingError(
      `Docker could not reach the registry ${host} to push ${reference}. Check that the registry address is right and ` +
        'that it is running and reachable from the Docker engine, then retry.',
      'unreachable', [RETRY], detail);
  }
  if (/toomanyrequests|429/i.test(m)) {
    return new UserFacingError(`${host} is rate-limiting pushes. Wait a minute, then retry.`, 'operationFailed', [RETRY], detail);
  }
  return new UserFacingError(`Pushing ${reference} failed: ${m}`, 'operationFailed', [RETRY], detail);
}

function safeParse(reference: string): ImageReference | undefined {
  try {
    return parseImageReference(reference);
  } catch {
    return undefined;
  }
}
