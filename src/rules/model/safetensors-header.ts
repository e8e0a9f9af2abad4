import { defineRule } from '../../engine/rule.js';
import { FormatError } from '../../formats/errors.js';
import { readSafetensorsHeader } from '../../formats/safetensors.js';

type Options = Record<string, never>;
const MAX_REPORTED = 10;
const FIX = 're-export the file with the safetensors library (safetensors.torch.save_file) from a trusted source';

export default defineRule<Options>({
  meta: {
    id: 'model/safetensors-header',
    description: 'A safetensors file whose header does not follow the format (length, JSON, dtypes, shapes, offsets, metadata).',
    help: [
      'safetensors is the safe way to ship weights because its loader only reads a JSON header and copies bytes.',
      'That guarantee rests on the header being exactly what the format says: a bounded length, valid JSON, known',
      'dtypes, shapes whose size matches the byte ranges, ranges that tile the data without gaps or overlaps and',
      'end at the end of the file, and string-to-string metadata. A header that departs from it is either damaged',
      'or crafted to make loaders disagree (overlapping tensors, hidden bytes after the data, out-of-range offsets),',
      'so it is reported as high. Only the header is read, never the weights.',
      '',
      '**Remediation**: re-export the weights with the safetensors library from a trusted source',
      '(`safetensors.torch.save_file`) and compare checksums with the publisher\'s.',
    ].join('\n'),
    defaultSeverity: 'high',
    docs: {
      examples: {
        bad: [
          {
            title: 'A header whose tensors overlap (the JSON after the 8-byte length)',
            lang: 'json',
            code: [
              '{',
              '  "a": { "dtype": "F32", "shape": [2, 2], "data_offsets": [0, 16] },',
              '  "b": { "dtype": "F32", "shape": [2, 2], "data_offsets": [8, 24] }',
              '}',
            ].join('\n'),
          },
        ],
        good: [
          {
            title: 'Ranges that tile the data exactly',
            lang: 'json',
            code: [
              '{',
              '  "__metadata__": { "format": "pt" },',
              '  "a": { "dtype": "F32", "shape": [2, 2], "data_offsets": [0, 16] },',
              '  "b": { "dtype": "F32", "shape": [2, 2], "data_offsets": [16, 32] }',
              '}',
            ].join('\n'),
          },
        ],
      },
      references: [
        { title: 'safetensors format (huggingface/safetensors README)', url: 'https://github.com/huggingface/safetensors' },
      ],
    },
    kinds: ['model'],
    formats: ['safetensors', 'text', 'unknown'],
    options: { type: 'object', properties: {}, additionalProperties: false },
    defaultOptions: {},
  },
  async checkFile(ctx) {
    const { file } = ctx;
    // Files named .safetensors that the bytes did not confirm are checked too: they are what a loader would open.
    if (file.format !== 'safetensors' && !/\.safetensors$/i.test(file.path)) return;
    try {
      const header = await readSafetensorsHeader((o, l) => ctx.reader.read(o, l), file.size);
      for (const problem of header.problems.slice(0, MAX_REPORTED)) {
        ctx.report({ message: `Invalid safetensors header: ${problem}; ${FIX}.`, byteOffset: 8, fingerprintKey: problem });
      }
      if (header.problems.length > MAX_REPORTED) {
        ctx.report({ message: `Invalid safetensors header: ${header.problems.length - MAX_REPORTED} more problems besides those listed; ${FIX}.`, fingerprintKey: 'more' });
      }
    } catch (error) {
      if (!(error instanceof FormatError)) throw error;
      ctx.report({ message: `Not a valid safetensors file: ${error.message}; ${FIX}.`, byteOffset: error.offset, fingerprintKey: error.message });
    }
  },
});
