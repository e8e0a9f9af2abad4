import rule from '../../../src/rules/governance/policy-changed.js';
import { testRule } from '../../helpers/rule-tester.js';

const POLICY = 'fail-on: high\nrules:\n  data/pii: high\n';
const GATE_WORKFLOW = [
  'on: pull_request',
  'permissions: { contents: read, checks: write }',
  'jobs:',
  '  gate:',
  '    runs-on: ubuntu-latest',
  '    steps:',
  '      - uses: actions/checkout@v4',
  '      - uses: ai-pipeline-gate/ai-pipeline-gate@v1',
  '        with: { fail-on: high }',
  '',
].join('\n');

testRule(rule, {
  valid: [
    { name: 'a whole-tree scan (no change under review)', files: { '.github/ai-gate.yml': POLICY } },
    { name: 'a PR that leaves the policy alone', base: { '.github/ai-gate.yml': POLICY, 'a.txt': 'x' }, files: { '.github/ai-gate.yml': POLICY, 'a.txt': 'y' } },
    {
      name: 'a PR editing a workflow that does not run the gate',
      base: { '.github/workflows/ci.yml': 'on: push\njobs:\n  t:\n    runs-on: x\n    steps:\n      - run: make\n' },
      files: { '.github/workflows/ci.yml': 'on: push\njobs:\n  t:\n    runs-on: x\n    steps:\n      - run: make test\n' },
    },
    {
      name: 'a PR editing another job of a workflow that runs the gate',
      base: { '.github/workflows/gate.yml': `${GATE_WORKFLOW}  other:\n    runs-on: a\n` },
      files: { '.github/workflows/gate.yml': `${GATE_WORKFLOW}  other:\n    runs-on: b\n` },
    },
  ],
  invalid: [
    {
      name: 'a PR lowering fail-on and turning a rule off',
      base: { '.github/ai-gate.yml': POLICY },
      files: { '.github/ai-gate.yml': 'fail-on: critical\nrules:\n  data/pii: off\n' },
      errors: [{
        path: '.github/ai-gate.yml', line: 1, severity: 'high',
        message: 'This PR changes the policy that gates pull requests: fail-on: "high" → "critical"; rules.data/pii: "high" → "off". It was judged by the base branch\'s policy (1a2b3c4), not by this version; have the policy\'s owners review the change before merging.',
      }],
    },
    {
      name: 'a PR adding an exception',
      base: { '.github/ai-gate.yml': POLICY },
      files: { '.github/ai-gate.yml': `${POLICY}exceptions:\n  - rule: data/pii\n    paths: ["**"]\n    reason: x\n    expires: 2099-01-01\n` },
      errors: [{ line: 5, message: /^This PR changes the policy that gates pull requests: exceptions\[0\]\.rule added \("data\/pii"\); exceptions\[0\]\.paths\[0\] added \("\*\*"\); exceptions\[0\]\.reason added \("x"\); exceptions\[0\]\.expires added \("2099-01-01"\)\. It was judged/ }],
    },
    {
      name: 'a PR adding a policy where the base had none',
      base: { 'a.txt': 'x' },
      files: { 'a.txt': 'x', '.github/ai-gate.yml': 'extends: none\n' },
      errors: [{ message: /^This PR adds the policy file \.github\/ai-gate\.yml \(extends added \("none"\)\); it will judge later pull requests once merged/ }],
    },
    {
      name: 'a PR deleting the policy',
      base: { '.github/ai-gate.yml': POLICY },
      files: { 'a.txt': 'x' },
      errors: [{ path: '.github/ai-gate.yml', message: /^This PR deletes the policy file \.github\/ai-gate\.yml; once merged, pull requests are judged by the built-in recommended policy\./ }],
    },
    {
      name: 'a PR breaking the policy\'s YAML',
      base: { '.github/ai-gate.yml': POLICY },
      files: { '.github/ai-gate.yml': 'fail-on: [high\n' },
      errors: [{ message: /^This PR changes the policy that gates pull requests: the new version is not valid YAML \(/ }],
    },
    {
      name: 'a PR that lets the gate step fail quietly',
      base: { '.github/workflows/gate.yml': GATE_WORKFLOW },
      files: { '.github/workflows/gate.yml': GATE_WORKFLOW.replace("        with: { fail-on: high }", "        continue-on-error: true\n        with: { fail-on: critical }") },
      errors: [{
        path: '.github/workflows/gate.yml', line: 9,
        message: 'This PR changes how the AI pipeline gate runs in .github/workflows/gate.yml (job gate): jobs.gate.steps[1].continue-on-error added (true); jobs.gate.steps[1].with.fail-on: "high" → "critical". Have the gate\'s owners review the change before merging.',
      }],
    },
    {
      name: 'a PR removing the gate step',
      base: { '.github/workflows/gate.yml': GATE_WORKFLOW },
      files: { '.github/workflows/gate.yml': GATE_WORKFLOW.split('\n').slice(0, 7).join('\n') + '\n' },
      errors: [{ message: /^This PR changes how the AI pipeline gate runs in \.github\/workflows\/gate\.yml \(job gate\): jobs\.gate\.steps\[1\]\.uses removed \(was "ai-pipeline-gate\/ai-pipeline-gate@v1"\)/ }],
    },
    {
      name: 'a PR deleting the workflow that runs the gate',
      base: { '.github/workflows/gate.yml': GATE_WORKFLOW },
      files: { 'a.txt': 'x' },
      errors: [{ message: 'This PR deletes .github/workflows/gate.yml, a workflow that runs the AI pipeline gate (job gate); without it, pull requests are no longer gated. Have the gate\'s owners review it.' }],
    },
    {
      name: 'a workflow using a gate action named in the options',
      options: { 'gate-actions': ['./'] },
      base: { '.github/workflows/self.yml': 'on: pull_request\njobs:\n  g:\n    runs-on: x\n    steps:\n      - uses: ./\n' },
      files: { '.github/workflows/self.yml': 'on: pull_request\njobs:\n  g:\n    if: false\n    runs-on: x\n    steps:\n      - uses: ./\n' },
      errors: [{ line: 4, message: /jobs\.g\.if added \(false\)/ }],
    },
  ],
});
