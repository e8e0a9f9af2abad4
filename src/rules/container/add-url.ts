import { defineRule } from '../../engine/rule.js';
import { FormatError } from '../../formats/errors.js';
import { dockerfileOf } from '../../formats/dockerfile.js';

export default defineRule({
  meta: {
    id: 'container/add-url',
    description: 'An ADD instruction fetches a remote URL without a `--checksum`.',
    help: [
      '`ADD https://…` downloads at build time and trusts whatever the server returns; nothing records what was',
      'fetched. Model-serving Dockerfiles use it for weights, tokenizers and binaries: a changed or hijacked file',
      'is built into the image silently (and a pickle-based checkpoint fetched this way runs code when loaded).',
      '',
      '**Remediation**: add `--checksum=sha256:<digest>` (BuildKit, Dockerfile 1.6+), or `RUN curl -fsSLo` the file',
      'and verify its SHA-256; for models, pin the revision (commit) of the hub repository.',
    ].join('\n'),
    defaultSeverity: 'medium',
    docs: {
      examples: {
        bad: [
          {
            title: 'ADD fetches model weights with no checksum',
            lang: 'dockerfile',
            file: 'Dockerfile',
            code: [
              'FROM python:3.12-slim',
              'ADD https://huggingface.co/acme/classifier/resolve/main/model.safetensors /models/',
            ].join('\n'),
          },
        ],
        good: [
          {
            title: 'ADD with --checksum',
            lang: 'dockerfile',
            file: 'Dockerfile',
            code: [
              'FROM python:3.12-slim',
              'ADD --checksum=sha256:0000000000000000000000000000000000000000000000000000000000000000 https://huggingface.co/acme/classifier/resolve/main/model.safetensors /models/',
            ].join('\n'),
          },
        ],
      },
      references: [
        { title: 'Dockerfile reference: ADD --checksum', url: 'https://docs.docker.com/reference/dockerfile/#add---checksum' },
      ],
    },
    kinds: ['dockerfile'],
    options: { type: 'object', properties: {}, additionalProperties: false },
    defaultOptions: {},
  },
  async checkFile(ctx) {
    const df = await dockerfileOf(ctx);
    if (df instanceof FormatError) return;
    for (const ins of df.instructions) {
      if (ins.keyword !== 'ADD' || /(^|\s)--checksum=/.test(ins.args)) continue;
      const url = ins.args.split(/\s+/).find((w) => /^(https?|ftp):\/\/|^git@|\.git(#|$)/i.test(w));
      if (!url) continue;
      ctx.report({
        message: `ADD fetches ${url} without a checksum, so whatever the server returns is built into the image: add --checksum=sha256:… or download and verify it in a RUN step.`,
        line: ins.line, column: ins.column, fingerprintKey: url,
      });
    }
  },
});
