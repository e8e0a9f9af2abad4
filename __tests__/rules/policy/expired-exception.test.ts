import rule from '../../../src/rules/policy/expired-exception.js';
import { testRule } from '../../helpers/rule-tester.js';

const exception = (expires: string, index = 0, line = 7) => ({
  rule: 'model/serialization-format', paths: ['models/legacy/**'], reason: 'migration in #12', expires, index, line,
});

testRule(rule, {
  valid: [
    { name: 'an exception that expires later', files: { 'a.txt': 'x' }, exceptions: [exception('2026-03-01')], today: '2026-02-28' },
    { name: 'an exception on its last day still applies', files: { 'a.txt': 'x' }, exceptions: [exception('2026-02-28')], today: '2026-02-28' },
    { name: 'no exceptions', files: { 'a.txt': 'x' } },
  ],
  invalid: [
    {
      name: 'an exception the day after it expired',
      files: { 'a.txt': 'x' },
      exceptions: [exception('2026-02-28')],
      today: '2026-03-01',
      errors: [{
        path: '.github/ai-gate.yml', line: 7, severity: 'medium',
        message: 'Exception 0 for model/serialization-format on models/legacy/** expired on 2026-02-28 and no longer applies; renew it with a fresh reason or remove it.',
      }],
    },
    {
      name: 'only the expired one of several, at its own line',
      files: { 'a.txt': 'x' },
      exceptions: [exception('2030-01-01', 0, 7), exception('2025-12-31', 1, 12)],
      today: '2026-01-01',
      errors: [{ line: 12, message: /^Exception 1 for model\/serialization-format .* expired on 2025-12-31/ }],
    },
  ],
});
