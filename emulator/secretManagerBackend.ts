// Secret Manager v1: secrets, versions ("latest" = the newest version), payload access with CRC32C.
// Names come back with the project number, as Google returns them; requests may use the id or the number.
// Cloud Run's runtime resolves `valueSource.secretKeyRef` env vars through resolveForRuntime(), which also
// applies IAM: the revision's service account needs secretmanager.versions.access on the secret or project.
import { randomUUID } from 'node:crypto';
import { aborted, alreadyExists, failedPrecondition, invalidArgument, notFound } from './apiError';
import type { IamPolicy, Secret, SecretVersion, SecretVersionState } from './apiTypes';
import { DEFAULT_CALLER, emptyPolicy, knownIdentity, policiesGrant, projectPolicy, replacePolicy } from './iamAccess';
import { paginate } from './pagination';
import { numberOf, resolveProject } from './projects';
import type { SecretRecord, StateStore } from './stateStore';
import { nowTimestamp } from './timestamps';

const SECRET_ID = /^[A-Za-z0-9_-]{1,255}$/;
const MAX_PAYLOAD_BYTES = 64 * 1024;
const LIST_LIMITS = { defaultSize: 25000, maxSize: 25000 };

interface SecretAddress {
  project: string;
  secret: string;
}

export type SecretResolution = { ok: true; value: string; version: string } | { ok: false; message: string };

const ACCESS = 'secretmanager.versions.access';

export class SecretManagerBackend {
  /** `caller`: whom TestIamPermissions answers for (the emulator's caller identity). */
  constructor(private readonly state: StateStore, private readonly caller: { member: string } = { member: DEFAULT_CALLER }) {}

  private get secrets(): Record<string, SecretRecord> {
    return this.state.data.secrets;
  }

  createSecret(req: { parent?: string; secretId?: string; secret?: Secret }): Secret {
    const project = this.parseParent(req.parent);
    const id = req.secretId ?? '';
    if (!SECRET_ID.test(id)) {
      throw invalidArgument(`Invalid secret_id '${id}': it must be 1–255 characters of letters, digits, hyphens and underscores.`);
    }
    const replication = req.secret?.replication;
    if (!replication || Object.keys(replication).length === 0) {
      throw invalidArgument('Violation in CreateSecretRequest.secret.replication: required field not present.');
    }
    const key = storeKey({ project, secret: id });
    if (this.secrets[key]) throw alreadyExists(`Secret [${displayName({ project, secret: id })}] already exists.`);
    const secret: Secret = {
      ...structuredClone(req.secret ?? {}),
      name: displayName({ project, secret: id }),
      createTime: nowTimestamp(),
      etag: newEtag(),
    };
    this.secrets[key] = { secret, versions: [] };
    this.state.changed();
    return structuredClone(secret);
  }

  getSecret(req: { name?: string }): Secret {
    return structuredClone(this.record(this.parseSecretName(req.name)).secret);
  }

  listSecrets(req: { parent?: string; pageSize?: number; pageToken?: string; filter?: string }): { secrets: Secret[]; nextPageToken: string; totalSize: number } {
    const project = this.parseParent(req.parent);
    const filter = (req.filter ?? '').trim();
    const nameFilter = /^name:(\S+)$/.exec(filter);
    if (filter && !nameFilter) throw invalidArgument(`Unsupported filter '${filter}': the emulator understands "name:TEXT".`);
    const prefix = `projects/${project}/secrets/`;
    const all = Object.keys(this.secrets).filter((k) => k.startsWith(prefix)).sort()
      .map((k) => this.secrets[k].secret)
      .filter((s) => !nameFilter || (s.name ?? '').includes(nameFilter[1]));
    const page = paginate(all, req, `secrets:${project}:${filter}`, LIST_LIMITS);
    return { secrets: structuredClone(page.items), nextPageToken: page.nextPageToken, totalSize: all.length };
  }

  deleteSecret(req: { name?: string; etag?: string }): Record<string, never> {
    const address = this.parseSecretName(req.name);
    const record = this.record(address);
    if (req.etag && req.etag !== record.secret.etag) throw aborted(`The etag '${req.etag}' does not match the current etag of the secret.`);
    delete this.secrets[storeKey(address)];
    this.state.changed();
    return {};
  }

