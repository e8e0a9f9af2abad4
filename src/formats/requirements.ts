/**
 * Python dependency declarations, read (never executed) from requirements files, pyproject.toml, setup.cfg,
 * Pipfile/Pipfile.lock, poetry.lock, uv.lock and conda environment files, as one list of dependencies with the
 * line each is declared on. Conda package names are mapped to their PyPI names.
 */
import { lstat, readFile } from 'node:fs/promises';
import { posix } from 'node:path';
import { classify } from '../discovery/classify.js';
import { FormatError } from './errors.js';
import { parseToml, type TomlDocument } from './toml.js';
import { parseYamlWithPositions } from './yaml-positions.js';

export interface Dependency {
  /** PEP 503-normalised name (`scikit_learn` → `scikit-learn`), PyPI's for conda packages. */
  name: string;
  /** As written. */
  display: string;
  /** PEP 440 specifier as written (`>=1.2,<2`), '' when none. */
  specifier: string;
  /** The one version this allows (`==1.2.3`, `===1.2.3`, a lock file's version), if any. */
  exact?: string;
  hashed: boolean;
  /** A direct URL or VCS reference instead of a version. */
  url?: string;
  line: number;
  dev: boolean;
  /** From a lock file: resolved, pinned and (usually) hashed. */
  lock: boolean;
}

export interface Include { path: string; line: number; constraint: boolean }

export interface DependencyFile { dependencies: Dependency[]; includes: Include[]; kind: string }

export const MAX_DEPENDENCIES = 50_000;

export function normalizeName(name: string): string {
  return name.toLowerCase().replace(/[-_.]+/g, '-');
}

const CONDA_TO_PYPI: Record<string, string> = {
  pytorch: 'torch', 'pytorch-gpu': 'torch', 'pytorch-cpu': 'torch', 'tensorflow-gpu': 'tensorflow',
  'tensorflow-cpu': 'tensorflow', 'py-xgboost': 'xgboost', 'py-xgboost-gpu': 'xgboost', 'py-xgboost-cpu': 'xgboost',
  'py-opencv': 'opencv-python', 'huggingface-hub': 'huggingface-hub', 'sentencepiece-python': 'sentencepiece',
  'libonnx': 'onnx', 'onnxruntime-gpu': 'onnxruntime-gpu', 'keras-gpu': 'keras',
};
const CONDA_SKIP = new Set(['python', 'pip', 'cudatoolkit', 'cuda-toolkit', 'cudnn', 'pytorch-cuda', 'mkl', 'libgcc', 'nccl']);

const PEP508 = /^([A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?)\s*(\[[^\]]*\])?\s*(?:\(\s*([^)]*)\)|([<>=!~][^;@]*?))?\s*(?:@\s*(\S+))?\s*(?:;.*)?$/;

/** One PEP 508 requirement string, or undefined when it is not one (a path, a URL without a name). */
export function parseRequirement(text: string, line: number, dev = false): Dependency | undefined {
  const m = PEP508.exec(text.trim());
  if (!m) return undefined;
  const specifier = (m[3] ?? m[4] ?? '').replace(/\s+/g, '');
  return { name: normalizeName(m[1]), display: m[1], specifier, exact: exactOf(specifier), hashed: false, url: m[5], line, dev, lock: false };
}

export function exactOf(specifier: string): string | undefined {
  const m = /^(?:===?)([^,*;\s]+)$/.exec(specifier.trim());
  return m ? m[1] : undefined;
}

function check(list: unknown[]): void {
  if (list.length > MAX_DEPENDENCIES) throw new FormatError(`more than ${MAX_DEPENDENCIES} dependencies`);
}

/** requirements*.txt / *.in: pip's format, with `-r`/`-c` includes returned for the caller to follow. */
export function parseRequirementsTxt(text: string, dev = false): DependencyFile {
  const dependencies: Dependency[] = [];
  const includes: Include[] = [];
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const start = i + 1;
    let logical = lines[i];
    while (/\\\s*$/.test(logical) && i + 1 < lines.length) logical = logical.replace(/\\\s*$/, ' ') + lines[++i];
    const content = logical.replace(/(^|\s)#.*$/, '').trim();
    if (!content) continue;
    const inc = /^(-r|--requirement|-c|--constraint)(?:\s+|=)(\S+)/.exec(content);
    if (inc) { includes.push({ path: inc[2], line: start, constraint: inc[1].includes('c') }); continue; }
    const editable = /^(-e|--editable)(?:\s+|=)(\S+)/.exec(content);
    const body = editable ? editable[2] : content;
    if (body.startsWith('-')) continue; // --index-url, --find-links, …
    const hashed = /--hash[=\s]/.test(content);
    const req = body.replace(/\s+--\S+(\s+\S+)?/g, '').trim();
    let dep: Dependency | undefined;
    if (/^(git\+|hg\+|svn\+|bzr\+|https?:|file:)/.test(req)) {
      const egg = /#egg=([A-Za-z0-9._-]+)/.exec(req);
      if (egg) dep = { name: normalizeName(egg[1]), display: egg[1], specifier: '', hashed, url: req, line: start, dev, lock: false };
    } else {
      dep = parseRequirement(req, start, dev);
    }
    if (dep) { dep.hashed = hashed; dependencies.push(dep); check(dependencies); }
  }
  return { dependencies, includes, kind: 'requirements' };
}

