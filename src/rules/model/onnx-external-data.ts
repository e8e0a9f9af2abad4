import { posix } from 'node:path';
import { defineRule } from '../../engine/rule.js';
import { FormatError } from '../../formats/errors.js';
import { readOnnxModel } from '../../formats/onnx.js';

interface Options { allowDomains: string[] }

/** Operator domains implemented by ONNX itself and by ONNX Runtime's built-in contrib kernels. */
const BUILTIN_DOMAINS = new Set(['', 'ai.onnx', 'ai.onnx.ml', 'ai.onnx.training', 'ai.onnx.preview.training', 'com.microsoft',
  'com.microsoft.nchwc', 'com.microsoft.experimental', 'com.microsoft.dml', 'com.ms.internal.nhwc']);
const MAX_REPORTED = 10;

export default defineRule<Options>({
  meta: {
    id: 'model/onnx-external-data',
    description: 'An ONNX model whose external tensor data points outside its folder, or that needs custom operator libraries.',
    help: [
      'ONNX stores large tensors in external files named by a `location` inside the model. The spec makes that',
      'path relative to the model\'s folder; an absolute path or one that climbs out with `..` makes the loader read',
      'any file on the machine into the model (CVE-2024-27318, CVE-2024-27319 in onnx\'s own loader), for example',
      'credentials that then leave with the model\'s outputs or a re-saved copy. Operators in a domain that neither',
      'ONNX nor ONNX Runtime implements need a custom operator library, native code loaded with the model',
      '(medium). The protobuf is decoded field by field, without native code, and tensor bytes are never read.',
      '',
      '**Remediation**: re-save the model with `onnx.save_model(..., save_as_external_data=True, location="weights.bin")`',
      'so that external data sits beside the model; for custom operators, review and pin the library that provides',
      'them, or list their domain in `allowDomains`.',
    ].join('\n'),
    defaultSeverity: 'high',
    docs: {
      examples: {
        bad: [
          {
            title: 'An initializer whose external data location climbs out of the model folder (protobuf text form)',
            lang: 'text',
            code: [
              'initializer {',
              '  name: "embedding.weight"',
              '  data_type: 1',
              '  dims: 4',
              '  data_location: EXTERNAL',
              '  external_data { key: "location" value: "../../../../etc/passwd" }',
              '}',
            ].join('\n'),
          },
        ],
        good: [
          {
            title: 'External data in a file beside the model',
            lang: 'text',
            code: [
              'initializer {',
              '  name: "embedding.weight"',
              '  data_type: 1',
              '  dims: 50257',
              '  dims: 768',
              '  data_location: EXTERNAL',
              '  external_data { key: "location" value: "model.onnx.data" }',
              '}',
            ].join('\n'),
          },
        ],
      },
      references: [
        { title: 'ONNX: external data', url: 'https://onnx.ai/onnx/repo-docs/ExternalData.html' },
      ],
    },
    kinds: ['model'],
    formats: ['onnx'],
    options: {
      type: 'object',
      properties: {
        allowDomains: { type: 'array', items: { type: 'string' }, uniqueItems: true, description: 'Custom operator domains the project accepts.' },
      },
      additionalProperties: false,
    },
    defaultOptions: { allowDomains: [] },
  },
  async checkFile(ctx) {
    let model;
    try {
      model = await readOnnxModel((o, l) => ctx.reader.read(o, l), ctx.file.size);
    } catch (error) {
      if (!(error instanceof FormatError)) throw error;
      ctx.report({ severity: 'medium', byteOffset: error.offset, fingerprintKey: 'unreadable',
        message: `Not a readable ONNX model (${error.message}); its external data and operators could not be checked: re-export it with onnx.save_model.` });
      return;
    }
    let reported = 0;
    for (const ext of model.externalData) {
      const why = escapes(ctx.file.path, ext.location);
      if (!why || reported++ >= MAX_REPORTED) continue;
      ctx.report({
        byteOffset: ext.offset, fingerprintKey: `location\0${ext.location}`,
        message: `Tensor ${JSON.stringify(ext.tensor)} takes its data from ${JSON.stringify(ext.location)}, which ${why}; loading the model reads that file: store external data beside the model with a relative location.`,
      });
    }
    const allowed = new Set(ctx.options.allowDomains);
    for (const [domain, ops] of model.nodeDomains) {
      if (BUILTIN_DOMAINS.has(domain) || model.functionDomains.has(domain) || allowed.has(domain)) continue;
      const list = [...ops].slice(0, 5).join(', ') + (ops.size > 5 ? `, and ${ops.size - 5} more` : '');
      ctx.report({
        severity: 'medium', fingerprintKey: `domain\0${domain}`,
        message: `The model uses operators from the custom domain ${JSON.stringify(domain)} (${list}); running it loads a custom operator library, which is native code: review that library, or list the domain in allowDomains.`,
      });
    }
  },
});

/** Why a location leaves the model's folder, or undefined when it stays inside. */
function escapes(modelPath: string, location: string): string | undefined {
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(location)) return 'is a URL';
  if (location.startsWith('/') || location.startsWith('\\')) return 'is an absolute path';
  if (/^[A-Za-z]:/.test(location)) return 'is an absolute Windows path';
  const rel = location.replace(/\\/g, '/');
  const dir = posix.dirname(modelPath);
  const resolved = posix.normalize(posix.join(dir, rel));
  if (rel.split('/').includes('..')) {
    const inside = resolved === dir || resolved.startsWith(dir === '.' ? '' : `${dir}/`);
    if (!inside || resolved.startsWith('..')) return 'climbs out of the model\'s folder with ".."';
  }
  return undefined;
}