  addSecretVersion(req: { parent?: string; payload?: { data?: string; dataCrc32c?: string } }): SecretVersion {
    const address = this.parseSecretName(req.parent, 'parent');
    const record = this.record(address);
    const data = Buffer.from(req.payload?.data ?? '', 'base64');
    if (data.length > MAX_PAYLOAD_BYTES) {
      throw invalidArgument(`Secret payload is ${data.length} bytes; it must be at most ${MAX_PAYLOAD_BYTES} bytes.`);
    }
    const claimed = req.payload?.dataCrc32c;
    if (claimed !== undefined && claimed !== '' && String(crc32c(data)) !== String(claimed)) {
      throw invalidArgument('Checksum mismatch: the data_crc32c does not match the payload data.');
    }
    const number = (record.versions.length ? versionNumber(record.versions[record.versions.length - 1].version) : 0) + 1;
    const version: SecretVersion = {
      name: `${displayName(address)}/versions/${number}`,
      createTime: nowTimestamp(),
      state: 'ENABLED',
      etag: newEtag(),
      replicationStatus: { automatic: {} },
      clientSpecifiedPayloadChecksum: claimed !== undefined && claimed !== '',
    };
    record.versions.push({ version, data: data.toString('base64') });
    this.state.changed();
    return structuredClone(version);
  }

  getSecretVersion(req: { name?: string }): SecretVersion {
    return structuredClone(this.versionOf(req.name).version);
  }

  listSecretVersions(req: { parent?: string; pageSize?: number; pageToken?: string }): { versions: SecretVersion[]; nextPageToken: string; totalSize: number } {
    const address = this.parseSecretName(req.parent, 'parent');
    const newestFirst = [...this.record(address).versions].reverse().map((v) => v.version);
    const page = paginate(newestFirst, req, `versions:${storeKey(address)}`, LIST_LIMITS);
    return { versions: structuredClone(page.items), nextPageToken: page.nextPageToken, totalSize: newestFirst.length };
  }

  accessSecretVersion(req: { name?: string }): { name: string; payload: { data: string; dataCrc32c: string } } {
    const entry = this.versionOf(req.name);
    if (entry.version.state !== 'ENABLED') {
      throw failedPrecondition(`Secret Version [${entry.version.name}] is in ${entry.version.state} state.`);
    }
    return { name: entry.version.name, payload: { data: entry.data, dataCrc32c: String(crc32c(Buffer.from(entry.data, 'base64'))) } };
  }

  enableSecretVersion(req: { name?: string }): SecretVersion {
    return this.setVersionState(req.name, 'ENABLED');
  }

  disableSecretVersion(req: { name?: string }): SecretVersion {
    return this.setVersionState(req.name, 'DISABLED');
  }

  destroySecretVersion(req: { name?: string }): SecretVersion {
    return this.setVersionState(req.name, 'DESTROYED');
  }

  // ---- IAM on secrets (google.iam.v1 methods of SecretManagerService) ---------------------------

  getIamPolicy(req: { resource?: string }): IamPolicy {
    const record = this.record(this.parseSecretName(req.resource, 'resource'));
    record.iamPolicy ??= emptyPolicy();
    return structuredClone(record.iamPolicy);
  }

  setIamPolicy(req: { resource?: string; policy?: IamPolicy }): IamPolicy {
    const record = this.record(this.parseSecretName(req.resource, 'resource'));
    record.iamPolicy = replacePolicy(record.iamPolicy, req.policy, this.state.data);
    this.state.changed();
    return structuredClone(record.iamPolicy);
  }

  testIamPermissions(req: { resource?: string; permissions?: string[] }): { permissions: string[] } {
    const address = this.parseSecretName(req.resource, 'resource');
    const record = this.record(address);
    return { permissions: (req.permissions ?? []).filter((p) => this.allowed(address.project, record, this.caller.member, p)) };
  }

  /**
   * What a Cloud Run instance gets for `secretKeyRef{secret, version}` in `project`: the value, or the
   * reason it cannot start. `secret` is NAME or projects/P/secrets/NAME; version an integer or "latest".
   * With `serviceAccount` (the revision's identity) the read needs its secretmanager.versions.access, when the
   * emulator knows that identity (knownIdentity) and models the secret's project.
   */
  resolveForRuntime(project: string, secret: string, version: string | undefined, serviceAccount?: string): SecretResolution {
    const full = /^projects\/([^/]+)\/secrets\/([^/]+)$/.exec(secret);
    const address = { project: resolveProject(this.state.data, full ? full[1] : project, [project]), secret: full ? full[2] : secret };
    const wanted = version || 'latest';
    const shown = `${displayName(address)}/versions/${wanted}`;
    const record = this.secrets[storeKey(address)];
    const entry = record && (wanted === 'latest' ? record.versions[record.versions.length - 1] : record.versions.find((v) => String(versionNumber(v.version)) === wanted));
    if (!entry) return { ok: false, message: `Secret ${shown} was not found` };
    const checked = serviceAccount && knownIdentity(this.state.data, serviceAccount);
    if (checked && !this.allowed(address.project, record, `serviceAccount:${serviceAccount}`, ACCESS)) {
      return {
        ok: false,
        message: `Permission denied on secret: ${shown} for Revision service account ${serviceAccount}. The service account used must be ` +
          "granted the 'Secret Manager Secret Accessor' role (roles/secretmanager.secretAccessor) at the secret, project or higher level.",
      };
    }
    if (entry.version.state !== 'ENABLED') return { ok: false, message: `Secret ${shown} is in ${entry.version.state} state` };
    return { ok: true, value: Buffer.from(entry.data, 'base64').toString('utf8'), version: String(versionNumber(entry.version)) };
  }

