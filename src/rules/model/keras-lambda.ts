import { defineRule, type FileContext } from '../../engine/rule.js';
import { FormatError } from '../../formats/errors.js';
import { scanHdf5ForKerasConfig } from '../../formats/hdf5.js';
import { checkKerasConfig, type KerasIssue } from '../../formats/keras-config.js';
import { readZipDirectory, readZipMember } from '../../formats/zip.js';

type Options = Record<string, never>;
const MAX_CONFIG_BYTES = 64 * 1024 * 1024;
const FIX = 'load it only with keras.saving.load_model(..., safe_mode=True) on Keras 3.9 or later, or rebuild the model in code and load weights only';

export default defineRule<Options>({
  meta: {
    id: 'model/keras-lambda',
    description: 'A Keras model whose config holds Lambda layers, module references or custom objects that run code when loaded.',
    help: [
      'Keras rebuilds a model from its config: `config.json` in a `.keras` zip, the `model_config` attribute of a',
      'legacy `.h5`. A `Lambda` layer carries Python bytecode and runs it; legacy HDF5 loading has no `safe_mode` at',
      'all, and Keras 3 runs it whenever `safe_mode=False`. A `module` outside Keras is imported as written, which',
      'ran code even in safe mode before Keras 3.9 (CVE-2025-1550); references to Keras helpers such as',
      '`enable_unsafe_deserialization` or `get_file` bypassed later fixes (CVE-2025-8747, CVE-2025-9906). Custom',
      'objects need the project\'s own code to be importable. The config is read as JSON, never executed.',
      '',
      '**Remediation**: replace Lambda layers with subclassed layers registered in code, save with Keras 3',
      '(`model.save("m.keras")`), load with `safe_mode=True` on Keras 3.9 or later, or rebuild the architecture in',
      'code and load only the weights.',
    ].join('\n'),
    defaultSeverity: 'critical',
    docs: {
      examples: {
        bad: [
          {
            title: 'config.json inside a .keras archive with a Lambda layer carrying bytecode',
            lang: 'json',
            code: [
              '{',
              '  "class_name": "Lambda",',
              '  "config": {',
              '    "name": "preprocess",',
              '    "function": { "class_name": "__lambda__", "config": { "code": "4wEAAAAAAAAA…", "defaults": null, "closure": null } }',
              '  }',
              '}',
            ].join('\n'),
          },
        ],
        good: [
          {
            title: 'Built-in layers only; custom logic lives in a registered subclass in the project\'s code',
            lang: 'json',
            code: [
              '{',
              '  "module": "keras.layers",',
              '  "class_name": "Dense",',
              '  "config": { "name": "head", "units": 2, "activation": "softmax" }',
              '}',
            ].join('\n'),
          },
        ],
      },
      references: [
        { title: 'Keras: saving and loading (safe_mode)', url: 'https://keras.io/api/models/model_saving_apis/model_saving_and_loading/' },
        { title: 'CVE-2025-1550 (Keras safe_mode bypass)', url: 'https://nvd.nist.gov/vuln/detail/CVE-2025-1550' },
      ],
    },
    kinds: ['model'],
    formats: ['keras', 'hdf5', 'zip'],
    options: { type: 'object', properties: {}, additionalProperties: false },
    defaultOptions: {},
  },
  async checkFile(ctx) {
    const { file } = ctx;
    if (file.format === 'hdf5') return checkH5(ctx);
    if (file.format === 'zip' && !/\.keras$/i.test(file.path)) return;
    const read = (o: number, l: number) => ctx.reader.read(o, l);
    let config: unknown;
    try {
      const dir = await readZipDirectory(read, file.size);
      const entry = dir.entries.find((e) => e.name === 'config.json');
      if (!entry) {
        ctx.report({ severity: 'medium', fingerprintKey: 'no-config', message: `Keras archive without a config.json member; it cannot be verified and is not a model Keras 3 saved: ${FIX}.` });
        return;
      }
      const member = await readZipMember(read, file.size, entry, MAX_CONFIG_BYTES);
      if (member.truncated) throw new FormatError(`config.json is larger than ${MAX_CONFIG_BYTES} bytes`);
      config = JSON.parse(member.data.toString('utf8'));
    } catch (error) {
      if (!(error instanceof FormatError) && !(error instanceof SyntaxError)) throw error;
      ctx.report({ severity: 'high', fingerprintKey: 'unreadable', message: `Keras archive whose config.json cannot be read (${(error as Error).message}); what it would load cannot be verified: ${FIX}.` });
      return;
    }
    report(ctx, checkKerasConfig(config, { legacyH5: false }), 'config.json');
  },
});

async function checkH5(ctx: FileContext<Options>): Promise<void> {
  const scan = await scanHdf5ForKerasConfig((o, l) => ctx.reader.read(o, l), ctx.file.size);
  const issues = scan.configs.flatMap((c) => checkKerasConfig(c.value, { legacyH5: true }));
  if (scan.unreadable && issues.length === 0) {
    ctx.report({ severity: 'medium', fingerprintKey: 'h5-unreadable', message: `HDF5 model whose Keras config could not be read in full (found by a bounded scan of the first ${scan.scanned} bytes); its layers could not be verified: ${FIX}.` });
  }
  report(ctx, issues, undefined);
}

function report(ctx: FileContext<Options>, issues: KerasIssue[], member: string | undefined): void {
  for (const issue of issues) {
    ctx.report({
      severity: issue.severity, member, keyPath: issue.path, fingerprintKey: issue.what,
      message: `Loading this model runs code: its config holds ${issue.what} at ${issue.path}; ${FIX}.`,
    });
  }
}
