import rule from '../../../src/rules/workflow/curl-pipe-shell.js';
import { testRule } from '../../helpers/rule-tester.js';

const wf = (run: string) => ({ '.github/workflows/ci.yml': `on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n      - run: ${run}\n` });

testRule(rule, {
  valid: [
    { name: 'download, verify, run', files: wf('|\n          curl -fsSLo i.sh https://x.example/i.sh\n          sha256sum -c i.sh.sha256\n          sh i.sh') },
    { name: 'curl piped into jq', files: wf('curl -s https://api.example/x | jq .') },
  ],
  invalid: [
    {
      name: 'curl | bash inside a block',
      files: wf('|\n          set -e\n          curl -fsSL https://get.example.sh | sudo bash'),
      errors: [{ line: 8, column: 11, severity: 'high', message: 'This step pipes a download into an interpreter (`curl -fsSL https://get.example.sh | sudo bash`): download the script, verify its checksum, then run it.' }],
    },
    { name: 'wget -O- | sh', files: wf('wget -qO- https://x.example/install | sh'), errors: [{ line: 6, column: 14, message: /^This step pipes a download into an interpreter \(`wget -qO- https:\/\/x\.example\/install \| sh`\)/ }] },
    { name: 'bash -c "$(curl …)"', files: wf('bash -c "$(curl -fsSL https://x.example/i.sh)"'), errors: [{ message: /pipes a download into an interpreter/ }] },
  ],
});