  // ---- helpers --------------------------------------------------------------------------------

  /** The secret's policy, then its project's; a project the Resource Manager does not model is not checked. */
  private allowed(project: string, record: SecretRecord, member: string, permission: string): boolean {
    const inProject = projectPolicy(this.state.data, project);
    if (!inProject) return true;
    return policiesGrant([record.iamPolicy, inProject], member, permission);
  }

  private setVersionState(name: string | undefined, state: SecretVersionState): SecretVersion {
    const entry = this.versionOf(name, false);
    if (entry.version.state === 'DESTROYED') throw failedPrecondition(`Secret Version [${entry.version.name}] is in DESTROYED state.`);
    entry.version.state = state;
    entry.version.etag = newEtag();
    if (state === 'DESTROYED') {
      entry.version.destroyTime = nowTimestamp();
      entry.data = '';
    }
    this.state.changed();
    return structuredClone(entry.version);
  }

  private record(a: SecretAddress): SecretRecord {
    const record = this.secrets[storeKey(a)];
    if (!record) throw notFound(`Secret [${displayName(a)}] not found.`);
    return record;
  }

  private versionOf(name: string | undefined, allowLatest = true): SecretRecord['versions'][number] {
    const m = /^projects\/([^/]+)\/secrets\/([^/]+)\/versions\/([^/]+)$/.exec(name ?? '');
    if (!m) throw invalidArgument(`Invalid name '${name ?? ''}': expected projects/PROJECT/secrets/SECRET/versions/VERSION.`);
    const address = { project: resolveProject(this.state.data, m[1]), secret: m[2] };
    const wanted = m[3];
    const record = this.secrets[storeKey(address)];
    if (wanted === 'latest' && allowLatest) {
      const newest = record?.versions[record.versions.length - 1];
      if (!newest) throw notFound(`Secret [${displayName(address)}] not found or has no versions.`);
      return newest;
    }
    const entry = record?.versions.find((v) => String(versionNumber(v.version)) === wanted);
    if (!entry) throw notFound(`Secret Version [${displayName(address)}/versions/${wanted}] not found.`);
    return entry;
  }

  private parseParent(parent: string | undefined): string {
    const m = /^projects\/([^/]+)(\/locations\/[^/]+)?$/.exec(parent ?? '');
    if (!m) throw invalidArgument(`Invalid parent '${parent ?? ''}': expected projects/PROJECT.`);
    return resolveProject(this.state.data, m[1]);
  }

  private parseSecretName(name: string | undefined, field = 'name'): SecretAddress {
    const m = /^projects\/([^/]+)\/secrets\/([^/]+)$/.exec(name ?? '');
    if (!m) throw invalidArgument(`Invalid ${field} '${name ?? ''}': expected projects/PROJECT/secrets/SECRET.`);
    return { project: resolveProject(this.state.data, m[1]), secret: m[2] };
  }
}

function storeKey(a: SecretAddress): string {
  return `projects/${a.project}/secrets/${a.secret}`;
}

function displayName(a: SecretAddress): string {
  return `projects/${numberOf(a.project)}/secrets/${a.secret}`;
}

function versionNumber(v: SecretVersion): number {
  return Number(v.name.slice(v.name.lastIndexOf('/') + 1));
}

function newEtag(): string {
  return `"${randomUUID().replace(/-/g, '').slice(0, 13)}"`;
}

let crcTable: Uint32Array | undefined;

/** CRC32C (Castagnoli), what Secret Manager's data_crc32c holds. */
export function crc32c(data: Buffer): number {
  if (!crcTable) {
    crcTable = new Uint32Array(256);
    for (let n = 0; n < 256; n++) {
      let c = n;
      for (let k = 0; k < 8; k++) c = c & 1 ? 0x82f63b78 ^ (c >>> 1) : c >>> 1;
      crcTable[n] = c >>> 0;
    }
  }
  let crc = 0xffffffff;
  for (const byte of data) crc = crcTable[(crc ^ byte) & 0xff] ^ (crc >>> 8);
  return (crc ^ 0xffffffff) >>> 0;
}

/** For seeds: a secret with enabled versions holding `values` (versions/1 first). */
export function seededSecret(project: string, id: string, values: string[], at: { seconds: string; nanos?: number }): SecretRecord {
  const address = { project, secret: id };
  return {
    secret: { name: displayName(address), replication: { automatic: {} }, createTime: at, labels: {}, etag: newEtag() },
    versions: values.map((value, i) => ({
      version: {
        name: `${displayName(address)}/versions/${i + 1}`, createTime: at, state: 'ENABLED', etag: newEtag(),
        replicationStatus: { automatic: {} },
      },
      data: Buffer.from(value, 'utf8').toString('base64'),
    })),
  };
}
