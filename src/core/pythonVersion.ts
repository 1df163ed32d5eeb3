// The Python minor version for the base image, from what the project declares: `.python-version` (a pin),
// PEP 621 `requires-python`, Poetry's `python` constraint, or `runtime.txt` ("python-3.11.4"). A range
// picks the newest supported version inside it, so ">=3.8" does not mean an end-of-life 3.8 image.

/** Versions with official python:X-slim images that still get security fixes, newest first. */
export const SUPPORTED_PYTHON = ['3.13', '3.12', '3.11', '3.10'];

export interface VersionSources {
  pythonVersionFile?: string;
  pyproject?: string;
  runtimeTxt?: string;
}

export function choosePythonVersion(sources: VersionSources): string | undefined {
  const pinned = sources.pythonVersionFile?.trim().match(/^(?:python-?)?(\d+\.\d+)/);
  if (pinned) return pinned[1];
  const requires = sources.pyproject?.match(/^requires-python\s*=\s*["']([^"']+)["']/m)?.[1];
  const poetry = sources.pyproject && /^\[tool\.poetry\.dependencies\][^[]*?^python\s*=\s*["']([^"']+)["']/ms.exec(sources.pyproject)?.[1];
  for (const constraint of [requires, poetry]) {
    if (constraint) return newestSatisfying(constraint) ?? constraint.match(/(\d+\.\d+)/)?.[1];
  }
  return sources.runtimeTxt?.trim().match(/^python-(\d+\.\d+)/)?.[1];
}

/** The newest supported minor version inside a PEP 440 or Poetry constraint ("^3.11", ">=3.9,<3.13", "~3.11 || ^3.12"). */
export function newestSatisfying(constraint: string): string | undefined {
  const alternatives = constraint.split('||').map((part) => part.split(',').map((c) => c.trim()).filter(Boolean));
  return SUPPORTED_PYTHON.find((version) => alternatives.some((clauses) => clauses.every((clause) => satisfies(version, clause))));
}

function satisfies(version: string, clause: string): boolean {
  const match = /^(\^|~=|~|>=|<=|==|!=|>|<|=)?\s*(\d+)(?:\.(\d+|\*))?(?:\.(\d+|\*))?/.exec(clause);
  if (!match) return true;
  const [, op = '==', majorText, minorText, patchText] = match;
  const major = Number(majorText);
  const minor = minorText === undefined || minorText === '*' ? undefined : Number(minorText);
  const [vMajor, vMinor] = version.split('.').map(Number);
  const compare = (vMajor - major) || (minor === undefined ? 0 : vMinor - minor);
  switch (op) {
    case '^': return vMajor === major && compare >= 0;
    case '~': return vMajor === major && (minor === undefined || vMinor === minor);
    case '~=': return vMajor === major && compare >= 0 && (patchText === undefined || vMinor === minor);
    case '>=': return compare >= 0;
    // ">3.11" admits 3.11.1 and later (PEP 440), and a 3.11 image carries the latest 3.11 patch release.
    case '>': return compare >= 0;
    case '<=': return compare <= 0;
    // "<3.12" excludes 3.12; "<3.11.5" excludes 3.11 too, because a 3.11 image carries the latest 3.11 patch release.
    case '<': return compare < 0;
    case '!=': return minor === undefined || compare !== 0 || patchText !== undefined;
    default: return compare === 0;
  }
}
