import { defineRule } from '../../engine/rule.js';
import { FormatError } from '../../formats/errors.js';
import { dependenciesOf, normalizeName } from '../../formats/requirements.js';

interface Options { packages: string[]; includeLibraries: boolean }

/** Frameworks whose version decides how model files are loaded and what runs on load. */
const ML_FRAMEWORKS = [
  'torch', 'torchvision', 'torchaudio', 'tensorflow', 'tensorflow-cpu', 'tensorflow-gpu', 'keras', 'jax', 'jaxlib',
  'transformers', 'diffusers', 'accelerate', 'peft', 'trl', 'datasets', 'tokenizers', 'safetensors', 'huggingface-hub',
  'sentence-transformers', 'onnx', 'onnxruntime', 'onnxruntime-gpu', 'scikit-learn', 'xgboost', 'lightgbm',
  'catboost', 'joblib', 'numpy', 'mlflow', 'langchain', 'langchain-core', 'langchain-community', 'llama-index',
  'llama-cpp-python', 'vllm', 'gradio', 'ray', 'bentoml', 'lightning', 'pytorch-lightning', 'openai', 'anthropic',
];

export default defineRule<Options>({
  meta: {
    id: 'deps/unpinned',
    description: 'An ML framework is required without an exact version pin or hashes.',
    help: [
      'A range (`torch>=2`) or a bare name installs whatever is newest on the day of the build: training and',
      'serving can run different framework versions, a model saved by one may not load in the other, and a',
      'compromised or typo-squatted release is picked up automatically. For ML frameworks the version also',
      'decides how model files are deserialised (e.g. `torch.load` defaults changed in 2.6), so it belongs in',
      'review. Lock files are pinned by construction and are not reported; `pyproject.toml` ranges of a library',
      'are only reported with `includeLibraries: true`. Development dependencies are reported like the rest (the',
      'default severity is low: this is hygiene).',
      '',
      '**Remediation**: pin exact versions (`torch==2.6.0`), ideally with hashes (`pip-compile --generate-hashes`,',
      '`uv pip compile --generate-hashes`), or commit a lock file (uv.lock, poetry.lock).',
    ].join('\n'),
    defaultSeverity: 'low',
    docs: {
      examples: {
        bad: [
          {
            title: 'ML packages required by range or by name only',
            lang: 'text',
            file: 'requirements.txt',
            code: [
              'torch>=2.0',
              'transformers',
            ].join('\n'),
          },
        ],
        good: [
          {
            title: 'Exact pins',
            lang: 'text',
            file: 'requirements.txt',
            code: [
              'torch==2.6.0',
              'transformers==4.46.0',
            ].join('\n'),
          },
        ],
      },
      references: [
        { title: 'pip: repeatable installs', url: 'https://pip.pypa.io/en/stable/topics/repeatable-installs/' },
        { title: 'pip: secure installs (hash-checking mode)', url: 'https://pip.pypa.io/en/stable/topics/secure-installs/' },
      ],
    },
    kinds: ['dependency'],
    options: {
      type: 'object',
      properties: {
        packages: { type: 'array', items: { type: 'string' }, uniqueItems: true, description: 'Packages that must be pinned (PyPI names).' },
        includeLibraries: { type: 'boolean', description: 'Also report ranges in pyproject.toml, setup.cfg and Pipfile (libraries usually declare ranges).' },
      },
      additionalProperties: false,
    },
    defaultOptions: { packages: ML_FRAMEWORKS, includeLibraries: false },
  },
  async checkFile(ctx) {
    const base = ctx.file.path.slice(ctx.file.path.lastIndexOf('/') + 1).toLowerCase();
    const library = /^(pyproject\.toml|setup\.cfg|pipfile)$/.test(base);
    if (library && !ctx.options.includeLibraries) return;
    const deps = await dependenciesOf(ctx);
    if (deps instanceof FormatError || !deps) return; // deps/vulnerable-ml-package reports a file it cannot parse
    const wanted = new Set(ctx.options.packages.map(normalizeName));
    for (const dep of deps) {
      if (dep.lock || !wanted.has(dep.name) || dep.exact !== undefined || dep.hashed) continue;
      const what = dep.url ? `comes from ${dep.url}` : dep.specifier ? `is required as ${dep.display}${dep.specifier}` : `is required without any version (${dep.display})`;
      ctx.report({
        message: `${dep.display} ${what}${dep.via ? ` (from ${dep.via})` : ''}${dep.dev ? ' in a development group' : ''}, so each install may get a different release: pin an exact version (==) with hashes, or use a lock file.`,
        line: dep.line, fingerprintKey: `${dep.name}\0${dep.specifier}`,
      });
    }
  },
});
