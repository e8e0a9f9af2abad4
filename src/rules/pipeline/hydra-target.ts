import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { rootOf } from '../../detect/cards.js';
import { defineRule } from '../../engine/rule.js';
import { FormatError } from '../../formats/errors.js';
import { joinPointer, parseYamlDocumentsWithPositions, type YamlDocument } from '../../formats/yaml-positions.js';

interface Options { allow: string[]; packages: string[]; deny: string[] }

/**
 * Callables that run commands, evaluate code, import by name or unpickle: what a `_target_` must never name.
 * The list follows the dangerous globals that pickle scanners (picklescan, fickling) flag, applied to Hydra's
 * `instantiate`, which imports and calls whatever `_target_` names.
 */
const DANGEROUS = [
  'os.system', 'os.popen', 'os.exec*', 'os.spawn*', 'os.posix_spawn*', 'posix.system', 'nt.system', 'subprocess.*',
  'builtins.eval', 'builtins.exec', 'builtins.compile', 'builtins.__import__', 'builtins.getattr', 'builtins.open',
  'eval', 'exec', 'compile', '__import__', 'importlib.*', 'runpy.*', 'pty.spawn', 'code.*', 'ctypes.*',
  'pickle.load*', '_pickle.load*', 'cPickle.load*', 'dill.load*', 'cloudpickle.load*', 'marshal.load*', 'shelve.open',
  'joblib.load', 'torch.load', 'numpy.load', 'pandas.read_pickle', 'yaml.unsafe_load*', 'yaml.load', 'shutil.rmtree',
  'hydra.utils.instantiate', 'hydra.utils.call', 'hydra.utils.get_method', 'hydra.utils.get_class', 'hydra.utils.get_object',
  'webbrowser.open', 'platform.popen', 'commands.*',
];
/** Libraries whose callables ML configs routinely instantiate (models, optimizers, data modules, loggers). */
const COMMON = [
  'torch', 'torchvision', 'torchaudio', 'torchtext', 'torchmetrics', 'torch_geometric', 'lightning', 'pytorch_lightning',
  'transformers', 'datasets', 'tokenizers', 'diffusers', 'peft', 'accelerate', 'trl', 'timm', 'sentence_transformers',
  'sklearn', 'numpy', 'pandas', 'scipy', 'xgboost', 'lightgbm', 'catboost', 'tensorflow', 'keras', 'jax', 'flax', 'optax',
  'hydra', 'omegaconf', 'functools.partial', 'albumentations', 'monai', 'detectron2', 'mmengine', 'mmcv', 'mmdet',
  'einops', 'evaluate', 'wandb', 'mlflow', 'optuna', 'bitsandbytes', 'nemo', 'fairseq', 'segmentation_models_pytorch',
  'builtins.dict', 'builtins.list', 'builtins.tuple', 'builtins.set', 'builtins.int', 'builtins.float', 'builtins.str',
  'builtins.bool', 'builtins.range', 'builtins.slice', 'pathlib.Path', 'datetime', 'math', 'random.Random', 'collections',
];
const MAX_NODES = 100_000;
const DOTTED = /^[A-Za-z_][\w]*(\.[A-Za-z_][\w]*)*$/;

