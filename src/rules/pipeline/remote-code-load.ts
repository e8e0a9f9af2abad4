import { defineRule } from '../../engine/rule.js';
import type { Severity } from '../../engine/severity.js';
import { RISKY_LOAD_KINDS, mayHaveRiskyLoads, riskyLoadsIn, type RiskyLoadKind } from '../../detect/python-loads.js';
import { pythonModuleOf } from '../../detect/python-module.js';

interface Options { checks: RiskyLoadKind[] }

/** A load whose input the repository owns (or that cannot be traced) sits one level below the configured severity. */
const LOWER: Record<Severity, Severity> = { critical: 'high', high: 'medium', medium: 'low', low: 'low' };

export default defineRule<Options>({
  meta: {
    id: 'pipeline/remote-code-load',
    description: 'Python code loads a model, pickle or config in a way that runs code from it (trust_remote_code=True, torch.load without weights_only=True, pickle/joblib loads, unsafe yaml.load, eval of config values).',
    help: [
      'Training and serving code in ML repositories loads artifacts with calls that execute what they load:',
      '`trust_remote_code=True` imports the Python files of a Hugging Face repository; `torch.load` without',
      '`weights_only=True`, `pickle`/`dill`/`cloudpickle`/`joblib` loads, `pd.read_pickle` and',
      '`np.load(allow_pickle=True)` unpickle; `yaml.load` without a safe loader builds arbitrary objects; Keras',
      '`load_model(safe_mode=False)` runs Lambda layers; `torch.hub.load` runs a GitHub repository\'s `hubconf.py`;',
      '`eval`/`exec` of a config value runs whatever the config says. The file is tokenized, so mentions in',
      'strings, docstrings and comments do not count. Severity follows what is loaded: a URL or the result of a',
      'download call (`hf_hub_download`, `requests`, `urlretrieve`, ...), followed through simple assignments in',
      'the same function, gets the configured severity; a path the repository owns, or a value that cannot be',
      'traced, gets one level lower. Notebooks are checked by `notebook/unsafe-load`.',
      '',
      '**Remediation**: pass `weights_only=True` to `torch.load` and store weights as safetensors; replace',
      'pickle-based files with safetensors, JSON, Parquet or skops; use `yaml.safe_load`; pin remote code to a',
      'reviewed commit (`revision="<sha>"`, `owner/repo:<sha>`) or use an architecture built into the library;',
      'map config names to callables with a lookup table instead of `eval`.',
    ].join('\n'),
    defaultSeverity: 'high',
    docs: {
      examples: {
        bad: [
          {
            title: 'Remote model code and an unpickled download',
            lang: 'python',
            file: 'src/load.py',
            code: [
              'from huggingface_hub import hf_hub_download',
              'from transformers import AutoModelForCausalLM',
              'import torch',
              '',
              'model = AutoModelForCausalLM.from_pretrained("some-org/chat-model", trust_remote_code=True)',
              'state = torch.load(hf_hub_download("some-org/chat-model", "pytorch_model.bin"))',
            ].join('\n'),
          },
        ],
        good: [
          {
            title: 'A pinned revision, safetensors, and weights_only for a local checkpoint',
            lang: 'python',
            file: 'src/load.py',
            code: [
              'from huggingface_hub import hf_hub_download',
              'from safetensors.torch import load_file',
              'from transformers import AutoModelForCausalLM',
              'import torch',
              '',
              'REVISION = "6c0e4a2b1d9f8e7a6b5c4d3e2f1a0b9c8d7e6f5a"  # reviewed commit of some-org/chat-model',
              'model = AutoModelForCausalLM.from_pretrained("some-org/chat-model", revision=REVISION)',
              'weights = load_file(hf_hub_download("some-org/chat-model", "model.safetensors", revision=REVISION))',
              'state = torch.load("checkpoints/last.pt", weights_only=True)',
            ].join('\n'),
          },
        ],
      },
      references: [
        { title: 'PyTorch documentation: torch.load and weights_only', url: 'https://pytorch.org/docs/stable/generated/torch.load.html' },
        { title: 'CVE-2025-32434: torch.load with weights_only=True could still run code before torch 2.6', url: 'https://nvd.nist.gov/vuln/detail/CVE-2025-32434' },
        { title: 'Transformers: models with custom code (trust_remote_code)', url: 'https://huggingface.co/docs/transformers/custom_models' },
        { title: 'PyYAML: yaml.load and safe_load', url: 'https://pyyaml.org/wiki/PyYAMLDocumentation' },
      ],
    },
    kinds: ['text', 'dependency'],
    formats: ['python'],
    options: {
      type: 'object',
      properties: {
        checks: { type: 'array', description: 'Which kinds of load to report.', items: { enum: [...RISKY_LOAD_KINDS] }, uniqueItems: true },
      },
      additionalProperties: false,
    },
    defaultOptions: { checks: [...RISKY_LOAD_KINDS] },
  },
  async checkFile(ctx) {
    // Most Python files name nothing that loads code: they are passed over without being analysed.
    if (!mayHaveRiskyLoads((await ctx.reader.text()).text)) return;
    const py = await pythonModuleOf(ctx);
    if (!py.ok) {
      // Fail closed: a file too large or too odd to analyse could hide exactly what this rule looks for.
      ctx.report({ message: `This Python file could not be checked for code-running loads (${py.error.message}); review it by hand or split it into smaller modules.` });
      return;
    }
    const on = new Set(ctx.options.checks);
    for (const load of riskyLoadsIn(py.module)) {
      if (!on.has(load.kind)) continue;
      ctx.report({
        message: load.message,
        severity: load.severity === 'high' ? ctx.severity : LOWER[ctx.severity],
        line: load.line,
        column: load.column,
        fingerprintKey: `${load.kind}\0${load.callee}\0${load.message}`,
      });
    }
  },
});
