import { defineRule, type FileContext } from '../../engine/rule.js';
import { FormatError } from '../../formats/errors.js';
import { looksLikePickle } from '../../formats/magic.js';
import { parseNpyHeader } from '../../formats/npy.js';
import { readZipDirectory, readZipMember, type ZipEntry } from '../../formats/zip.js';

/** Format names the `allow` option takes. The pickle-based ones are reported unless listed. */
const PICKLE_BASED = ['pickle', 'pytorch-zip', 'torch-legacy', 'joblib', 'npy-object', 'npz-object'] as const;
const OTHER = ['safetensors', 'onnx', 'gguf', 'keras', 'hdf5', 'tflite', 'npy'] as const;
type Allowed = (typeof PICKLE_BASED)[number] | (typeof OTHER)[number];
interface Options { allow: Allowed[] }

const ADVICE = 'prefer safetensors for weights (or ONNX/skops for whole models), or load it only with torch.load(weights_only=True)';
/** How much of an .npz member to inflate to read its .npy header (the header is at most a few KiB). */
const NPY_HEADER_BYTES = 64 * 1024;
/** Members of a zip whose first bytes are sniffed for a pickle, and how many bytes of each. */
const MAX_SNIFFED_MEMBERS = 1000;
const SNIFF_BYTES = 512;

export default defineRule<Options>({
  meta: {
    id: 'model/serialization-format',
    description: 'A model or array is stored in a pickle-based format, which runs code when loaded.',
    help: [
      'Pickle is a small program, not data: `pickle.load`, `torch.load` (without `weights_only=True`),',
      '`joblib.load` and `np.load(allow_pickle=True)` execute whatever the file tells them to. A model shared',
      'in a pickle-based format can therefore run code on every machine that loads it. This rule names the',
      'format (a raw pickle under any extension, a PyTorch zip checkpoint and its pickled member, a legacy',
      'PyTorch file, a joblib dump, a NumPy array of Python objects); `model/unsafe-pickle` reports what the',
      'pickle would actually import.',
      '',
      '**Remediation**: save weights with safetensors (`safetensors.torch.save_file`), export whole models to',
      'ONNX, or use skops for scikit-learn. If the team accepts a pickle-based format, list it in the policy:',
      '`model/serialization-format: { allow: [joblib] }`.',
    ].join('\n'),
    defaultSeverity: 'medium',
    docs: {
      examples: {
        bad: [
          {
            title: 'A whole model saved with pickle (pickletools.dis of a file that calls os.system on load)',
            lang: 'text',
            code: [
              '    0: \\x80 PROTO      2',
              '    2: c    GLOBAL     \'posix system\'',
              '   16: q    BINPUT     0',
              '   18: X    BINUNICODE \'id\'',
              '   25: q    BINPUT     1',
              '   27: \\x85 TUPLE1',
              '   28: q    BINPUT     2',
              '   30: R    REDUCE',
              '   31: q    BINPUT     3',
              '   33: .    STOP',
            ].join('\n'),
          },
        ],
        good: [
          {
            title: 'Weights saved with safetensors',
            lang: 'python',
            code: [
              'from safetensors.torch import save_file',
              '',
              'save_file(model.state_dict(), "models/classifier/model.safetensors")',
            ].join('\n'),
          },
        ],
      },
      references: [
        { title: 'Python docs: pickle (security warning)', url: 'https://docs.python.org/3/library/pickle.html' },
        { title: 'safetensors format (huggingface/safetensors README)', url: 'https://github.com/huggingface/safetensors' },
      ],
    },
    kinds: ['model'],
    options: {
      type: 'object',
      properties: {
        allow: {
          type: 'array',
          description: 'Serialization formats the project accepts; pickle-based ones not listed are reported.',
          items: { enum: [...PICKLE_BASED, ...OTHER] },
          uniqueItems: true,
        },
      },
      additionalProperties: false,
    },
    defaultOptions: { allow: ['safetensors', 'onnx', 'gguf'] },
  },
  async checkFile(ctx) {
    const allowed = new Set<string>(ctx.options.allow);
    const report = (format: Allowed, message: string, extra: { member?: string } = {}) => {
      if (!allowed.has(format)) ctx.report({ message, fingerprintKey: `${format}\0${extra.member ?? ''}`, ...extra });
    };
    const { file } = ctx;
    switch (file.format) {
      case 'pickle':
        return report('pickle', `Raw pickle (protocol ${pickleProtocol(file.head)}); unpickling runs whatever the file says: ${ADVICE}.`);
      case 'torch-legacy':
        return report('torch-legacy', `Legacy PyTorch checkpoint (stacked pickles, pre-1.6 layout); torch.load unpickles it: ${ADVICE}.`);
      case 'joblib':
        return report('joblib', `joblib dump (a pickle, possibly compressed); joblib.load unpickles it: ${ADVICE}.`);
      case 'npy': {
        const header = parseNpyHeader(file.head);
        if (header.hasObjects) {
          report('npy-object', `NumPy array of Python objects (dtype ${header.descr}); np.load(allow_pickle=True) unpickles it: store a numeric dtype instead.`);
        }
        return;
      }
      case 'npz':
        return checkNpz(ctx, report);
      case 'pytorch-zip':
      case 'zip':
      case 'keras':
        return checkZip(ctx, report);
      default:
        return;
    }
  },
});