const DEV_GROUP = /^(dev|develop|development|test|tests|testing|lint|linting|docs?|typing|ci)$/i;

export function parsePyproject(text: string): DependencyFile {
  const doc = parseToml(text);
  const out: Dependency[] = [];
  const project = obj(doc.value.project);
  addPep508List(out, doc, project.dependencies, '/project/dependencies', false);
  for (const [group, list] of Object.entries(obj(project['optional-dependencies']))) {
    addPep508List(out, doc, list, `/project/optional-dependencies/${group}`, DEV_GROUP.test(group));
  }
  for (const [group, list] of Object.entries(obj(doc.value['dependency-groups']))) addPep508List(out, doc, list, `/dependency-groups/${group}`, true);
  const tool = obj(doc.value.tool);
  addPep508List(out, doc, obj(tool.uv)['dev-dependencies'], '/tool/uv/dev-dependencies', true);
  const poetry = obj(tool.poetry);
  addPoetry(out, doc, poetry.dependencies, '/tool/poetry/dependencies', false);
  addPoetry(out, doc, poetry['dev-dependencies'], '/tool/poetry/dev-dependencies', true);
  for (const [group, g] of Object.entries(obj(poetry.group))) addPoetry(out, doc, obj(g).dependencies, `/tool/poetry/group/${group}/dependencies`, true);
  check(out);
  return { dependencies: out, includes: [], kind: 'pyproject' };
}

function obj(v: unknown): Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : {};
}

function addPep508List(out: Dependency[], doc: TomlDocument, list: unknown, pointer: string, dev: boolean): void {
  if (!Array.isArray(list)) return;
  list.forEach((item, i) => {
    if (typeof item !== 'string') return;
    const dep = parseRequirement(item, doc.lineOf(`${pointer}/${i}`) ?? 1, dev);
    if (dep) out.push(dep);
  });
}

/** Poetry: `name = "^1.2"`, `"1.2.3"` (exact), `{ version = "…" }`, or a list of such tables. */
function addPoetry(out: Dependency[], doc: TomlDocument, table: unknown, pointer: string, dev: boolean): void {
  for (const [display, raw] of Object.entries(obj(table))) {
    if (display.toLowerCase() === 'python') continue;
    const spec = typeof raw === 'string' ? raw : typeof obj(raw).version === 'string' ? String(obj(raw).version) : '';
    const url = typeof obj(raw).git === 'string' ? String(obj(raw).git) : typeof obj(raw).url === 'string' ? String(obj(raw).url) : undefined;
    const bare = /^\d[^,<>=!~^*\s]*$/.test(spec.trim());
    const specifier = spec === '*' ? '' : bare ? `==${spec.trim()}` : spec.replace(/\s+/g, '');
    out.push({ name: normalizeName(display), display, specifier, exact: exactOf(specifier), hashed: false, url, line: doc.lineOf(`${pointer}/${display}`) ?? 1, dev, lock: false });
  }
}

/** poetry.lock and uv.lock: `[[package]]` tables with name and version. */
export function parseTomlLock(text: string, kind: string): DependencyFile {
  const doc = parseToml(text);
  const out: Dependency[] = [];
  const packages = Array.isArray(doc.value.package) ? doc.value.package : [];
  packages.forEach((p, i) => {
    const pkg = obj(p);
    const source = obj(pkg.source);
    if (typeof pkg.name !== 'string' || typeof pkg.version !== 'string' || source.editable !== undefined || source.virtual !== undefined) return;
    const hashed = Array.isArray(pkg.files) || Array.isArray(pkg.wheels) || typeof obj(pkg.sdist).hash === 'string';
    out.push({ name: normalizeName(pkg.name), display: pkg.name, specifier: `==${pkg.version}`, exact: pkg.version, hashed, line: doc.lineOf(`/package/${i}/version`) ?? 1, dev: pkg.category === 'dev', lock: true });
  });
  check(out);
  return { dependencies: out, includes: [], kind };
}

