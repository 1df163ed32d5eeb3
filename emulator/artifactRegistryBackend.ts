// Artifact Registry v1, the repository part the deploy preflight needs: get, list, create (an LRO).
// Images themselves live in whatever registry the emulator's Docker engine pulls from.
import { alreadyExists, invalidArgument, notFound } from './apiError';
import type { Operation, Repository } from './apiTypes';
import type { OperationStore } from './operations';
import { paginate } from './pagination';
import { resolveProject } from './projects';
import type { LoadedProtos } from './protos';
import type { StateStore } from './stateStore';
import { nowTimestamp } from './timestamps';

const REPOSITORY_ID = /^[a-z]([a-z0-9-]{0,61}[a-z0-9])?$/;
const LIST_LIMITS = { defaultSize: 20, maxSize: 1000 };
const REPOSITORY_TYPE = 'google.devtools.artifactregistry.v1.Repository';

/** The host part of a repository's images, e.g. us-central1-docker.pkg.dev (per format). */
export function registryUri(format: string | undefined, location: string, project: string, repo: string): string {
  const kind = { DOCKER: 'docker', MAVEN: 'maven', NPM: 'npm', PYTHON: 'python', APT: 'apt', YUM: 'yum', GO: 'go', GENERIC: 'generic', KFP: 'kfp' }[format ?? ''];
  return kind ? `${location}-${kind}.pkg.dev/${project}/${repo}` : '';
}

export function newRepository(project: string, location: string, id: string, fields: Repository, at = nowTimestamp()): Repository {
  return {
    ...structuredClone(fields),
    name: `projects/${project}/locations/${location}/repositories/${id}`,
    mode: fields.mode && fields.mode !== 'MODE_UNSPECIFIED' ? fields.mode : 'STANDARD_REPOSITORY',
    labels: fields.labels ?? {},
    createTime: at,
    updateTime: at,
    sizeBytes: '0',
    registryUri: registryUri(fields.format, location, project, id),
  };
}

export class ArtifactRegistryBackend {
  constructor(private readonly deps: { state: StateStore; operations: OperationStore; protos: LoadedProtos }) {}

  private get repositories(): Record<string, Repository> {
    return this.deps.state.data.repositories;
  }

  getRepository(req: { name?: string }): Repository {
    const m = /^projects\/([^/]+)\/locations\/([^/]+)\/repositories\/([^/]+)$/.exec(req.name ?? '');
    if (!m) throw invalidArgument(`Invalid name '${req.name ?? ''}': expected projects/PROJECT/locations/LOCATION/repositories/REPOSITORY.`);
    const key = `projects/${resolveProject(this.deps.state.data, m[1])}/locations/${m[2]}/repositories/${m[3]}`;
    const repo = this.repositories[key];
    if (!repo) throw notFound(`Requested entity was not found.`);
    return structuredClone(repo);
  }

  listRepositories(req: { parent?: string; pageSize?: number; pageToken?: string }): { repositories: Repository[]; nextPageToken: string } {
    const { project, location } = this.parseParent(req.parent);
    const prefix = `projects/${project}/locations/${location}/repositories/`;
    const names = Object.keys(this.repositories).filter((k) => k.startsWith(prefix)).sort();
    const page = paginate(names, req, `repositories:${prefix}`, LIST_LIMITS);
    return { repositories: page.items.map((k) => structuredClone(this.repositories[k])), nextPageToken: page.nextPageToken };
  }

  createRepository(req: { parent?: string; repositoryId?: string; repository?: Repository }): Operation {
    const { project, location } = this.parseParent(req.parent);
    const id = req.repositoryId ?? '';
    if (!REPOSITORY_ID.test(id)) {
      throw invalidArgument(`Invalid repository_id '${id}': it must start with a lowercase letter, contain only lowercase letters, digits and hyphens, and be at most 63 characters.`);
    }
    const format = req.repository?.format;
    if (!format || format === 'FORMAT_UNSPECIFIED') throw invalidArgument('Violation in CreateRepositoryRequest.repository.format: required field not present.');
    const key = `projects/${project}/locations/${location}/repositories/${id}`;
    if (this.repositories[key]) throw alreadyExists(`the repository already exists`);
    const repo = newRepository(project, location, id, req.repository ?? {});
    const { protos, operations } = this.deps;
    return operations.start(`projects/${project}/locations/${location}`, protos.pack('google.devtools.artifactregistry.v1.OperationMetadata', {}), () => {
      if (this.repositories[key]) return { error: { code: 6, message: 'the repository already exists' } };
      this.repositories[key] = repo;
      this.deps.state.changed();
      return { response: protos.pack(REPOSITORY_TYPE, repo) };
    });
  }

  private parseParent(parent: string | undefined): { project: string; location: string } {
    const m = /^projects\/([^/]+)\/locations\/([^/]+)$/.exec(parent ?? '');
    if (!m) throw invalidArgument(`Invalid parent '${parent ?? ''}': expected projects/PROJECT/locations/LOCATION.`);
    return { project: resolveProject(this.deps.state.data, m[1]), location: m[2] };
  }
}
