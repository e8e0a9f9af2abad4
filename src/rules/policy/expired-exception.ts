import { defineRule } from '../../engine/rule.js';
import { isExpired } from '../../engine/suppress.js';

export default defineRule<Record<string, never>>({
  meta: {
    id: 'policy/expired-exception',
    description: 'A policy exception has passed its expiry date and no longer applies.',
    help: [
      'Every exception in the policy carries an expiry date so that a waiver is looked at again. Once the date',
      'has passed the exception stops applying: the findings it covered count again, and this finding points at',
      'the stale entry.',
      '',
      '**Remediation**: fix what the exception waived and delete the entry, or, if the waiver is still right,',
      'review it and move `expires` forward with an updated `reason`.',
    ].join('\n'),
    defaultSeverity: 'medium',
    docs: {
      examples: {
        bad: [
          {
            title: 'An exception whose expiry date has passed',
            lang: 'yaml',
            code: [
              'exceptions:',
              '  - rule: data/pii',
              '    paths: ["tests/fixtures/**"]',
              '    reason: "Fixture rows generated with Faker"',
              '    expires: 2025-06-30',
            ].join('\n'),
          },
        ],
        good: [
          {
            title: 'The waiver was reviewed and its expiry moved forward',
            lang: 'yaml',
            code: [
              'exceptions:',
              '  - rule: data/pii',
              '    paths: ["tests/fixtures/**"]',
              '    reason: "Fixture rows generated with Faker; reviewed 2026-06 by the data owners"',
              '    expires: 2026-12-31',
            ].join('\n'),
          },
        ],
      },
    },
    kinds: [],
    defaultOptions: {},
  },
  checkRun(ctx) {
    for (const exception of ctx.policy.exceptions) {
      if (!isExpired(exception, ctx.today)) continue;
      ctx.report({
        path: ctx.policy.source,
        line: exception.line,
        message:
          `Exception ${exception.index} for ${exception.rule} on ${exception.paths.join(', ')} expired on ` +
          `${exception.expires} and no longer applies; renew it with a fresh reason or remove it.`,
        fingerprintKey: `${exception.rule}\0${exception.paths.join('\0')}\0${exception.expires}`,
      });
    }
  },
});