/** Pipfile (TOML): `[packages]` and `[dev-packages]`. */
export function parsePipfile(text: string): DependencyFile {
  const doc = parseToml(text);
  const out: Dependency[] = [];
  for (const [section, dev] of [['packages', false], ['dev-packages', true]] as const) {
    for (const [display, raw] of Object.entries(obj(doc.value[section]))) {
      const spec = typeof raw === 'string' ? raw : String(obj(raw).version ?? '*');
      const specifier = spec === '*' ? '' : spec.replace(/\s+/g, '');
      out.push({ name: normalizeName(display), display, specifier, exact: exactOf(specifier), hashed: false, line: doc.lineOf(`/${section}/${display}`) ?? 1, dev, lock: false });
    }
  }
  return { dependencies: out, includes: [], kind: 'pipfile' };
}

/** Pipfile.lock (JSON): `default` and `develop` maps of `{ version: "==1.2", hashes: [...] }`. */
export function parsePipfileLock(text: string): DependencyFile {
  let value: unknown;
  try { value = JSON.parse(text); } catch (error) { throw new FormatError(`Pipfile.lock is not JSON: ${(error as Error).message}`); }
  const lines = text.split('\n');
  const out: Dependency[] = [];
  for (const [section, dev] of [['default', false], ['develop', true]] as const) {
    for (const [display, raw] of Object.entries(obj(obj(value)[section]))) {
      const version = String(obj(raw).version ?? '');
      const needle = `"${display}"`;
      const line = lines.findIndex((l) => l.trimStart().startsWith(needle)) + 1 || 1;
      out.push({ name: normalizeName(display), display, specifier: version, exact: exactOf(version), hashed: Array.isArray(obj(raw).hashes) && (obj(raw).hashes as unknown[]).length > 0, line, dev, lock: true });
    }
  }
  check(out);
  return { dependencies: out, includes: [], kind: 'pipfile-lock' };
}

