/**
 * `ai-gate init [DIR]`: looks at a repository (its models, datasets, workflows, deployment configs) through the
 * same discovery the scan uses, and writes a starter policy and workflow. Existing files are kept unless
 * `--force` is given. Nothing in the repository is executed or parsed beyond its first bytes.
 */
import { mkdir, readFile, stat, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { discover } from '../discovery/index.js';
import type { FileFormat, FileKind, ScannedFile } from '../discovery/types.js';
import { ConfigurationError } from '../engine/errors.js';
import { silentLogger } from '../engine/logger.js';
import { REPO_URL } from '../meta.js';
import { POLICY_SCHEMA_ID } from '../policy/schema.js';

export const INIT_POLICY_PATH = '.github/ai-gate.yml';
export const INIT_WORKFLOW_PATH = '.github/workflows/ai-gate.yml';
/** The clearly marked placeholder for the action's commit SHA: the user pins a release's commit. */
export const ACTION_PIN_PLACEHOLDER = 'PIN-TO-A-RELEASE-COMMIT-SHA';
const ACTION_REPO = REPO_URL.replace('https://github.com/', '');
/** actions/checkout v4.2.2, pinned by commit (the tag is in the comment). */
const CHECKOUT = 'actions/checkout@11bd71901bbe5b1630ceea73d27597364c9af683 # v4.2.2';

const PICKLE_FORMATS: ReadonlySet<FileFormat> = new Set(['pickle', 'pytorch-zip', 'torch-legacy', 'joblib']);
/** Model formats that are not pickle-based and which `model/serialization-format` may name in `allow`. */
const SAFE_MODEL_FORMATS: ReadonlySet<string> = new Set(['safetensors', 'onnx', 'gguf', 'keras', 'hdf5', 'tflite', 'npy']);

/** What init found, by kind; paths relative to the repository root. */
export interface RepoProfile {
  byKind: Partial<Record<FileKind, string[]>>;
  modelFormats: string[];
  pickleModels: string[];
  /** Top-level folders (up to two levels) holding datasets. */
  datasetDirs: string[];
  /** Folders that look like test fixtures (a candidate for `paths.ignore`, left for the user to decide). */
  fixtureDirs: string[];
  /** The branch pushes run on (from .git/HEAD when there is one), `main` otherwise. */
  defaultBranch: string;
}

export async function profileRepository(root: string): Promise<RepoProfile> {
  const { files } = await discover({ root, ignore: [], logger: silentLogger, maxHeadBytes: 512 });
  const byKind: Partial<Record<FileKind, string[]>> = {};
  for (const f of files) (byKind[f.kind] ??= []).push(f.path);
  const models = files.filter((f) => f.kind === 'model');
  return {
    byKind,
    modelFormats: [...new Set(models.map((f) => f.format))].sort(),
    pickleModels: models.filter((f) => PICKLE_FORMATS.has(f.format)).map((f) => f.path),
    datasetDirs: folders(files.filter((f) => f.kind === 'dataset')),
    fixtureDirs: [...new Set(files.map((f) => /^(.*?\b(?:tests?|fixtures?)\/)/.exec(f.path)?.[1]).filter((d): d is string => Boolean(d)))]
      .filter((d) => /fixtures?\/$/.test(d)).sort().slice(0, 5),
    defaultBranch: await headBranch(root),
  };
}

function folders(files: ScannedFile[]): string[] {
  return [...new Set(files.map((f) => f.path.split('/').slice(0, -1).slice(0, 2).join('/') || '.'))].sort().slice(0, 10);
}

async function headBranch(root: string): Promise<string> {
  const head = await readFile(join(root, '.git', 'HEAD'), 'utf8').catch(() => '');
  const m = /^ref: refs\/heads\/([A-Za-z0-9._/-]{1,100})\s*$/.exec(head);
  return m ? m[1] : 'main';
}

const n = (list: string[] | undefined) => list?.length ?? 0;
const yamlString = (s: string) => JSON.stringify(s);

function inventoryLines(p: RepoProfile): string[] {
  const parts: Array<[FileKind, string, string]> = [
    ['model', 'model file', 'model files'], ['dataset', 'dataset', 'datasets'], ['workflow', 'workflow', 'workflows'],
    ['dockerfile', 'Dockerfile', 'Dockerfiles'], ['k8s', 'Kubernetes manifest', 'Kubernetes manifests'],
    ['dependency', 'dependency file', 'dependency files'], ['notebook', 'notebook', 'notebooks'], ['config', 'config', 'configs'],
  ];
  const found = parts.filter(([k]) => n(p.byKind[k]) > 0).map(([k, one, many]) => `${n(p.byKind[k])} ${n(p.byKind[k]) === 1 ? one : many}`);
  return [`# What init found: ${found.length ? found.join(', ') : 'no AI assets yet (the gate still checks secrets and workflows)'}.`];
}

/** The starter policy: `recommended` plus what this repository's contents suggest, every choice commented. */
export function renderPolicy(p: RepoProfile): string {
  const lines = [
    `# yaml-language-server: $schema=${POLICY_SCHEMA_ID}`,
    '#',
    '# Policy of ai-pipeline-gate, written by `ai-gate init`. Every key is documented in docs/policy.md of',
    `# ${REPO_URL}; each rule has a page under docs/rules/.`,
    ...inventoryLines(p),
    '',
    '# Start from the built-in policy: every rule on at its documented severity. `strict` also blocks on medium',
    '# findings and scans the whole tree.',
    'extends: recommended',
    '',
    '# Critical and high findings fail the pull request; medium and low ones are shown to reviewers.',
    'fail-on: high',
    '',
    '# Judge a pull request by what it adds or changes.',
    'scope: changed',
    '',
  ];
  if (p.fixtureDirs.length) {
    lines.push(
      '# These folders look like test fixtures. Ignoring hides everything in them, so prefer an exception with a',
      '# reason and an expiry; uncomment only if they hold deliberately unsafe files.',
      '# paths:',
      `#   ignore: [${p.fixtureDirs.map((d) => yamlString(`${d}**`)).join(', ')}]`,
      '',
    );
  }
  lines.push(...ruleLines(p), '', ...exceptionLines(p));
  return `${lines.join('\n')}\n`;
}

function ruleLines(p: RepoProfile): string[] {
  const out: string[] = [];
  const safe = p.modelFormats.filter((f) => SAFE_MODEL_FORMATS.has(f));
  if (n(p.byKind.model) > 0) {
    out.push(
      `# Model formats found here: ${p.modelFormats.join(', ')}. Pickle-based formats run code when loaded;`,
      '# model/unsafe-pickle blocks pickles that import dangerous callables, model/serialization-format names the',
      '# format itself (medium). Allowing a pickle-based format (e.g. joblib) is a decision: add it to `allow`.',
      `  model/serialization-format: { allow: [${(safe.length ? safe : ['safetensors', 'onnx', 'gguf']).join(', ')}] }`,
    );
    if (p.pickleModels.length) {
      out.push(`# Pickle-based models: ${p.pickleModels.slice(0, 5).join(', ')}${p.pickleModels.length > 5 ? ', …' : ''}.`);
    }
  }
  if (n(p.byKind.dataset) > 0) {
    out.push(
      `# Datasets found under: ${p.datasetDirs.join(', ')}. data/pii (high) looks for personal data; narrow the`,
      '# entities only if some are expected (e.g. synthetic emails), and add a dataset card for data/provenance.',
      '# data/pii: { entities: [email, phone, us-ssn, credit-card, iban], min-count: 1 }',
    );
  }
  const head = '# Per-rule settings: `off`, a severity, or a mapping with `severity` and the rule\'s options.';
  if (!out.some((l) => !l.startsWith('#'))) return [head, ...out, 'rules: {}'];
  return [head, 'rules:', ...out.map((l) => (l.startsWith('#') ? `  ${l}` : l))];
}

function exceptionLines(p: RepoProfile): string[] {
  const example = p.pickleModels[0] ?? 'models/legacy/**';
  return [
    '# Accepted findings: each needs the rule, the paths, a reason and an expiry date (then it is reported again).',
    '# exceptions:',
    '#   - rule: model/serialization-format',
    `#     paths: [${yamlString(example)}]`,
    '#     reason: "Legacy checkpoint; migration to safetensors tracked in #123"',
    '#     expires: 2027-03-31',
    'exceptions: []',
  ];
}

/** The starter workflow: least permissions, fork-safe trigger, the action pinned by a placeholder to replace. */
export function renderWorkflow(p: RepoProfile): string {
  return [
    '# Runs ai-pipeline-gate on every pull request, written by `ai-gate init`.',
    '# Fork-safe: `pull_request` (never `pull_request_target`) gives a fork\'s run a read-only token; the gate then',
    '# annotates through the log and the job summary instead of a check run and a comment.',
    'name: AI pipeline gate',
    'on:',
    '  pull_request:',
    '  merge_group:',
    '  push:',
    `    branches: [${yamlString(p.defaultBranch)}]`,
    'permissions: {}',
    'jobs:',
    '  gate:',
    '    runs-on: ubuntu-latest',
    '    permissions:',
    '      contents: read        # read the code and the base-branch policy',
    '      checks: write         # the check run and its annotations',
    '      pull-requests: write  # the one sticky PR comment',
    '      # security-events: write  # only with the SARIF upload below',
    '    steps:',
    `      - uses: ${CHECKOUT}`,
    '        with:',
    '          persist-credentials: false',
    `      # REPLACE ${ACTION_PIN_PLACEHOLDER} with the full commit SHA of the release you adopt (keep the tag as a`,
    '      # comment). Until then this step cannot run, and the gate itself reports the line (workflow/unpinned-action).',
    `      - uses: ${ACTION_REPO}@${ACTION_PIN_PLACEHOLDER} # v1`,
    '        id: gate',
    '      # To see findings in code scanning, uncomment (and grant security-events: write above):',
    '      # - uses: github/codeql-action/upload-sarif@v3   # pin by commit SHA as well',
    '      #   if: always()',
    '      #   with:',
    '      #     sarif_file: ${{ steps.gate.outputs.sarif-file }}',
    '',
  ].join('\n');
}

export const INIT_HELP = `Usage: ai-gate init [DIR] [--force]

Looks at DIR (default: .) and writes a starter ${INIT_POLICY_PATH} and ${INIT_WORKFLOW_PATH}.
Existing files are left alone unless --force is given.
`;

export interface InitIo {
  stdout: NodeJS.WritableStream;
  cwd: string;
}

/** `ai-gate init [DIR] [--force]`: 0 when both files exist afterwards, 1 when one was kept, 2 on usage errors. */
export async function initCommand(args: string[], io: InitIo): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({ args, allowPositionals: true, options: { force: { type: 'boolean', default: false }, help: { type: 'boolean', short: 'h', default: false } } });
  } catch (error) {
    throw new ConfigurationError(`${(error as Error).message} (see ai-gate init --help)`);
  }
  if (parsed.values.help) {
    io.stdout.write(INIT_HELP);
    return 0;
  }
  if (parsed.positionals.length > 1) throw new ConfigurationError(`init takes one folder, got ${parsed.positionals.length}`);
  const dir = parsed.positionals[0] ?? '.';
  const root = resolve(io.cwd, dir);
  if (!(await stat(root).catch(() => undefined))?.isDirectory()) throw new ConfigurationError(`${dir} is not a folder`);

  const profile = await profileRepository(root);
  const outputs: Array<[string, string]> = [[INIT_POLICY_PATH, renderPolicy(profile)], [INIT_WORKFLOW_PATH, renderWorkflow(profile)]];
  let kept = 0;
  for (const [path, text] of outputs) {
    const abs = join(root, path);
    const exists = Boolean(await stat(abs).catch(() => undefined));
    if (exists && !parsed.values.force) {
      io.stdout.write(`kept     ${path} (it exists; --force overwrites it)\n`);
      kept++;
      continue;
    }
    await mkdir(dirname(abs), { recursive: true });
    await writeFile(abs, text);
    io.stdout.write(`${exists ? 'replaced' : 'wrote   '} ${path}\n`);
  }
  io.stdout.write(`${inventoryLines(profile)[0].slice(2)}\n`
    + `Next: replace ${ACTION_PIN_PLACEHOLDER} in ${INIT_WORKFLOW_PATH} with a release's commit SHA, run\n`
    + `  ai-gate scan ${dir}\n`
    + 'and commit both files.\n');
  return kept ? 1 : 0;
}
