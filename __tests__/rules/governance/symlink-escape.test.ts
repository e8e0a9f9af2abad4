import rule from '../../../src/rules/governance/symlink-escape.js';
import { testRule } from '../../helpers/rule-tester.js';

testRule(rule, {
  valid: [
    { name: 'a link to a file inside the tree', files: { 'data/real.csv': 'a,b\n', 'data/latest.csv': { symlink: 'real.csv' } } },
    { name: 'a dangling link inside the tree', files: { 'a.txt': 'x', 'gone.txt': { symlink: 'missing.txt' } } },
  ],
  invalid: [
    {
      name: 'a link to /etc/passwd',
      files: { 'models/config.json': { symlink: '/etc/passwd' } },
      errors: [{ path: 'models/config.json', severity: 'high', message: /^Symbolic link leads outside the scanned tree \(.*\/etc\/passwd.*\); tools that follow it read files of the runner\.$/ }],
    },
    {
      name: 'a relative link that climbs out, even when its target does not exist',
      files: { 'a/b/link': { symlink: '../../../../../no-such-place' } },
      errors: [{ path: 'a/b/link', message: /no-such-place/ }],
    },
  ],
});
