/**
 * Calls in Python source that run code from what they load: `trust_remote_code=True`, unpickling loaders
 * (`torch.load` without `weights_only=True`, `pickle`/`dill`/`cloudpickle`/`joblib`, `np.load(allow_pickle=True)`),
 * `yaml.load` without a safe loader, Keras `safe_mode=False`, `torch.hub.load`, and `eval`/`exec` of config
 * values. Works on tokens, so text in strings and comments never counts. Shared by `pipeline/remote-code-load`
 * (Python files) and the notebook rules (code cells).
 *
 * Severity follows what is loaded: a URL or a file a download call returned is `high`; a path in the
 * repository, or a value the scanner cannot trace, is `medium`.
 */
import type { Severity } from '../engine/severity.js';
import { DEFAULT_TOKEN_LIMITS, type CallArgument } from '../formats/python-tokens.js';
import { analyzePython, mayCall, type Origin, type PyCall, type PythonModule } from './python-module.js';

export const RISKY_LOAD_KINDS = [
  'trust-remote-code', 'torch-load', 'pickle-load', 'numpy-pickle', 'yaml-load', 'keras-unsafe', 'torch-hub', 'eval-exec',
] as const;
export type RiskyLoadKind = (typeof RISKY_LOAD_KINDS)[number];

export interface RiskyLoad {
  kind: RiskyLoadKind;
  /** The callee with import aliases resolved, e.g. `torch.load`, `pickle.loads`. */
  callee: string;
  /** 1-based position of the callee's last name (`load` in `torch.load(`). */
  line: number;
  column: number;
  /** A sentence with the call in it, saying what to do. */
  message: string;
  severity: Severity;
  /** Where the loaded value comes from, as far as the file tells. */
  origin: Origin['kind'];
}

const PICKLERS = /^(?:pickle|cPickle|_pickle|pickle5|dill|cloudpickle|joblib|sklearn\.externals\.joblib)\.(?:load|loads|Unpickler)$|^pandas\.read_pickle$/;
const YAML_UNSAFE = /^yaml\.(?:unsafe_load|unsafe_load_all)$/;
const YAML_LOAD = /^yaml\.(?:load|load_all)$/;
const SAFE_LOADER = /(?:^|\.)(?:C?SafeLoader|C?BaseLoader|FullLoader)$/;
const HEX40 = /^[0-9a-f]{40}$/;

/** Every risky load in `source`, in source order. Throws FormatError only past the tokenizer's limits. */
export function findRiskyLoads(source: string): RiskyLoad[] {
  return riskyLoadsIn(analyzePython(source));
}

/** The last callee parts CANDIDATE accepts, and the keyword and dict key that trust remote code. */
const RISKY_NAMES = ['load', 'Unpickler', 'read_pickle', 'enable_unsafe_deserialization', 'eval', 'exec', 'trust_remote_code'];
/** What can spell any character in a string's value (`\x5f`, `\u005f`) or join its lines (a backslash-newline). */
const STRING_ESCAPE = /\\[xu\r\n]/;

/**
 * False only when `source` surely has no risky load and is small enough that analysing it cannot fail on the
 * tokenizer's limits (a failure that `pipeline/remote-code-load` reports): then the analysis may be skipped,
 * which is most Python files of a repository. Every load this module reports needs one of RISKY_NAMES as a name
 * (see mayCall), or the string value `trust_remote_code`, which is in the source as it is unless an escape or a
 * backslash-newline builds it.
 */
export function mayHaveRiskyLoads(source: string): boolean {
  // Tokens never outnumber the characters by more than one, so a shorter source cannot pass the token limit.
  if (source.length >= DEFAULT_TOKEN_LIMITS.maxTokens) return true;
  return mayCall(source, RISKY_NAMES) || STRING_ESCAPE.test(source);
}

export function riskyLoadsIn(py: PythonModule): RiskyLoad[] {
  const out: RiskyLoad[] = [];
  const trusting = callsWithTrustKeyword(py);
  for (const c of py.calls) {
    if (!trusting.has(c.at) && !CANDIDATE.test(c.resolved)) continue;
    const found = checkCall(py, c);
    if (found) {
      const t = py.tokens[c.at];
      out.push({ ...found, callee: c.resolved, line: t.line, column: t.column });
    }
  }
  out.push(...trustInDicts(py));
  return out.sort((a, b) => a.line - b.line || a.column - b.column);
}

type Found = Omit<RiskyLoad, 'callee' | 'line' | 'column'>;

/** Callees worth splitting the arguments of (a cheap filter before the checks below). */
const CANDIDATE = /(?:^|\.)(?:load|loads|Unpickler|read_pickle|load_all|unsafe_load|unsafe_load_all|load_model|enable_unsafe_deserialization|eval|exec)$/;

