import { defineRule } from '../../engine/rule.js';
import { parseLfsPointer } from '../../detect/checksums.js';

interface Options { extensions: string[] }

/** The first line of every Git LFS pointer (git-lfs docs/spec.md). */
const LFS_HEAD = Buffer.from('version https://git-lfs.github.com/spec/v1');
/** Pointer files are small: the spec caps them well under 1 KiB; anything larger is content, not a pointer. */
const MAX_POINTER_BYTES = 1024;

/** Names of model weights and serialized models, as they are stored in LFS (`.gitattributes` of model hubs). */
const MODEL_EXTENSIONS = [
  '.pt', '.pth', '.bin', '.ckpt', '.safetensors', '.onnx', '.gguf', '.ggml', '.h5', '.hdf5', '.keras', '.pb',
  '.tflite', '.pkl', '.pickle', '.joblib', '.npy', '.npz', '.msgpack', '.ot', '.mlmodel', '.mar', '.pte',
];

export default defineRule<Options>({
  meta: {
    id: 'model/lfs-pointer',
    description: 'A model file in the checkout is a Git LFS pointer, so the model itself was not checked.',
    help: [
      'Model repositories keep weights in Git LFS: the file in the repository is a three-line pointer',
      '(`version`, `oid sha256:…`, `size`) and the bytes live on the LFS server. When the workflow checks out',
      'without LFS, every model rule sees the pointer, a few lines of text, and finds nothing: the pickle,',
      'the Keras Lambda layer or the GGUF template that the PR brings was never read. This rule reports each',
      'model-named file whose bytes are an LFS pointer, so that a pass does not hide what was not scanned.',
      '',
      '**Remediation**: check out LFS objects so the gate sees the model (`actions/checkout` with `lfs: true`,',
      'or `git lfs pull` before the gate runs). If the model is deliberately not fetched (too large for CI),',
      'add a policy exception for the path with the reason and an expiry, and check the model elsewhere.',
    ].join('\n'),
    defaultSeverity: 'high',
    docs: {
      examples: {
        bad: [
          {
            title: 'The checkout holds the LFS pointer instead of the weights',
            lang: 'text',
            file: 'models/classifier/model.safetensors',
            code: [
              'version https://git-lfs.github.com/spec/v1',
              'oid sha256:4d7a214614ab2935c943f9e0ff69d22eadbb8f32b1258daaa5e2ca24d17e2393',
              'size 12345',
              '',
            ].join('\n'),
          },
        ],
        good: [
          {
            title: 'The gate\'s workflow checks out LFS objects',
            lang: 'yaml',
            file: '.github/workflows/ai-gate.yml',
            code: [
              'on: pull_request',
              'jobs:',
              '  gate:',
              '    runs-on: ubuntu-latest',
              '    steps:',
              '      - uses: actions/checkout@v4',
              '        with:',
              '          lfs: true',
            ].join('\n'),
          },
        ],
      },
      references: [
        { title: 'Git LFS pointer file specification', url: 'https://github.com/git-lfs/git-lfs/blob/main/docs/spec.md' },
      ],
    },
    // Discovery classifies a pointer by its bytes (text) and its name: `.pkl` → model/pickle, most model
    // extensions → model/text, `.bin` → text/text.
    kinds: ['model', 'text'],
    options: {
      type: 'object',
      properties: {
        extensions: {
          type: 'array', items: { type: 'string', pattern: '^\\.[A-Za-z0-9._-]+$' }, uniqueItems: true,
          description: 'File extensions (with the dot, any case) that name a model; an LFS pointer under such a name is reported.',
        },
      },
      additionalProperties: false,
    },
    defaultOptions: { extensions: MODEL_EXTENSIONS },
  },
  checkFile(ctx) {
    const { file } = ctx;
    if (file.size > MAX_POINTER_BYTES || !file.head.subarray(0, LFS_HEAD.length).equals(LFS_HEAD)) return;
    const name = file.path.toLowerCase();
    if (!ctx.options.extensions.some((ext) => name.endsWith(ext.toLowerCase()))) return;
    const pointer = parseLfsPointer(file.head.subarray(0, file.size));
    const what = pointer
      ? `a Git LFS pointer (oid sha256:${pointer.oid.slice(0, 12)}…, ${pointer.size.toLocaleString('en-US')} bytes)`
      : 'a Git LFS pointer without a valid oid and size';
    ctx.report({
      line: 1,
      message: `This model file is ${what}: the model's bytes are not in the checkout, so the gate could not check them. Check out LFS objects (actions/checkout with \`lfs: true\`) so the gate sees the model, or add a policy exception with the reason.`,
      fingerprintKey: pointer ? pointer.oid : 'malformed',
    });
  },
});