/** setup.cfg: `[options] install_requires` and `[options.extras_require]`, INI with indented continuation lines. */
export function parseSetupCfg(text: string): DependencyFile {
  const out: Dependency[] = [];
  let section = '';
  let key = '';
  text.split(/\r?\n/).forEach((raw, i) => {
    const line = raw.replace(/\s[#;].*$/, '');
    const header = /^\[([^\]]+)\]/.exec(line);
    if (header) { section = header[1].trim(); key = ''; return; }
    if (/^\s*([#;]|$)/.test(line)) return;
    const kv = /^([A-Za-z0-9_.-]+)\s*[=:]\s*(.*)$/.exec(line);
    let value: string;
    if (kv && !/^\s/.test(line)) { key = kv[1]; value = kv[2]; } else value = line.trim();
    const wanted = (section === 'options' && key === 'install_requires') || section === 'options.extras_require';
    if (!wanted || !value.trim()) return;
    const dep = parseRequirement(value, i + 1, section === 'options.extras_require' && DEV_GROUP.test(key));
    if (dep) out.push(dep);
  });
  check(out);
  return { dependencies: out, includes: [], kind: 'setup-cfg' };
}

/** Conda environment.yml: conda specs (`pytorch=2.1.0=py3.11_0`, `numpy>=1.26`) and a `pip:` list. */
export function parseCondaEnv(text: string, filename: string): DependencyFile {
  const doc = parseYamlWithPositions(text, filename);
  const deps = obj(doc.value).dependencies;
  const out: Dependency[] = [];
  if (!Array.isArray(deps)) return { dependencies: out, includes: [], kind: 'conda' };
  deps.forEach((d, i) => {
    if (typeof d === 'string') {
      const line = doc.positionOf(`/dependencies/${i}`)?.line ?? 1;
      const dep = parseConda(d, line);
      if (dep) out.push(dep);
    } else if (Array.isArray(obj(d).pip)) {
      (obj(d).pip as unknown[]).forEach((p, j) => {
        if (typeof p !== 'string') return;
        const dep = parseRequirementsTxt(p).dependencies[0];
        if (dep) out.push({ ...dep, line: doc.positionOf(`/dependencies/${i}/pip/${j}`)?.line ?? 1 });
      });
    }
  });
  check(out);
  return { dependencies: out, includes: [], kind: 'conda' };
}

function parseConda(spec: string, line: number): Dependency | undefined {
  const s = spec.trim().replace(/^[\w.-]+::/, '').replace(/\[.*\]$/, '');
  const m = /^([A-Za-z0-9_.-]+)\s*(.*)$/.exec(s);
  if (!m) return undefined;
  const conda = normalizeName(m[1]);
  if (CONDA_SKIP.has(conda)) return undefined;
  const name = CONDA_TO_PYPI[conda] ?? conda;
  const rest = m[2].trim();
  let specifier = rest;
  let exact: string | undefined;
  const single = /^=([^=<>!,|*\s]+)(?:=(\S+))?$/.exec(rest);
  if (single && single[2] !== undefined) { exact = single[1]; specifier = `==${single[1]}`; } // name=version=build: one build
  else if (single) specifier = `==${single[1]}.*`; // conda's `=1.2` is a prefix match
  else { specifier = rest.replace(/\s+/g, ''); exact = exactOf(specifier); }
  return { name, display: m[1], specifier, exact, hashed: false, line, dev: false, lock: false };
}

/** Which parser a dependency file takes, by its name. Undefined for files this module does not read (setup.py). */
export function parseDependencyFile(path: string, text: string): DependencyFile | undefined {
  const base = path.slice(path.lastIndexOf('/') + 1).toLowerCase();
  if (/\.(txt|in)$/.test(base)) return parseRequirementsTxt(text, /dev|test|lint|doc/.test(base));
  if (base === 'pyproject.toml') return parsePyproject(text);
  if (base === 'poetry.lock' || base === 'uv.lock') return parseTomlLock(text, base);
  if (base === 'pipfile') return parsePipfile(text);
  if (base === 'pipfile.lock') return parsePipfileLock(text);
  if (base === 'setup.cfg') return parseSetupCfg(text);
  if (/^(environment|conda)\.ya?ml$/.test(base)) return parseCondaEnv(text, path);
  return undefined;
}

export interface LoadedDependency extends Dependency {
  /** `base.in:3` when the dependency comes from a file included with `-r`/`-c` (its `line` is the include's). */
  via?: string;
}

const MAX_INCLUDE_DEPTH = 5;
const MAX_INCLUDES = 50;
const MAX_INCLUDE_BYTES = 2 * 1024 * 1024;

/**
 * The dependencies of a rule's file, parsed once per file, with `-r`/`-c` includes followed when the included
 * file would not be scanned on its own (e.g. `base.in`, `../common/reqs.pip`): inside the scanned root only, no
 * symlinks, bounded in depth, count and size. Undefined for files this module does not read.
 */
export function dependenciesOf(ctx: { reader: { text(): Promise<{ text: string; truncated: boolean }> }; file: { path: string; absPath: string } }): Promise<LoadedDependency[] | undefined | FormatError> {
  return parsedOnceAsync(ctx.reader, async (text) => {
    const parsed = parseDependencyFile(ctx.file.path, text);
    if (!parsed) return undefined;
    const out: LoadedDependency[] = [...parsed.dependencies];
    const root = ctx.file.absPath.slice(0, ctx.file.absPath.length - ctx.file.path.length);
    await follow(root, ctx.file.path, parsed.includes, out, new Set([ctx.file.path]), 0);
    return out;
  });
}

async function follow(root: string, from: string, includes: Include[], out: LoadedDependency[], seen: Set<string>, depth: number): Promise<void> {
  if (depth >= MAX_INCLUDE_DEPTH) return;
  for (const inc of includes) {
    if (inc.constraint || seen.size > MAX_INCLUDES || /^[a-z]+:\/\//i.test(inc.path) || posix.isAbsolute(inc.path)) continue;
    const rel = posix.normalize(posix.join(posix.dirname(from), inc.path));
    if (rel.startsWith('../') || rel === '..' || seen.has(rel)) continue;
    seen.add(rel);
    try {
      const st = await lstat(root + rel);
      if (!st.isFile() || st.size > MAX_INCLUDE_BYTES) continue;
      const buf = await readFile(root + rel);
      if (classify(rel, buf.subarray(0, 8192), buf.length).kind === 'dependency') continue; // scanned on its own
      const nested = parseRequirementsTxt(buf.toString('utf8'));
      for (const d of nested.dependencies) out.push({ ...d, via: `${rel}:${d.line}`, line: inc.line });
      await follow(root, rel, nested.includes.map((n) => ({ ...n, line: inc.line })), out, seen, depth + 1);
    } catch (error) {
      if (!(error instanceof FormatError) && (error as NodeJS.ErrnoException)?.code === undefined) throw error;
    }
  }
}

const asyncCache = new WeakMap<object, Promise<unknown>>();

function parsedOnceAsync<T>(reader: { text(): Promise<{ text: string; truncated: boolean }> }, parse: (text: string) => Promise<T>): Promise<T | FormatError> {
  let p = asyncCache.get(reader) as Promise<T | FormatError> | undefined;
  if (!p) {
    p = reader.text().then(({ text }) => parse(text)).catch((error) => {
      if (error instanceof FormatError) return error;
      throw error;
    });
    asyncCache.set(reader, p);
  }
  return p;
}