/** The callee indices of calls that pass `trust_remote_code=`: found from the keyword back to its call's `(`. */
function callsWithTrustKeyword(py: PythonModule): Set<number> {
  const out = new Set<number>();
  const { tokens } = py;
  for (let k = 1; k < tokens.length; k++) {
    const t = tokens[k];
    if (t.type !== 'name' || t.text !== 'trust_remote_code' || tokens[k + 1]?.text !== '=' || t.depth === 0) continue;
    for (let j = k - 1, steps = 0; j > 0 && steps < 20_000; j--, steps++) {
      if (tokens[j].type === 'op' && tokens[j].text === '(' && tokens[j].depth === t.depth - 1) {
        if (tokens[j - 1]?.type === 'name') out.add(j - 1);
        break;
      }
    }
  }
  return out;
}

function checkCall(py: PythonModule, c: PyCall): Found | undefined {
  const { call } = c;
  const name = c.resolved;
  const trust = py.keyword(call, 'trust_remote_code');
  if (trust && py.constant(trust) === 'True') return trustRemoteCode(py, c);
  if (name === 'torch.hub.load') return torchHub(py, c);
  const first = py.positional(call, 0) ?? py.keyword(call, 'f') ?? py.keyword(call, 'file') ?? py.keyword(call, 'filepath') ?? py.keyword(call, 'stream');
  const shown = `${c.written}(${py.text(first, 50)}`;
  const origin = py.origin(first, c.scope);
  const what = describe(origin);
  const sev: Severity = origin.kind === 'url' || origin.kind === 'download' ? 'high' : 'medium';
  if (name === 'torch.load') {
    const wo = py.keyword(call, 'weights_only');
    if (wo && py.constant(wo) !== 'False') return undefined;
    const how = wo ? 'with weights_only=False' : 'without weights_only=True';
    return { kind: 'torch-load', severity: sev, origin: origin.kind, message: `${shown}) runs ${how}, so it unpickles ${what} and can run code from it: pass weights_only=True or store the weights as safetensors.` };
  }
  if (PICKLERS.test(name)) {
    return { kind: 'pickle-load', severity: sev, origin: origin.kind, message: `${shown}) unpickles ${what}, which can run code from it: use safetensors, JSON, Parquet or skops instead, or load only files the repository produced.` };
  }
  if (name === 'numpy.load') {
    if (py.constant(py.keyword(call, 'allow_pickle')) !== 'True') return undefined;
    return { kind: 'numpy-pickle', severity: sev, origin: origin.kind, message: `${shown}, allow_pickle=True) unpickles object arrays from ${what}, which can run code: drop allow_pickle=True and store numeric arrays.` };
  }
  if (YAML_UNSAFE.test(name) || (YAML_LOAD.test(name) && !safeLoader(py, call.args))) {
    return { kind: 'yaml-load', severity: sev, origin: origin.kind, message: `${shown}) without a safe Loader can construct arbitrary Python objects from ${what}: use yaml.safe_load (or Loader=yaml.SafeLoader).` };
  }
  if (/(?:^|\.)load_model$/.test(name) && py.constant(py.keyword(call, 'safe_mode')) === 'False') {
    return { kind: 'keras-unsafe', severity: sev, origin: origin.kind, message: `${shown}, safe_mode=False) lets Lambda layers in ${what} run code when it loads: remove safe_mode=False and define custom layers in code.` };
  }
  if (/(?:^|\.)enable_unsafe_deserialization$/.test(name) && /keras/.test(name)) {
    return { kind: 'keras-unsafe', severity: 'medium', origin: 'unknown', message: `${c.written}() turns off Keras safe mode for every later load_model, so Lambda layers in any model loaded afterwards run code: remove it and define custom layers in code.` };
  }
  if (/^(?:builtins\.)?(?:eval|exec)$/.test(name) && !c.written.startsWith('?.')) return evalExec(py, c, first, origin);
  return undefined;
}

function describe(o: Origin): string {
  switch (o.kind) {
    case 'url': return `a remote file (${o.detail})`;
    case 'download': return `a downloaded file (${o.detail})`;
    case 'config': return `a path taken from ${o.detail}`;
    case 'local': return `the file ${o.detail}`;
    default: return 'whatever file it is given';
  }
}

function safeLoader(py: PythonModule, args: CallArgument[]): boolean {
  const loader = args.find((a) => a.keyword === 'Loader') ?? args.filter((a) => !a.keyword && !a.star)[1];
  return loader !== undefined && SAFE_LOADER.test(py.text(loader, 200).replace(/\s+/g, ''));
}

