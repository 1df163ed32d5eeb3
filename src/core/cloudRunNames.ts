// Cloud Run's own naming rules, shared by the extension (to fail early with a clear message) and the
// emulator (to answer like Cloud Run). No vscode import: this file is used outside the editor.

/** A service ID: lowercase letters, digits and hyphens, starting with a letter, no trailing hyphen, < 50 chars. */
export const SERVICE_ID_MAX_LENGTH = 49;
const SERVICE_ID = /^[a-z]([-a-z0-9]*[a-z0-9])?$/;

/** Combined length limit Cloud Run enforces for "TAG---SERVICE" in tag URLs. */
export const TAG_AND_SERVICE_MAX_LENGTH = 46;
const TAG = /^[a-z]([-a-z0-9]*[a-z0-9])?$/;

const PROJECT_ID = /^[a-z][-a-z0-9]{4,28}[a-z0-9]$/;
const REGION = /^[a-z]+-[a-z]+\d+$/;

/** Returns why `id` is not a valid Cloud Run service ID, or undefined when it is. */
export function serviceIdProblem(id: string): string | undefined {
  if (!id) return 'A service name is required.';
  if (id.length > SERVICE_ID_MAX_LENGTH) {
    return `Service name "${id}" is ${id.length} characters; Cloud Run allows at most ${SERVICE_ID_MAX_LENGTH}.`;
  }
  if (!/^[a-z]/.test(id)) return `Service name "${id}" must start with a lowercase letter.`;
  if (id.endsWith('-')) return `Service name "${id}" must not end with a hyphen.`;
  if (!SERVICE_ID.test(id)) {
    return `Service name "${id}" may only contain lowercase letters, digits and hyphens.`;
  }
  return undefined;
}

/** Turns a folder name like "Mentor_AI Backend" into a valid service ID ("mentor-ai-backend"). */
export function suggestServiceId(folderName: string): string {
  const cleaned = folderName
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, '-')
    .replace(/^[^a-z]+/, '')
    .replace(/-+/g, '-')
    .slice(0, SERVICE_ID_MAX_LENGTH)
    .replace(/-+$/, '');
  return cleaned || 'service';
}

/** A custom revision name must be "SERVICE-suffix" and itself a valid DNS label. */
export function revisionNameProblem(service: string, revision: string): string | undefined {
  if (!revision.startsWith(`${service}-`)) {
    return `Revision name "${revision}" must start with "${service}-".`;
  }
  if (revision.length > 63 || !SERVICE_ID.test(revision)) {
    return `Revision name "${revision}" must be at most 63 lowercase letters, digits and hyphens.`;
  }
  return undefined;
}

export function trafficTagProblem(service: string, tag: string): string | undefined {
  if (!TAG.test(tag)) {
    return `Traffic tag "${tag}" must be lowercase letters, digits and hyphens, starting with a letter.`;
  }
  if (tag.length + service.length > TAG_AND_SERVICE_MAX_LENGTH) {
    return `traffic tag '${tag}' and service name '${service}' together are too long. ` +
      `Combined traffic tag and service name cannot exceed ${TAG_AND_SERVICE_MAX_LENGTH} characters.`;
  }
  return undefined;
}

export function projectIdProblem(project: string): string | undefined {
  if (!project) return 'No Google Cloud project is set (setting mentor.project).';
  if (!PROJECT_ID.test(project)) {
    return `"${project}" is not a valid project ID: 6–30 lowercase letters, digits and hyphens, starting with a letter.`;
  }
  return undefined;
}

export function regionProblem(region: string): string | undefined {
  if (!region) return 'No region is set (setting mentor.region).';
  if (!REGION.test(region)) return `"${region}" does not look like a Cloud Run region (for example us-central1).`;
  return undefined;
}

/** Auto-generated revision names look like SERVICE-00042-abc. */
export function autoRevisionName(service: string, counter: number, suffix: string): string {
  return `${service}-${String(counter).padStart(5, '0')}-${suffix}`;
}

export interface ResourceName {
  project: string;
  location: string;
  service: string;
  revision?: string;
}

const RESOURCE = /^projects\/([^/]+)\/locations\/([^/]+)\/services\/([^/]+)(?:\/revisions\/([^/]+))?$/;

export function parseResourceName(name: string): ResourceName | undefined {
  const m = RESOURCE.exec(name);
  if (!m) return undefined;
  return { project: m[1], location: m[2], service: m[3], revision: m[4] };
}

export function serviceResourceName(project: string, location: string, service: string): string {
  return `projects/${project}/locations/${location}/services/${service}`;
}

/** The last path segment of a full resource name ("projects/…/revisions/x" → "x"). */
export function shortName(name: string): string {
  return name.slice(name.lastIndexOf('/') + 1);
}
