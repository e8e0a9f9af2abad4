import { defineRule } from '../../engine/rule.js';
import { FormatError } from '../../formats/errors.js';
import { dockerfileOf, keyValues, splitImage } from '../../formats/dockerfile.js';

interface Options { requireDigest: boolean }

export default defineRule<Options>({
  meta: {
    id: 'container/unpinned-base-image',
    description: 'A FROM image is untagged or `:latest` without a digest (or, with `requireDigest`, has no digest).',
    help: [
      'An untagged or `:latest` base image is whatever the registry serves at build time: builds are not',
      'reproducible, a CUDA or framework upgrade lands unnoticed, and a compromised upstream tag flows straight',
      'into your model server. A version tag is better; a digest (`@sha256:…`) is immutable.',
      '',
      '**Remediation**: pin a version tag and a digest, e.g. `FROM python:3.12-slim@sha256:<digest>`, and let',
      'Dependabot or Renovate update it. With `requireDigest: true` every FROM without a digest is reported.',
    ].join('\n'),
    defaultSeverity: 'medium',
    docs: {
      examples: {
        bad: [
          {
            title: 'The base image follows :latest',
            lang: 'dockerfile',
            file: 'Dockerfile',
            code: [
              'FROM vllm/vllm-openai:latest',
            ].join('\n'),
          },
        ],
        good: [
          {
            title: 'A version tag and a digest',
            lang: 'dockerfile',
            file: 'Dockerfile',
            code: [
              'FROM vllm/vllm-openai:v0.6.3@sha256:0000000000000000000000000000000000000000000000000000000000000000',
            ].join('\n'),
          },
        ],
      },
      references: [
        { title: 'Dockerfile reference: FROM', url: 'https://docs.docker.com/reference/dockerfile/#from' },
      ],
    },
    kinds: ['dockerfile'],
    options: {
      type: 'object',
      properties: { requireDigest: { type: 'boolean', description: 'Report every base image without a digest, tagged or not.' } },
      additionalProperties: false,
    },
    defaultOptions: { requireDigest: false },
  },
  async checkFile(ctx) {
    const df = await dockerfileOf(ctx);
    if (df instanceof FormatError) return;
    // ARGs declared before the first FROM are the only variables FROM can use.
    const args = new Map<string, string>();
    for (const ins of df.instructions) {
      if (ins.keyword === 'FROM') break;
      if (ins.keyword === 'ARG') for (const { key, value } of keyValues(ins.args)) if (value !== undefined) args.set(key, value);
    }
    for (const stage of df.stages) {
      const image = stage.image.replace(/\$\{?(\w+)\}?/g, (whole, name: string) => args.get(name) ?? whole);
      const lower = image.toLowerCase();
      // scratch, an unresolved variable, or an earlier stage of this file: nothing to pin.
      if (lower === 'scratch' || image.includes('$') || df.stages.some((s) => s.index < stage.index && s.name === lower)) continue;
      const { tag, digest } = splitImage(image);
      if (digest) continue;
      if (tag !== undefined && tag !== 'latest' && !ctx.options.requireDigest) continue;
      const via = image !== stage.image ? ` (from ${stage.image})` : '';
      const what = tag === undefined ? 'has no tag' : tag === 'latest' ? 'uses the moving :latest tag' : `is pinned by tag (:${tag}) only, which can be re-pushed`;
      ctx.report({
        message: `FROM ${image}${via} ${what}, so each build may get a different image: pin a version tag and a digest (@sha256:…).`,
        line: stage.from.line, column: stage.from.column, fingerprintKey: image,
      });
    }
  },
});