function trustRemoteCode(py: PythonModule, c: PyCall): Found {
  const target = py.positional(c.call, 0) ?? py.keyword(c.call, 'pretrained_model_name_or_path') ?? py.keyword(c.call, 'model') ?? py.keyword(c.call, 'repo_id');
  const id = py.stringValue(target, c.scope);
  const revision = py.stringValue(py.keyword(c.call, 'revision'), c.scope);
  const shown = `${c.written}(${py.text(target, 50)})`;
  if (id !== undefined && /^(?:\.{1,2}\/|\/|~)/.test(id)) {
    return { kind: 'trust-remote-code', severity: 'medium', origin: 'local', message: `${shown} passes trust_remote_code=True, which imports and runs the Python files in ${id}: review those files like any other code in the change, or use an architecture built into the library.` };
  }
  if (revision && HEX40.test(revision)) {
    return { kind: 'trust-remote-code', severity: 'medium', origin: 'download', message: `${shown} passes trust_remote_code=True, which runs the model repository's own Python code, pinned to commit ${revision.slice(0, 12)}: keep the pin and review the code at that commit, or use an architecture built into the library.` };
  }
  const repo = id !== undefined ? `model repository ${id}` : 'the model repository it names';
  return { kind: 'trust-remote-code', severity: 'high', origin: 'download', message: `${shown} passes trust_remote_code=True, which downloads and runs the Python files of ${repo} at whatever revision is current: pin revision= to a reviewed commit hash, or use an architecture built into the library.` };
}

function torchHub(py: PythonModule, c: PyCall): Found | undefined {
  const source = py.stringValue(py.keyword(c.call, 'source'), c.scope);
  if (source === 'local') return undefined;
  const repoArg = py.positional(c.call, 0) ?? py.keyword(c.call, 'repo_or_dir');
  const repo = py.stringValue(repoArg, c.scope);
  const shown = `${c.written}(${py.text(repoArg, 50)})`;
  const ref = repo?.includes(':') ? repo.slice(repo.indexOf(':') + 1) : undefined;
  if (ref && HEX40.test(ref)) {
    return { kind: 'torch-hub', severity: 'medium', origin: 'download', message: `${shown} imports and runs hubconf.py from GitHub at commit ${ref.slice(0, 12)}: keep the pin and review that code, or vendor the model definition.` };
  }
  const at = ref ? `ref ${ref}, which can move` : 'its default branch';
  return { kind: 'torch-hub', severity: 'high', origin: 'download', message: `${shown} imports and runs hubconf.py from ${repo ? `GitHub repository ${repo.split(':')[0]}` : 'a GitHub repository'} at ${at}: pin it to a reviewed commit ('owner/repo:<sha>') or vendor the model definition.` };
}

function evalExec(py: PythonModule, c: PyCall, first: CallArgument | undefined, origin: Origin): Found | undefined {
  if (!first || py.stringValue(first, c.scope) !== undefined) return undefined;
  const fn = c.written.replace(/^builtins\./, '');
  const shown = `${c.written}(${py.text(first, 50)})`;
  if (origin.kind === 'url' || origin.kind === 'download') {
    return { kind: 'eval-exec', severity: 'high', origin: origin.kind, message: `${shown} runs code fetched from the network (${origin.detail}): ship the code in the repository instead of fetching it.` };
  }
  if (origin.kind !== 'config') return undefined;
  return { kind: 'eval-exec', severity: 'medium', origin: 'config', message: `${shown} runs a config or command-line value (${origin.detail}) as Python code, so whoever edits the config runs code: parse it with ast.literal_eval or json, or map names to callables with a lookup table instead of ${fn}.` };
}

/** `{"trust_remote_code": True}` in a dict literal (model_kwargs, config dicts): a real setting, not a mention. */
function trustInDicts(py: PythonModule): RiskyLoad[] {
  const out: RiskyLoad[] = [];
  const { tokens } = py;
  for (let k = 0; k + 2 < tokens.length; k++) {
    const t = tokens[k];
    if (t.type !== 'string' || (t as { value?: string }).value !== 'trust_remote_code') continue;
    if (tokens[k + 1].text !== ':' || tokens[k + 2].text !== 'True' || tokens[k + 2].type !== 'name') continue;
    out.push({
      kind: 'trust-remote-code', callee: 'trust_remote_code', line: t.line, column: t.column, severity: 'high', origin: 'download',
      message: 'A keyword dictionary sets "trust_remote_code": True, so the model it is passed to runs its repository\'s own Python code: pin the model to a reviewed commit hash, or use an architecture built into the library.',
    });
  }
  return out;
}
