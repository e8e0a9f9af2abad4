import { describe, expect, it } from '@jest/globals';
import { FormatError } from '../../src/formats/errors.js';
import {
  parseCondaEnv, parsePipfileLock, parsePyproject, parseRequirement, parseRequirementsTxt, parseSetupCfg, parseTomlLock,
} from '../../src/formats/requirements.js';

const pick = (deps: Array<{ name: string; specifier: string; exact?: string; line: number; dev?: boolean; hashed?: boolean }>) =>
  deps.map((d) => [d.name, d.specifier, d.exact, d.line]);

describe('requirement parsing', () => {
  it('reads PEP 508 strings', () => {
    expect(parseRequirement('Torch[cuda] (>=2.0, <3) ; python_version > "3.8"', 1)).toMatchObject({ name: 'torch', specifier: '>=2.0,<3', exact: undefined });
    expect(parseRequirement('scikit_learn===1.5.0', 1)).toMatchObject({ name: 'scikit-learn', exact: '1.5.0' });
    expect(parseRequirement('numpy==1.*', 1)?.exact).toBeUndefined();
    expect(parseRequirement('pkg @ https://x.example/pkg.whl', 1)).toMatchObject({ name: 'pkg', url: 'https://x.example/pkg.whl' });
  });
  it('reads requirements.txt: comments, continuations, hashes, includes, options and VCS eggs', () => {
    const f = parseRequirementsTxt([
      '# top', //                                         1
      '--index-url https://pypi.org/simple', //           2
      '-r base.in', //                                    3
      'torch==2.1.0 \\', //                               4
      '    --hash=sha256:abc', //                         5
      'transformers>=4.30  # comment', //                6
      '-e git+https://github.com/org/repo@v1#egg=peft', // 7
      '-c constraints.txt', //                            8
    ].join('\n'));
    expect(pick(f.dependencies)).toEqual([['torch', '==2.1.0', '2.1.0', 4], ['transformers', '>=4.30', undefined, 6], ['peft', '', undefined, 7]]);
    expect(f.dependencies[0].hashed).toBe(true);
    expect(f.includes).toEqual([{ path: 'base.in', line: 3, constraint: false }, { path: 'constraints.txt', line: 8, constraint: true }]);
  });
  it('reads pyproject.toml: PEP 621, dependency groups and Poetry', () => {
    const f = parsePyproject('[project]\ndependencies = [\n  "torch==2.1.0",\n]\n[project.optional-dependencies]\ntest = ["pytest>=8"]\n[tool.poetry.dependencies]\npython = "^3.11"\nkeras = "3.3.0"\nmlflow = { version = "^2.0" }\n');
    expect(pick(f.dependencies)).toEqual([['torch', '==2.1.0', '2.1.0', 3], ['pytest', '>=8', undefined, 6], ['keras', '==3.3.0', '3.3.0', 9], ['mlflow', '^2.0', undefined, 10]]);
    expect(f.dependencies[1].dev).toBe(true);
  });
  it('reads lock files', () => {
    expect(pick(parseTomlLock('[[package]]\nname = "torch"\nversion = "2.5.1"\n\n[[package]]\nname = "app"\nversion = "0.1.0"\nsource = { editable = "." }\n', 'uv.lock').dependencies)).toEqual([['torch', '==2.5.1', '2.5.1', 3]]);
    const pl = parsePipfileLock('{\n "default": {\n  "numpy": {\n   "version": "==1.16.0",\n   "hashes": ["sha256:x"]\n  }\n },\n "develop": {}\n}\n');
    expect(pick(pl.dependencies)).toEqual([['numpy', '==1.16.0', '1.16.0', 3]]);
    expect(pl.dependencies[0].hashed).toBe(true);
    expect(() => parsePipfileLock('{')).toThrow(FormatError);
  });
  it('reads setup.cfg and conda environments (names mapped to PyPI)', () => {
    expect(pick(parseSetupCfg('[metadata]\nname = x\n[options]\ninstall_requires =\n    torch==1.13.0\n    numpy\n').dependencies)).toEqual([['torch', '==1.13.0', '1.13.0', 5], ['numpy', '', undefined, 6]]);
    const env = parseCondaEnv('name: ml\ndependencies:\n  - python=3.11\n  - pytorch=2.1.0=py3.11_cuda12.1_0\n  - conda-forge::numpy>=1.26\n  - tensorflow-gpu=2.4\n  - pip:\n    - llama-cpp-python==0.2.50\n', 'environment.yml');
    expect(pick(env.dependencies)).toEqual([['torch', '==2.1.0', '2.1.0', 4], ['numpy', '>=1.26', undefined, 5], ['tensorflow', '==2.4.*', undefined, 6], ['llama-cpp-python', '==0.2.50', '0.2.50', 8]]);
  });
});

describe('dependency parsers on arbitrary input', () => {
  it('return or throw FormatError, nothing else', async () => {
    const fc = (await import('fast-check')).default;
    const alphabet = fc.constantFrom(...'torch=<>!~,;[]()@ -r\n\\#.1a"\'{}:'.split(''));
    fc.assert(fc.property(fc.array(alphabet, { maxLength: 80 }).map((a) => a.join('')), (text) => {
      for (const parse of [() => parseRequirementsTxt(text), () => parsePyproject(text), () => parseSetupCfg(text), () => parseCondaEnv(text, 'environment.yml')]) {
        try { parse(); } catch (error) { if (!(error instanceof FormatError)) throw error; }
      }
    }), { numRuns: 2000 });
  });
});
