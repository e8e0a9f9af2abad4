import rule from '../../../src/rules/workflow/unpinned-action.js';
import { testRule } from '../../helpers/rule-tester.js';

const SHA = '11bd71901bbe5b1630ceea73d27597364c9af683';
const wf = (steps: string) => ({ '.github/workflows/ci.yml': `on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n${steps}` });

testRule(rule, {
  valid: [
    { name: 'pinned to a full SHA, local actions', files: wf(`      - uses: actions/checkout@${SHA} # v4\n      - uses: ./.github/actions/setup\n`) },
    { name: 'a docker image by digest', files: wf(`      - uses: docker://alpine@sha256:${'a'.repeat(64)}\n`) },
    { name: 'an owner the policy trusts', files: wf('      - uses: my-org/setup@v2\n      - uses: actions/cache@v4\n'), options: { allowOwners: ['my-org', 'actions/cache'] } },
  ],
  invalid: [
    {
      name: 'a tag, a branch, a short SHA',
      files: wf('      - uses: actions/checkout@v4\n      - name: x\n        uses: huggingface/hub-action@main\n      - uses: org/act@11bd719\n'),
      errors: [
        { line: 6, column: 15, severity: 'medium', message: '`actions/checkout@v4` is pinned to `v4`, a ref its owner can move: pin it to the full commit SHA (and keep `# v4` as a comment).' },
        { line: 8, column: 15, message: /^`huggingface\/hub-action@main` is pinned to `main`/ },
        { line: 9, column: 15, message: /^`org\/act@11bd719` is pinned to `11bd719`/ },
      ],
    },
    {
      name: 'a reusable workflow call and a docker image by tag',
      files: { '.github/workflows/ci.yml': 'on: push\njobs:\n  call:\n    uses: org/repo/.github/workflows/x.yml@v1\n  b:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: docker://ubuntu:24.04\n' },
      errors: [
        { line: 4, column: 11, message: /^`org\/repo\/\.github\/workflows\/x\.yml@v1` is pinned to `v1`/ },
        { line: 8, column: 15, message: '`docker://ubuntu:24.04` runs a container image by tag, which can change under you: pin it by digest (`docker://image@sha256:…`).' },
      ],
    },
    {
      name: 'no ref at all',
      files: wf('      - uses: some/action\n'),
      errors: [{ message: '`some/action` names no version at all: pin it to a full commit SHA.' }],
    },
  ],
});
