import { defineRule } from '../../engine/rule.js';

/** Reported by the engine (src/engine/run.ts) when a rule throws; the scan goes on. */
export default defineRule<Record<string, never>>({
  meta: {
    id: 'policy/rule-error',
    description: 'A rule failed on a file, so the file was not fully checked.',
    help: [
      'A rule crashed while reading a file. The gate reports the crash instead of passing the file, because an',
      'input that breaks a checker is exactly what an attacker would try; by default this blocks (high).',
      '',
      '**Remediation**: look at the file named in the finding. If it is well-formed, this is a bug in the',
      'gate: please report it with the message. To unblock a known-good file meanwhile, add a policy exception',
      'for `policy/rule-error` on that path with a reason and an expiry.',
    ].join('\n'),
    defaultSeverity: 'high',
    docs: {
      examples: {
        bad: [
          {
            title: 'Turning the finding off hides every file that breaks a checker',
            lang: 'yaml',
            code: [
              'rules:',
              '  policy/rule-error: off',
            ].join('\n'),
          },
        ],
        good: [
          {
            title: 'A time-limited exception for the one known-good file, while the bug is reported',
            lang: 'yaml',
            code: [
              'exceptions:',
              '  - rule: policy/rule-error',
              '    paths: ["models/legacy/encoder.onnx"]',
              '    reason: "Well-formed file that crashes the ONNX reader; bug reported upstream"',
              '    expires: 2026-09-30',
            ].join('\n'),
          },
        ],
      },
    },
    kinds: [],
    defaultOptions: {},
    engineReported: true,
  },
});