export default defineRule<Options>({
  meta: {
    id: 'pipeline/hydra-target',
    description: 'A Hydra/OmegaConf config has a _target_ that names a dangerous callable or a module outside the project and its allowed libraries.',
    help: [
      '`hydra.utils.instantiate(cfg)` imports and calls whatever `_target_` names, with the arguments beside it',
      '(`_partial_: true` defers the call, `_call_: false` only imports it). A config is easy to overlook in review,',
      'yet `_target_: os.system` with `_args_: ["curl ... | sh"]` runs a command as soon as training starts, and a',
      'target in an unfamiliar package runs that package\'s code. Targets that run commands, evaluate code, import',
      'by name or unpickle are critical; targets outside the project\'s own packages (top-level folders or modules',
      'of the repository), well-known ML libraries and the policy\'s `allow` list get the configured severity, as',
      'do targets computed by interpolation (`${...}`).',
      '',
      '**Remediation**: point `_target_` at a class or function of the project or of a reviewed library; never at',
      'a process, eval or import helper. Add a library the team trusts to `allow` (a module prefix such as',
      '`my_company_models`), and the project\'s own packages to `packages` when they are not top-level folders.',
    ].join('\n'),
    defaultSeverity: 'medium',
    docs: {
      examples: {
        bad: [
          {
            title: 'A config makes instantiate() run a shell command',
            lang: 'yaml',
            file: 'conf/callbacks/setup.yaml',
            code: [
              'callbacks:',
              '  setup:',
              '    _target_: os.system',
              '    _args_:',
              '      - echo pwned',
            ].join('\n'),
          },
        ],
        good: [
          {
            title: 'Targets point at classes of well-known libraries',
            lang: 'yaml',
            file: 'conf/model/resnet.yaml',
            code: [
              'model:',
              '  _target_: torchvision.models.resnet50',
              '  weights: null',
              'optimizer:',
              '  _target_: torch.optim.AdamW',
              '  _partial_: true',
              '  lr: 0.001',
            ].join('\n'),
          },
        ],
      },
      references: [
        { title: 'Hydra: instantiating objects', url: 'https://hydra.cc/docs/advanced/instantiate_objects/overview/' },
      ],
    },
    kinds: ['config'],
    formats: ['yaml', 'json'],
    options: {
      type: 'object',
      properties: {
        allow: { type: 'array', description: 'Module prefixes (e.g. `my_lib`, `my_lib.models.Net`) that targets may name, besides well-known ML libraries.', items: { type: 'string', pattern: '^[A-Za-z_][\\w.]*\\*?$' }, uniqueItems: true },
        packages: { type: 'array', description: 'The project\'s own top-level packages, when they are not top-level folders or modules of the repository.', items: { type: 'string', pattern: '^[A-Za-z_]\\w*$' }, uniqueItems: true },
        deny: { type: 'array', description: 'More callables to treat as dangerous (a trailing `*` matches a prefix).', items: { type: 'string', pattern: '^[A-Za-z_][\\w.]*\\*?$' }, uniqueItems: true },
      },
      additionalProperties: false,
    },
    defaultOptions: { allow: [], packages: [], deny: [] },
  },
  async checkFile(ctx) {
    const { text } = await ctx.reader.text();
    if (!text.includes('_target_')) return;
    let docs: YamlDocument[];
    try {
      docs = parseYamlDocumentsWithPositions(text, ctx.file.path);
    } catch (error) {
      if (!(error instanceof FormatError)) throw error;
      ctx.report({ message: `This config has _target_ keys but is not valid YAML (${error.message}); its targets could not be checked: fix the syntax.` });
      return;
    }
    const root = rootOf(ctx.file);
    const own = (pkg: string) => ctx.options.packages.includes(pkg) || [join(root, pkg), join(root, `${pkg}.py`), join(root, 'src', pkg)].some((p) => existsSync(p));
    const deny = [...DANGEROUS, ...ctx.options.deny];
    const allow = [...COMMON, ...ctx.options.allow];
    for (const doc of docs) {
      for (const { pointer, target, node } of targets(doc.value)) {
        const pos = doc.positionOf(pointer);
        const where = { line: pos?.line, column: pos?.column, keyPath: pointer.slice(1).replace(/\//g, '.'), fingerprintKey: `${pointer}\0${target}` };
        const mode = node._partial_ === true ? ' (as a partial, called later)' : node._call_ === false ? ' (imported, not called)' : '';
        if (/\$\{/.test(target)) {
          ctx.report({ ...where, message: `_target_ is computed from an interpolation (${target}), so whoever sets that value chooses which callable instantiate runs: name the class or function directly.` });
        } else if (!DOTTED.test(target)) {
          ctx.report({ ...where, message: `_target_ ${JSON.stringify(target.slice(0, 80))} is not a dotted Python name, so instantiate will fail or import something unexpected: name the class or function as module.Name.` });
        } else if (deny.some((p) => matches(target, p))) {
          ctx.report({ ...where, severity: 'critical', message: `_target_ ${target}${mode} makes hydra.utils.instantiate run a command, evaluate code, import by name or unpickle: point it at a class or function of the project or of a reviewed library.` });
        } else if (!allow.some((p) => matches(target, p)) && !own(target.split('.')[0])) {
          ctx.report({ ...where, message: `_target_ ${target}${mode} imports module ${target.split('.').slice(0, -1).join('.') || target}, which is neither one of the project's packages nor an allowed library: check what it runs, then add it to the rule's allow list, or point _target_ at reviewed code.` });
        }
      }
    }
  },
});

/** `a.b` matches `a.b`, `a.b.C`; `a.b*` matches any name starting with `a.b`. */
function matches(target: string, pattern: string): boolean {
  if (pattern.endsWith('*')) return target.startsWith(pattern.slice(0, -1));
  return target === pattern || target.startsWith(`${pattern}.`);
}

type Obj = Record<string, unknown>;
function* targets(value: unknown): Iterable<{ pointer: string; target: string; node: Obj }> {
  const stack: Array<[unknown, string]> = [[value, '']];
  for (let seen = 0; stack.length > 0 && seen < MAX_NODES; seen++) {
    const [v, pointer] = stack.pop()!;
    if (Array.isArray(v)) {
      for (let i = v.length - 1; i >= 0; i--) stack.push([v[i], joinPointer(pointer, i)]);
    } else if (typeof v === 'object' && v !== null) {
      const node = v as Obj;
      if (typeof node._target_ === 'string') yield { pointer: joinPointer(pointer, '_target_'), target: node._target_.trim(), node };
      for (const [k, child] of Object.entries(node).reverse()) if (k !== '_target_') stack.push([child, joinPointer(pointer, k)]);
    }
  }
}
