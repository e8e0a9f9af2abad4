import { defineRule } from '../../engine/rule.js';
import { severityRank } from '../../engine/severity.js';

const WHAT: Record<string, string> = {
  'special-file': 'is not a regular file (FIFO, socket or device) and was not opened',
  unreadable: 'could not be read',
  'too-large': 'is larger than the policy lets the gate read',
  missing: 'was not checked',
};

/** Also reported by the engine when a read cap cuts a file short or a file cannot be opened. */
export default defineRule<Record<string, never>>({
  meta: {
    id: 'policy/scan-limit',
    description: 'A file could not be scanned in full (a read cap, a special file, an unreadable file).',
    help: [
      'The gate bounds what it reads so that a hostile PR cannot stall it: it never opens FIFOs or devices and',
      'reads at most `limits.max-file-bytes` of any file (`limits.max-text-bytes` as text). When one of these',
      'bounds cuts a file short, the part not read was not checked, and this finding says so.',
      '',
      '**Remediation**: remove special files from the repository; for a large file that must be scanned in',
      'full, raise the limit in the policy (`limits:`), or add an exception that records why it is safe.',
    ].join('\n'),
    defaultSeverity: 'medium',
    docs: {
      examples: {
        bad: [
          {
            title: 'A file larger than the read limit is only partly checked',
            lang: 'text',
            code: [
              'models/llm/model.gguf   7.2 GB; read up to limits.max-file-bytes, the rest was not checked',
            ].join('\n'),
          },
        ],
        good: [
          {
            title: 'The policy raises the limit for a repository whose files must be read in full',
            lang: 'yaml',
            code: [
              'limits:',
              '  max-file-bytes: 8589934592',
            ].join('\n'),
          },
        ],
      },
    },
    kinds: [],
    defaultOptions: {},
    engineReported: true,
  },
  checkRun(ctx) {
    for (const issue of ctx.discoveryIssues) {
      const what = WHAT[issue.kind];
      if (!what) continue;
      // A changed file the gate never saw could hold anything: that blocks (high), whatever the rule's level.
      const severity = issue.kind === 'missing' && severityRank(ctx.severity) > severityRank('high') ? 'high' : undefined;
      ctx.report({ path: issue.path, message: `This path ${what}: ${issue.detail}.`, fingerprintKey: issue.kind, ...(severity ? { severity } : {}) });
    }
  },
});
