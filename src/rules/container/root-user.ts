import { defineRule } from '../../engine/rule.js';
import { FormatError } from '../../formats/errors.js';
import { dockerfileOf } from '../../formats/dockerfile.js';

export default defineRule({
  meta: {
    id: 'container/root-user',
    description: 'The final image runs as root: its last stage sets no USER, or sets USER root.',
    help: [
      'Without a `USER` instruction a container runs as root. A model server parses untrusted requests and often',
      'loads model files that can run code (pickle checkpoints, custom code from a model hub); as root, a compromise',
      'of the process can modify the image\'s files, read mounted credentials and, with a misconfigured runtime,',
      'escape to the host.',
      '',
      '**Remediation**: create an unprivileged user and switch to it at the end of the final stage',
      '(`RUN useradd --uid 10001 --create-home app` then `USER 10001`), or start from a non-root base image',
      '(e.g. a distroless `:nonroot` tag); also set `runAsNonRoot: true` in the Kubernetes manifest.',
    ].join('\n'),
    defaultSeverity: 'medium',
    docs: {
      examples: {
        bad: [
          {
            title: 'A model server image with no USER runs as root',
            lang: 'dockerfile',
            file: 'Dockerfile',
            code: [
              'FROM python:3.12-slim',
              'COPY serve.py /app/serve.py',
              'CMD ["python", "/app/serve.py"]',
            ].join('\n'),
          },
        ],
        good: [
          {
            title: 'An unprivileged user for the final stage',
            lang: 'dockerfile',
            file: 'Dockerfile',
            code: [
              'FROM python:3.12-slim',
              'RUN useradd --create-home --uid 10001 app',
              'COPY serve.py /app/serve.py',
              'USER app',
              'CMD ["python", "/app/serve.py"]',
            ].join('\n'),
          },
        ],
      },
      references: [
        { title: 'Dockerfile reference: USER', url: 'https://docs.docker.com/reference/dockerfile/#user' },
        { title: 'Kubernetes Pod Security Standards (restricted requires runAsNonRoot)', url: 'https://kubernetes.io/docs/concepts/security/pod-security-standards/' },
      ],
    },
    kinds: ['dockerfile'],
    options: { type: 'object', properties: {}, additionalProperties: false },
    defaultOptions: {},
  },
  async checkFile(ctx) {
    const df = await dockerfileOf(ctx);
    if (df instanceof FormatError) return;
    const last = df.stages[df.stages.length - 1];
    if (!last) return;
    const users = df.instructions.filter((i) => i.keyword === 'USER' && i.stage === last.index);
    const final = users[users.length - 1];
    if (!final) {
      if (/[:@-]nonroot\b|:.*-nonroot/.test(last.image)) return;
      ctx.report({
        message: `The final stage (FROM ${last.image}) sets no USER, so the container runs as root: add a non-root USER at the end of the Dockerfile.`,
        line: last.from.line, column: last.from.column, fingerprintKey: 'no-user',
      });
      return;
    }
    const user = final.args.trim().split(/\s+/)[0] ?? '';
    if (/^(root|0)(:(root|0))?$/.test(user)) {
      ctx.report({
        message: `The final stage switches to USER ${user}, so the container runs as root: switch to an unprivileged user (e.g. USER 10001) after the steps that need root.`,
        line: final.line, column: final.column, fingerprintKey: 'root-user',
      });
    }
  },
});
