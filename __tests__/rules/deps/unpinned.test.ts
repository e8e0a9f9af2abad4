import rule from '../../../src/rules/deps/unpinned.js';
import { testRule } from '../../helpers/rule-tester.js';

testRule(rule, {
  valid: [
    { name: 'exact pins and hashes', files: { 'requirements.txt': 'torch==2.6.0\ntransformers==4.46.0\nrequests>=2\n' } },
    { name: 'hash-checked ranges', files: { 'requirements.txt': 'numpy>=1.26 --hash=sha256:abc\n' } },
    { name: 'lock files are pinned by construction', files: { 'poetry.lock': '[[package]]\nname = "torch"\nversion = "2.6.0"\n' } },
    { name: 'pyproject ranges of a library by default', files: { 'pyproject.toml': '[project]\ndependencies = ["torch>=2"]\n' } },
    { name: 'a package outside the policy list', files: { 'requirements.txt': 'torch\n' }, options: { packages: ['keras'] } },
  ],
  invalid: [
    {
      name: 'a range, a bare name and a dev group',
      files: { 'requirements-dev.txt': 'torch>=2.0\nnumpy\n' },
      errors: [
        { line: 1, severity: 'low', message: 'torch is required as torch>=2.0 in a development group, so each install may get a different release: pin an exact version (==) with hashes, or use a lock file.' },
        { line: 2, message: 'numpy is required without any version (numpy) in a development group, so each install may get a different release: pin an exact version (==) with hashes, or use a lock file.' },
      ],
    },
    {
      name: 'conda prefix pins and pyproject with includeLibraries',
      files: { 'environment.yml': 'dependencies:\n  - pytorch=2.1\n', 'pyproject.toml': '[project]\ndependencies = [\n  "vllm~=0.6",\n]\n' },
      options: { includeLibraries: true },
      errors: [
        { path: 'environment.yml', line: 2, message: /^pytorch is required as pytorch==2\.1\.\*/ },
        { path: 'pyproject.toml', line: 3, message: /^vllm is required as vllm~=0\.6,/ },
      ],
    },
    {
      name: 'a package from a -r include that is not scanned on its own',
      files: { 'requirements.txt': 'requests==2.32.0\n-r ml/base.in\n', 'ml/base.in': 'keras>=3\n' },
      errors: [{ path: 'requirements.txt', line: 2, message: 'keras is required as keras>=3 (from ml/base.in:1), so each install may get a different release: pin an exact version (==) with hashes, or use a lock file.' }],
    },
  ],
});
