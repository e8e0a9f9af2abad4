import { defineRule } from '../../engine/rule.js';
import { FormatError } from '../../formats/errors.js';
import { dockerfileOf } from '../../formats/dockerfile.js';
import { CURL_PIPE_SHELL } from '../../formats/workflow.js';

export default defineRule({
  meta: {
    id: 'container/curl-pipe-shell',
    description: 'A RUN instruction downloads a script and pipes it straight into a shell or interpreter.',
    help: [
      '`RUN curl https://… | sh` builds whatever the server returns that day into the image, unverified and',
      'unrecorded. Model-serving images often install drivers, runtimes and CLIs this way; a hijacked download host',
      'then ships code in every image built, and rebuilds are not reproducible.',
      '',
      '**Remediation**: download to a file, check a pinned SHA-256 (`echo "<sha>  f" | sha256sum -c`), then run it;',
      'or install a pinned package from a signed repository.',
    ].join('\n'),
    defaultSeverity: 'high',
    docs: {
      examples: {
        bad: [
          {
            title: 'An installer piped into sh during the build',
            lang: 'dockerfile',
            file: 'Dockerfile',
            code: [
              'FROM ubuntu:24.04',
              'RUN curl -fsSL https://get.example.com/install.sh | sh',
            ].join('\n'),
          },
        ],
        good: [
          {
            title: 'The installer is downloaded and verified before it runs',
            lang: 'dockerfile',
            file: 'Dockerfile',
            code: [
              'FROM ubuntu:24.04',
              'COPY install.sh.sha256 /tmp/',
              'RUN curl -fsSLo /tmp/install.sh https://get.example.com/install.sh \\',
              '    && cd /tmp && sha256sum -c install.sh.sha256 \\',
              '    && sh /tmp/install.sh',
            ].join('\n'),
          },
        ],
      },
    },
    kinds: ['dockerfile'],
    options: { type: 'object', properties: {}, additionalProperties: false },
    defaultOptions: {},
  },
  async checkFile(ctx) {
    const df = await dockerfileOf(ctx);
    if (df instanceof FormatError) return;
    for (const ins of df.instructions) {
      if (ins.keyword !== 'RUN') continue;
      const m = CURL_PIPE_SHELL.exec(ins.args);
      if (!m) continue;
      ctx.report({
        message: `RUN pipes a download into an interpreter (\`${m[0].trim().slice(0, 100)}\`): download the script, verify its checksum, then run it.`,
        line: ins.line, column: ins.column, fingerprintKey: m[0],
      });
    }
  },
});
