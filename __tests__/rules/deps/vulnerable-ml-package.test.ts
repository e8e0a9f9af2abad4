import { afterAll, beforeAll } from '@jest/globals';
import rule from '../../../src/rules/deps/vulnerable-ml-package.js';
import { startFakeOsv, type FakeOsv } from '../../helpers/fake-osv.js';
import { testRule } from '../../helpers/rule-tester.js';

let osv: FakeOsv;
/** Filled in once the fake server listens; the cases read it when they run. */
const online = { osv: { enabled: true, url: 'http://127.0.0.1:9', timeoutMs: 2000 } };
const down = { osv: { enabled: true, url: 'http://127.0.0.1:9', timeoutMs: 2000 } };
beforeAll(async () => {
  osv = await startFakeOsv({ 'gradio==4.44.0': ['GHSA-test-0001-aaaa', 'PYSEC-2024-999'], 'torch==2.5.1': ['GHSA-53q9-r3pm-6pq6'] });
  online.osv.url = osv.url;
});
afterAll(() => osv.close());

testRule(rule, {
  valid: [
    { name: 'fixed versions', files: { 'requirements.txt': 'torch==2.6.0\nkeras==3.11.0\ntransformers==4.46.0\n' } },
    { name: 'ranges are not pinned versions', files: { 'requirements.txt': 'torch<2.6\n' } },
    { name: 'an OSV that is down leaves only the offline check (a warning, no finding)', files: { 'requirements.txt': 'numpy==2.1.0\n' }, options: down },
    { name: 'OSV knows nothing about these pins', files: { 'requirements.txt': 'numpy==2.1.0\n' }, options: online },
  ],
  invalid: [
    {
      name: 'pinned vulnerable versions in requirements.txt',
      files: { 'requirements.txt': '# serving\ntorch==2.5.1\nllama-cpp-python==0.2.50  # gguf\n' },
      errors: [
        { line: 2, severity: 'high', message: 'torch 2.5.1 is affected by CVE-2025-32434 / GHSA-53q9-r3pm-6pq6 (torch.load(weights_only=True) can still run code from a crafted checkpoint): upgrade to 2.6.0 or later.' },
        { line: 3, message: /^llama-cpp-python 0\.2\.50 is affected by CVE-2024-34359 \/ GHSA-56xg-wfcc-g829 .*: upgrade to 0\.2\.72 or later\.$/ },
      ],
    },
    {
      name: 'lock files, conda builds and a disputed advisory one level lower',
      files: {
        'uv.lock': 'version = 1\n\n[[package]]\nname = "keras"\nversion = "3.8.0"\n',
        'environment.yml': 'dependencies:\n  - pytorch=2.6.0=py3.12_0\n  - pip:\n    - ray==2.9.3\n',
      },
      errors: [
        { path: 'environment.yml', line: 4, severity: 'medium', message: /^ray 2\.9\.3 is affected by CVE-2023-48022 .*; disputed by the vendor\): no fixed release exists; do not expose it to untrusted input\.$/ },
        { path: 'uv.lock', line: 5, message: /^keras 3\.8\.0 is affected by CVE-2025-1550/ },
        { path: 'uv.lock', line: 5, message: /^keras 3\.8\.0 is affected by CVE-2025-8747/ },
      ],
    },
    {
      name: 'OSV adds what the table lacks and does not repeat what it has',
      files: { 'requirements.txt': 'gradio==4.44.0\ntorch==2.5.1\n' },
      options: online,
      errors: [
        { line: 1, severity: 'high', message: 'gradio 4.44.0 has 2 known vulnerabilities in OSV (GHSA-test-0001-aaaa, PYSEC-2024-999): upgrade to a fixed version (see https://osv.dev/list?ecosystem=PyPI&q=gradio).' },
        { line: 2, message: /^torch 2\.5\.1 is affected by CVE-2025-32434/ },
      ],
    },
    {
      name: 'a pyproject.toml that is not valid TOML is reported',
      files: { 'pyproject.toml': '[project\n' },
      errors: [{ message: /^This dependency file could not be parsed \(line 1: .*\); its versions were not checked for advisories\.$/ }],
    },
  ],
});
