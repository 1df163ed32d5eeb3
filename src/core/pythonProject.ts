// Finds what a Dockerfile needs to know about a Python web app: the ASGI app object ("main:app",
// "app.main:app"), how dependencies are declared, and the Python version. Works on a file listing and a
// reader so it is testable without a disk or VS Code.
import { choosePythonVersion } from './pythonVersion';
import { procfileCommand, StartCommand } from './startCommand';


export type DependencySource =
  | { kind: 'requirements'; file: string }
  | { kind: 'pep621'; uvLock?: string }
  | { kind: 'poetry'; lockFile?: string }
  | { kind: 'none' };

export interface PythonProject {
  /** Import string for uvicorn, e.g. "app.main:app". */
  appModule: string;
  /** Workspace-relative file that defines the app, e.g. "app/main.py". */
  appFile: string;
  /** 1-based line of the `app = FastAPI(` assignment. */
  appLine: number;
  dependencies: DependencySource;
  /** "3.11" from .python-version or requires-python; undefined when unknown. */
  pythonVersion?: string;
  /** True when uvicorn is declared (directly or via fastapi[standard]); the generated CMD needs it. */
  declaresUvicorn: boolean;
  /** The Procfile's web command, when the project has one: the image starts the app the same way. */
  start?: StartCommand;
  /** "src" for a src layout whose package is imported without "src." (the image puts it on PYTHONPATH). */
  sourceRoot?: string;
}

export interface ProjectFiles {
  /** Workspace-relative paths with forward slashes. */
  list(): Promise<string[]>;
  read(path: string): Promise<string | undefined>;
}

const SKIPPED_DIRS = /(^|\/)(\.git|\.venv|venv|env|node_modules|__pycache__|\.tox|\.mypy_cache|build|dist|site-packages|tests?)\//;
const APP_ASSIGNMENT = /^(\w+)\s*(?::\s*FastAPI\s*)?=\s*(?:fastapi\.)?FastAPI\s*\(/m;
/** Usual places first: the first match in this order wins over deeper or unusual files. */
const PREFERRED = ['main.py', 'app.py', 'app/main.py', 'src/main.py', 'api/main.py', 'server.py', 'app/app.py', 'src/app/main.py'];

export async function detectPythonProject(files: ProjectFiles): Promise<PythonProject | undefined> {
  const all = await files.list();
  const python = all.filter((f) => f.endsWith('.py') && !SKIPPED_DIRS.test(f) && f.split('/').length <= 4);
  const ordered = [...PREFERRED.filter((p) => python.includes(p)),
    ...python.filter((p) => !PREFERRED.includes(p)).sort((a, b) => depth(a) - depth(b) || a.localeCompare(b))];
  for (const file of ordered) {
    const text = await files.read(file);
    const match = text && APP_ASSIGNMENT.exec(text);
    if (!match) continue;
    // Each file read once, and only when the listing has it.
    const readListed = async (path: string) => (all.includes(path) ? files.read(path) : undefined);
    const pyproject = await readListed('pyproject.toml');
    const dependencies = detectDependencies(all, pyproject);
    const procfile = await readListed('Procfile');
    const start = procfile ? procfileCommand(procfile) : undefined;
    const sourceRoot = srcLayoutRoot(file, text, all);
    const module = sourceRoot ? moduleName(file.slice(sourceRoot.length + 1)) : moduleName(file);
    return {
      appModule: start?.appModule && start.server !== 'fastapi' ? start.appModule : `${module}:${match[1]}`,
      appFile: file,
      appLine: text.slice(0, match.index).split('\n').length,
      dependencies,
      pythonVersion: choosePythonVersion({
        pythonVersionFile: await readListed('.python-version'), pyproject, runtimeTxt: await readListed('runtime.txt'),
      }),
      declaresUvicorn: declaresUvicorn(dependencies.kind === 'requirements' ? await files.read(dependencies.file)
        : dependencies.kind === 'none' ? undefined : pyproject),
      ...(start ? { start } : {}),
      ...(sourceRoot ? { sourceRoot } : {}),
    };
  }
  return undefined;
}

/** "app/main.py" → "app.main". */
export function moduleName(file: string): string {
  return file.replace(/\.py$/, '').replace(/\/__init__$/, '').split('/').join('.');
}

function depth(file: string): number {
  return file.split('/').length;
}

function detectDependencies(all: string[], pyproject: string | undefined): DependencySource {
  if (all.includes('requirements.txt')) return { kind: 'requirements', file: 'requirements.txt' };
  if (pyproject) {
    if (/^\[project\][^[]*^dependencies\s*=/ms.test(pyproject)) return all.includes('uv.lock') ? { kind: 'pep621', uvLock: 'uv.lock' } : { kind: 'pep621' };
    if (/^\[tool\.poetry\.dependencies\]/m.test(pyproject)) {
      return { kind: 'poetry', lockFile: all.includes('poetry.lock') ? 'poetry.lock' : undefined };
    }
  }
  const nested = all.find((f) => /^requirements\/(prod|production|base|main)\.txt$/.test(f));
  if (nested) return { kind: 'requirements', file: nested };
  return { kind: 'none' };
}

/**
 * A src layout: the app lives in a package under src/ (src/<pkg>/__init__.py) and imports it as <pkg>, not
 * as src.<pkg>. A plain src/main.py that imports "src.x" keeps "src." and runs from the project root.
 */
function srcLayoutRoot(file: string, text: string, all: string[]): string | undefined {
  const parts = file.split('/');
  if (parts[0] !== 'src' || parts.length < 3 || !all.includes(`src/${parts[1]}/__init__.py`)) return undefined;
  return /^\s*(from|import)\s+src\./m.test(text) ? undefined : 'src';
}

/** `dependencyText`: the requirements file or pyproject.toml the dependencies are declared in. */
function declaresUvicorn(dependencyText: string | undefined): boolean {
  return !!dependencyText && /(^|["'\s])(uvicorn|fastapi\[[^\]]*standard[^\]]*\])/im.test(dependencyText);
}
