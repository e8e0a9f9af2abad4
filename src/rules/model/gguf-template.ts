import { defineRule, type FileContext } from '../../engine/rule.js';
import { checkChatTemplate } from '../../formats/chat-template.js';
import { FormatError } from '../../formats/errors.js';
import { readGgufHeader } from '../../formats/gguf.js';

type Options = Record<string, never>;
const FIX = 'do not serve this model with a runtime that renders templates unsandboxed; replace the template with the upstream one';

export default defineRule<Options>({
  meta: {
    id: 'model/gguf-template',
    description: 'A GGUF model whose chat template escapes the Jinja sandbox, does not parse, or whose header is malformed.',
    help: [
      'GGUF models carry their chat template (`tokenizer.chat_template`) inside the file, and inference servers render',
      'it with Jinja for every request. A template that reaches Python internals (`__class__`, `__subclasses__`,',
      '`__globals__`, `__builtins__`, `lipsum`/`cycler` gadgets, the `attr` filter) runs code on the server where the',
      'renderer is not sandboxed, as in CVE-2024-34359 (llama-cpp-python). The header is read with a bound on every',
      'count and length; the template is parsed into a syntax tree and never rendered. A template that does not parse',
      'is suspicious in itself: scanners and renderers disagree about what it does.',
      '',
      '**Remediation**: do not load the model with an unsandboxed renderer. Take the chat template from the upstream',
      'model card or tokenizer config, write it into the GGUF metadata (`gguf-set-metadata` / `gguf_new_metadata.py`),',
      'and keep llama-cpp-python at 0.2.72 or later, which renders in a sandbox.',
    ].join('\n'),
    defaultSeverity: 'critical',
    docs: {
      examples: {
        bad: [
          {
            title: 'A GGUF chat template that reaches Python internals (metadata key and value)',
            lang: 'jinja',
            code: [
              '# tokenizer.chat_template',
              '{{ cycler.__init__.__globals__.os.popen(\'id\').read() }}',
              '{% for message in messages %}{{ message[\'content\'] }}{% endfor %}',
            ].join('\n'),
          },
        ],
        good: [
          {
            title: 'A plain ChatML-style template',
            lang: 'jinja',
            code: [
              '# tokenizer.chat_template',
              '{% for message in messages %}{{ \'<|im_start|>\' + message[\'role\'] + \'\\n\' + message[\'content\'] + \'<|im_end|>\\n\' }}{% endfor %}',
              '{% if add_generation_prompt %}{{ \'<|im_start|>assistant\\n\' }}{% endif %}',
            ].join('\n'),
          },
        ],
      },
      references: [
        { title: 'GGUF specification (ggml-org/ggml docs/gguf.md)', url: 'https://github.com/ggml-org/ggml/blob/master/docs/gguf.md' },
        { title: 'CVE-2024-34359 (llama-cpp-python template injection)', url: 'https://nvd.nist.gov/vuln/detail/CVE-2024-34359' },
      ],
    },
    kinds: ['model'],
    formats: ['gguf'],
    options: { type: 'object', properties: {}, additionalProperties: false },
    defaultOptions: {},
  },
  async checkFile(ctx) {
    let header;
    try {
      header = await readGgufHeader((o, l) => ctx.reader.read(o, l), ctx.file.size);
    } catch (error) {
      if (!(error instanceof FormatError)) throw error;
      ctx.report({
        severity: 'high', byteOffset: error.offset, fingerprintKey: `header\0${error.message}`,
        message: `Malformed GGUF header: ${error.message}; loaders may read it differently from this scan, so its chat template could not be checked: re-download the model from its publisher.`,
      });
      return;
    }
    for (const [key, value] of header.metadata) {
      if (key !== 'tokenizer.chat_template' && !key.startsWith('tokenizer.chat_template.')) continue;
      if (typeof value !== 'string') {
        ctx.report({ severity: 'high', byteOffset: header.offsets.get(key), fingerprintKey: `unreadable\0${key}`,
          message: `GGUF key ${key} is not a readable string (${JSON.stringify(value, (_k, v) => (typeof v === 'bigint' ? String(v) : v)).slice(0, 80)}); the template could not be checked: ${FIX}.` });
        continue;
      }
      checkTemplate(ctx, key, value, header.offsets.get(key));
    }
  },
});

function checkTemplate(ctx: FileContext<Options>, key: string, template: string, byteOffset?: number): void {
  const result = checkChatTemplate(template);
  if (result.parseError !== undefined && result.issues.length === 0) {
    ctx.report({
      severity: 'medium', byteOffset, fingerprintKey: `parse\0${key}`,
      message: `GGUF ${key} does not parse as a Jinja template (${result.parseError}); renderers may still run parts of it and scanners cannot see what it does: ${FIX}.`,
    });
    return;
  }
  const worst = result.issues.some((i) => i.severity === 'critical') ? 'critical' : 'high';
  if (result.issues.length) {
    const list = result.issues.slice(0, 5).map((i) => i.what).join(', ') + (result.issues.length > 5 ? `, and ${result.issues.length - 5} more` : '');
    const unparsed = result.parseError !== undefined ? ` in a template that does not parse (${result.parseError}), found as text` : '';
    ctx.report({
      severity: worst, byteOffset, fingerprintKey: `escape\0${key}\0${result.issues.map((i) => i.what).join(',')}`,
      message: `GGUF ${key} reaches outside the Jinja sandbox (${list})${unparsed}, the CVE-2024-34359 pattern: rendering it can run code on the inference server; ${FIX}.`,
    });
  }
}