type Report = (format: Allowed, message: string, extra?: { member?: string }) => void;

async function directory(ctx: FileContext<Options>): Promise<ZipEntry[] | undefined> {
  try {
    return (await readZipDirectory((o, l) => ctx.reader.read(o, l), ctx.file.size)).entries;
  } catch (error) {
    if (!(error instanceof FormatError)) throw error;
    if (ctx.file.format === 'pytorch-zip') {
      ctx.report({ message: `PyTorch zip checkpoint whose directory cannot be read (${error.message}); it cannot be verified and torch.load may still unpickle it.` });
    }
    return undefined;
  }
}

async function checkZip(ctx: FileContext<Options>, report: Report): Promise<void> {
  const pickles: ZipEntry[] = [];
  let sniffed = 0;
  for (const entry of (await directory(ctx)) ?? []) {
    if (isPickleMember(entry.name)) pickles.push(entry);
    else if (!isTensorStorage(entry.name) && sniffed++ < MAX_SNIFFED_MEMBERS && (await memberIsPickle(ctx, entry))) pickles.push(entry);
  }
  if (pickles.length === 0) return;
  const names = pickles.slice(0, 3).map((e) => e.name).join(', ') + (pickles.length > 3 ? `, and ${pickles.length - 3} more` : '');
  const torch = pickles.some((e) => /(^|\/)data\.pkl$/.test(e.name));
  const what = torch ? 'PyTorch zip checkpoint' : 'Zip archive';
  const loader = torch ? 'torch.load unpickles it' : 'whatever loads that member unpickles it';
  report('pytorch-zip', `${what} with pickled member ${names}; ${loader}: ${ADVICE}.`, { member: pickles[0].name });
}

async function checkNpz(ctx: FileContext<Options>, report: Report): Promise<void> {
  for (const entry of (await directory(ctx)) ?? []) {
    if (!entry.name.endsWith('.npy')) continue;
    const { data } = await readZipMember((o, l) => ctx.reader.read(o, l), ctx.file.size, entry, NPY_HEADER_BYTES);
    let descr: string | undefined;
    try {
      const header = parseNpyHeader(data);
      if (header.hasObjects) descr = header.descr;
    } catch (error) {
      if (!(error instanceof FormatError)) throw error;
      continue;
    }
    if (descr) {
      report('npz-object', `NumPy archive member ${entry.name} holds Python objects (dtype ${descr}); np.load(allow_pickle=True) unpickles it: store a numeric dtype instead.`, { member: entry.name });
    }
  }
}

/** A pickle under another name (`data.txt`) is still unpickled by a loader that opens it: sniff the bytes. */
async function memberIsPickle(ctx: FileContext<Options>, entry: ZipEntry): Promise<boolean> {
  try {
    const { data } = await readZipMember((o, l) => ctx.reader.read(o, l), ctx.file.size, entry, SNIFF_BYTES);
    return looksLikePickle(data);
  } catch (error) {
    if (error instanceof FormatError) return false;
    throw error;
  }
}

/** torch.save stores tensor bytes as `<name>/data/<key>`; raw floats are data, not pickles, and can be huge. */
function isTensorStorage(name: string): boolean {
  return /(^|\/)data\/\d+$/.test(name) || /(^|\/)(version|byteorder|\.data\/serialization_id)$/.test(name);
}

/** torch.save writes `<name>/data.pkl` (and may add more `.pkl` members); any of them is unpickled on load. */
function isPickleMember(name: string): boolean {
  return /\.(pkl|pickle)$/i.test(name);
}

function pickleProtocol(head: Buffer): string {
  return head[0] === 0x80 && head.length > 1 ? String(head[1]) : '0 or 1';
}
