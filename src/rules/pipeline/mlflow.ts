import { existsSync } from 'node:fs';
import { join, posix } from 'node:path';
import { rootOf } from '../../detect/cards.js';
import { commandRisk, locateInScalar, positionAt, urlCredential } from '../../detect/pipeline-config.js';
import { defineRule, type FileContext } from '../../engine/rule.js';
import type { Severity } from '../../engine/severity.js';
import { FormatError } from '../../formats/errors.js';
import { joinPointer, parseYamlWithPositions, type YamlDocument } from '../../formats/yaml-positions.js';

type Options = Record<string, never>;
type Obj = Record<string, unknown>;
const RAISE: Record<Severity, Severity> = { low: 'medium', medium: 'high', high: 'critical', critical: 'critical' };
const TRACKING = /(?:MLFLOW_TRACKING_URI|MLFLOW_REGISTRY_URI|tracking_uri|registry_uri)\b["']?\s*(?:[:=(,]\s*)+["']?([a-z][\w+.-]*:\/\/[^\s"'`)\\]+)/gi;
const MAX_URIS = 1000;

export default defineRule<Options>({
  meta: {
    id: 'pipeline/mlflow',
    description: 'An MLflow MLmodel loads its model through pickle, an MLproject entry point fetches and runs remote code, or a tracking URI carries a credential.',
    help: [
      'MLflow packages models with an `MLmodel` file that tells `mlflow.pyfunc.load_model` how to load them. Several',
      'flavours unpickle: `python_function` with a `python_model` (cloudpickle), `sklearn` with',
      '`serialization_format: pickle` or `cloudpickle`, and `pytorch` with a `pickle_module_name`; a custom',
      '`loader_module` imports code shipped beside the model. Loading such a model, including in a serving',
      'container, runs whatever the pickle says. The artifact itself is checked by `model/unsafe-pickle` and',
      '`model/serialization-format` when it is in the repository. `MLproject` entry points run on `mlflow run`;',
      'one that pipes a download into a shell runs remote code. A tracking or registry URI with `user:password@`',
      'or a token in it publishes that credential (it is never shown in reports).',
      '',
      '**Remediation**: log models in a format that does not unpickle (`skops` for scikit-learn,',
      '`mlflow.pytorch.log_model(..., export_model=True)` or state dicts as safetensors, ONNX); commit entry-point',
      'scripts instead of fetching them; pass tracking credentials through `MLFLOW_TRACKING_USERNAME`/',
      '`MLFLOW_TRACKING_PASSWORD` or `MLFLOW_TRACKING_TOKEN` secrets, and rotate any that were committed.',
    ].join('\n'),
    defaultSeverity: 'medium',
    docs: {
      examples: {
        bad: [
          {
            title: 'An sklearn model logged with cloudpickle',
            lang: 'yaml',
            file: 'models/clf/MLmodel',
            code: [
              'artifact_path: model',
              'flavors:',
              '  python_function:',
              '    loader_module: mlflow.sklearn',
              '    model_path: model.pkl',
              '  sklearn:',
              '    pickled_model: model.pkl',
              '    serialization_format: cloudpickle',
            ].join('\n'),
          },
        ],
        good: [
          {
            title: 'The same model logged with skops',
            lang: 'yaml',
            file: 'models/clf/MLmodel',
            code: [
              'artifact_path: model',
              'flavors:',
              '  python_function:',
              '    loader_module: mlflow.sklearn',
              '    model_path: model.skops',
              '  sklearn:',
              '    pickled_model: model.skops',
              '    serialization_format: skops',
              '    sklearn_version: 1.5.0',
            ].join('\n'),
          },
        ],
      },
    },
    kinds: ['text', 'config', 'dependency', 'workflow', 'dockerfile', 'k8s', 'notebook'],
    options: { type: 'object', properties: {}, additionalProperties: false },
    defaultOptions: {},
  },
  async checkFile(ctx) {
    const base = posix.basename(ctx.file.path);
    const { text } = await ctx.reader.text();
    if (base === 'MLmodel' || base === 'MLproject') {
      let doc: YamlDocument;
      try {
        doc = parseYamlWithPositions(text, ctx.file.path);
      } catch (error) {
        if (!(error instanceof FormatError)) throw error;
        ctx.report({ message: `${base} is not valid YAML (${error.message}), so MLflow cannot use it and it could not be checked: fix the syntax.` });
        return;
      }
      if (base === 'MLmodel') checkMlmodel(ctx, doc);
      else checkMlproject(ctx, doc, text);
    }
    checkTrackingUris(ctx, text);
  },
});

function checkMlmodel(ctx: FileContext<Options>, doc: YamlDocument): void {
  const flavors = (doc.value as Obj | undefined)?.flavors;
  if (!isObj(flavors)) return;
  const dir = posix.dirname(ctx.file.path);
  const artifact = (rel: unknown) => {
    if (typeof rel !== 'string' || rel === '') return 'its artifact';
    const path = dir === '.' ? rel : posix.join(dir, rel);
    const present = !rel.includes('..') && existsSync(join(rootOf(ctx.file), path));
    return present ? `${path} (checked by the model rules)` : `${path}, which is not in the repository and so cannot be checked`;
  };
  const report = (flavor: string, key: string, message: string) => {
    const pos = doc.positionOf(joinPointer(joinPointer('/flavors', flavor), key));
    ctx.report({ line: pos?.line, column: pos?.column, keyPath: `flavors.${flavor}.${key}`, fingerprintKey: `${flavor}\0${key}`, message });
  };
  const pyfunc = flavors.python_function;
  if (isObj(pyfunc) && typeof pyfunc.python_model === 'string') {
    report('python_function', 'python_model', `The python_function flavour loads a cloudpickled PythonModel from ${artifact(pyfunc.python_model)}; mlflow.pyfunc.load_model unpickles it, which can run code: log the model with a built-in flavour, or load it only from a registry the team controls.`);
  } else if (isObj(pyfunc) && typeof pyfunc.loader_module === 'string' && !pyfunc.loader_module.startsWith('mlflow.')) {
    report('python_function', 'loader_module', `The python_function flavour imports the custom loader module ${pyfunc.loader_module}${typeof pyfunc.code === 'string' ? ` from ${posix.join(dir, pyfunc.code)}` : ''} when the model is loaded: review that code like application code, or use a built-in flavour.`);
  }
  const sk = flavors.sklearn;
  if (isObj(sk) && typeof sk.serialization_format === 'string' && /pickle/.test(sk.serialization_format)) {
    report('sklearn', 'serialization_format', `The sklearn flavour stores the model with ${sk.serialization_format} in ${artifact(sk.pickled_model)}; loading it unpickles, which can run code: log it with serialization_format="skops" (or export to ONNX).`);
  }
  const pt = flavors.pytorch;
  if (isObj(pt) && typeof pt.pickle_module_name === 'string') {
    report('pytorch', 'pickle_module_name', `The pytorch flavour saved the whole model with ${pt.pickle_module_name} in ${artifact(pt.model_data)}; mlflow.pytorch.load_model unpickles it with torch.load, which can run code: log a state dict (or safetensors) and rebuild the module in code.`);
  }
}

function checkMlproject(ctx: FileContext<Options>, doc: YamlDocument, text: string): void {
  const entries = (doc.value as Obj | undefined)?.entry_points;
  if (!isObj(entries)) return;
  for (const [name, entry] of Object.entries(entries).slice(0, 1000)) {
    if (!isObj(entry) || typeof entry.command !== 'string') continue;
    const risk = commandRisk(entry.command);
    if (!risk) continue;
    const pointer = joinPointer(joinPointer('/entry_points', name), 'command');
    const where = locateInScalar(text, doc.positionOf(pointer), risk.match);
    const shown = risk.match.replace(/\s+/g, ' ').slice(0, 80);
    ctx.report(risk.kind === 'fetch-and-run'
      ? { ...where, keyPath: `entry_points.${name}.command`, severity: RAISE[ctx.severity], message: `Entry point ${name} runs \`${shown}\`, which downloads code and runs it on every mlflow run: commit the script to the project, or download it to a file and check a pinned checksum first.` }
      : { ...where, keyPath: `entry_points.${name}.command`, message: `Entry point ${name} installs ${shown} straight from a URL or git branch, so the code it runs can change between runs: pin a release, a commit hash (@<sha>) or a checksum.` });
  }
}

function checkTrackingUris(ctx: FileContext<Options>, text: string): void {
  if (!/tracking_uri|registry_uri/i.test(text)) return;
  let n = 0;
  for (const m of text.matchAll(TRACKING)) {
    if (n++ >= MAX_URIS) break;
    const cred = urlCredential(m[1]);
    if (!cred) continue;
    const at = positionAt(text, m.index! + m[0].lastIndexOf(m[1]));
    ctx.report({
      ...at, severity: cred.severity === 'critical' ? 'critical' : RAISE[ctx.severity], sensitive: cred.values, fingerprintKey: `tracking\0${cred.shown}`,
      message: `An MLflow tracking URI carries ${cred.what} (${cred.shown}): pass it through MLFLOW_TRACKING_USERNAME/MLFLOW_TRACKING_PASSWORD or MLFLOW_TRACKING_TOKEN from a secret store instead, and rotate it.`,
    });
  }
}

function isObj(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
