import { defineRule } from '../../engine/rule.js';
import type { Severity } from '../../engine/severity.js';
import { ADVISORY_TABLE_DATE, advisoriesFor } from '../../detect/advisories.js';
import { OsvError, queryOsv } from '../../detect/osv.js';
import { FormatError } from '../../formats/errors.js';
import { dependenciesOf, type LoadedDependency } from '../../formats/requirements.js';

interface Options { osv: Partial<{ enabled: boolean; url: string; timeoutMs: number }> }

const LOWER: Record<Severity, Severity> = { critical: 'high', high: 'medium', medium: 'low', low: 'low' };

export default defineRule<Options>({
  meta: {
    id: 'deps/vulnerable-ml-package',
    description: 'A dependency file pins an ML package version with a known code-execution or file-access advisory.',
    help: [
      'ML frameworks load files that can carry code (checkpoints, saved models, chat templates, YAML configs), and',
      'serving stacks expose APIs; several releases of torch, keras, tensorflow, transformers, mlflow, langchain,',
      'llama-cpp-python, gradio, ray, vllm, onnx, joblib and numpy let a crafted model file or request run code on',
      'the machine. This rule checks pinned versions (`==`, lock files, conda `name=version=build`) against a',
      `built-in advisory table (reviewed ${ADVISORY_TABLE_DATE}) with PEP 440 semantics, offline. With`,
      '`osv: { enabled: true }` in the policy it also asks OSV\'s batch API about every pinned package (the only',
      'network call the gate makes for this rule). Advisories the vendor disputes are reported one level lower.',
      '',
      '**Remediation**: upgrade to the fixed version named in the finding (and regenerate the lock file); if the',
      'upgrade must wait, record a policy exception with a reason and an expiry date.',
    ].join('\n'),
    defaultSeverity: 'high',
    docs: {
      examples: {
        bad: [
          {
            title: 'torch 2.5.1: torch.load(weights_only=True) can still run code (CVE-2025-32434)',
            lang: 'text',
            file: 'requirements.txt',
            code: [
              'torch==2.5.1',
              'transformers==4.46.3',
            ].join('\n'),
          },
        ],
        good: [
          {
            title: 'Pinned to fixed releases',
            lang: 'text',
            file: 'requirements.txt',
            code: [
              'torch==2.6.0',
              'transformers==4.53.0',
            ].join('\n'),
          },
        ],
      },
      references: [
        { title: 'CVE-2025-32434 (NVD)', url: 'https://nvd.nist.gov/vuln/detail/CVE-2025-32434' },
        { title: 'OSV: open source vulnerability database', url: 'https://osv.dev/' },
      ],
    },
    kinds: ['dependency'],
    options: {
      type: 'object',
      properties: {
        osv: {
          type: 'object',
          description: 'Online lookup through OSV (https://osv.dev); off by default.',
          properties: {
            enabled: { type: 'boolean' },
            url: { type: 'string', pattern: '^https?://', description: 'OSV API base URL.' },
            timeoutMs: { type: 'integer', minimum: 100, maximum: 120000 },
          },
          additionalProperties: false,
        },
      },
      additionalProperties: false,
    },
    defaultOptions: { osv: { enabled: false, url: 'https://api.osv.dev', timeoutMs: 15000 } },
  },
  async checkFile(ctx) {
    const deps = await dependenciesOf(ctx);
    if (deps instanceof FormatError) {
      ctx.report({ message: `This dependency file could not be parsed (${deps.message}); its versions were not checked for advisories.` });
      return;
    }
    const pinned = (deps ?? []).filter((d): d is LoadedDependency & { exact: string } => d.exact !== undefined);
    for (const dep of pinned) {
      for (const a of advisoriesFor(dep.name, dep.exact)) {
        const ids = [a.id, ...(a.aliases ?? [])].join(' / ');
        ctx.report({
          message: `${dep.display} ${dep.exact}${where(dep)} is affected by ${ids} (${a.summary}${a.disputed ? '; disputed by the vendor' : ''}): ${a.fixed ? `upgrade to ${a.fixed} or later` : 'no fixed release exists; do not expose it to untrusted input'}.`,
          severity: a.disputed ? LOWER[ctx.severity] : ctx.severity,
          line: dep.line, fingerprintKey: `${dep.name}\0${dep.exact}\0${a.id}`,
        });
      }
    }
    const osv = { enabled: false, url: 'https://api.osv.dev', timeoutMs: 15000, ...ctx.options.osv };
    if (!osv.enabled || pinned.length === 0) return;
    try {
      const results = await queryOsv(pinned.map((d) => ({ name: d.name, version: d.exact })), { url: osv.url, timeoutMs: osv.timeoutMs });
      pinned.forEach((dep, i) => {
        const known = new Set(advisoriesFor(dep.name, dep.exact).flatMap((a) => [a.id, ...(a.aliases ?? [])]));
        const extra = results[i].map((v) => v.id).filter((id) => !known.has(id));
        if (extra.length === 0) return;
        ctx.report({
          message: `${dep.display} ${dep.exact}${where(dep)} has ${extra.length} known vulnerabilit${extra.length === 1 ? 'y' : 'ies'} in OSV (${extra.slice(0, 5).join(', ')}${extra.length > 5 ? ', …' : ''}): upgrade to a fixed version (see https://osv.dev/list?ecosystem=PyPI&q=${encodeURIComponent(dep.name)}).`,
          line: dep.line, fingerprintKey: `${dep.name}\0${dep.exact}\0osv`,
        });
      });
    } catch (error) {
      if (!(error instanceof OsvError)) throw error;
      ctx.logger.warning(`${ctx.file.path}: ${error.message}; only the built-in advisory table (${ADVISORY_TABLE_DATE}) was checked.`);
    }
  },
});

function where(dep: LoadedDependency): string {
  return dep.via ? ` (from ${dep.via})` : '';
}
