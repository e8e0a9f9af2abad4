import { afterEach, describe, expect, it } from '@jest/globals';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Writable } from 'node:stream';
import { load } from 'js-yaml';
import {
  ACTION_PIN_PLACEHOLDER, INIT_POLICY_PATH, INIT_WORKFLOW_PATH, initCommand, renderPolicy,
} from '../../src/cli/init.js';
import { HELP, runCli } from '../../src/cli/run.js';
import { silentLogger } from '../../src/engine/logger.js';
import { loadPolicy } from '../../src/policy/load.js';
import { allRules } from '../../src/rules/index.js';
import { scan } from '../../src/scan.js';

const repo = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const temps: string[] = [];
afterEach(() => { for (const t of temps.splice(0)) rmSync(t, { recursive: true, force: true }); });

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'ai-gate-init-'));
  temps.push(dir);
  return dir;
}

function demoCopy(withPolicy: boolean): string {
  const dir = tempDir();
  cpSync(join(repo, 'examples/demo-repo'), dir, { recursive: true });
  if (!withPolicy) rmSync(join(dir, INIT_POLICY_PATH));
  return dir;
}

function sink() {
  let text = '';
  const stream = new Writable({ write(chunk, _enc, cb) { text += String(chunk); cb(); } });
  return { stream, get text() { return text; } };
}

async function init(args: string[]) {
  const out = sink();
  const code = await initCommand(args, { stdout: out.stream, cwd: '/' });
  return { code, out: out.text };
}

async function policyOf(dir: string) {
  return loadPolicy({ policyFile: join(dir, INIT_POLICY_PATH), explicit: true, cwd: dir, rules: allRules, logger: silentLogger });
}

describe('ai-gate init', () => {
  it('writes a policy that fits the demo repository and loads against the real registry', async () => {
    const dir = demoCopy(false);
    const { code, out } = await init([dir]);
    expect(code).toBe(0);
    expect(out).toContain(`wrote    ${INIT_POLICY_PATH}`);
    const text = readFileSync(join(dir, INIT_POLICY_PATH), 'utf8');
    expect(text).toMatch(/What init found: 3 model files, 2 datasets, 2 workflows, 1 Dockerfile,/);
    expect(text).toContain('Pickle-based models: models/classifier.pkl');
    expect(text).toContain('data/raw');
    const policy = await policyOf(dir);
    expect(policy.extends).toBe('recommended');
    expect(policy.failOn).toBe('high');
    expect(policy.rules['model/unsafe-pickle'].enabled).toBe(true);
    expect(policy.rules['model/serialization-format'].options).toMatchObject({ allow: ['safetensors', 'onnx', 'gguf'] });
    expect(policy.exceptions).toEqual([]);
  });

  it('writes a least-privilege, fork-safe workflow with a clearly marked pin placeholder', async () => {
    const dir = tempDir();
    await init([dir]);
    const text = readFileSync(join(dir, INIT_WORKFLOW_PATH), 'utf8');
    const wf = load(text) as any;
    expect(Object.keys(wf.on)).toEqual(['pull_request', 'merge_group', 'push']);
    expect(text).not.toMatch(/^\s*pull_request_target:/m);
    expect(wf.permissions).toEqual({});
    expect(wf.jobs.gate.permissions).toEqual({ contents: 'read', checks: 'write', 'pull-requests': 'write' });
    const steps = wf.jobs.gate.steps;
    expect(steps[0].with['persist-credentials']).toBe(false);
    expect(steps[1].uses).toBe(`ai-pipeline-gate/ai-pipeline-gate@${ACTION_PIN_PLACEHOLDER}`);
    expect(text).toContain(`# REPLACE ${ACTION_PIN_PLACEHOLDER}`);
  });

  it('yields files the gate itself accepts: only the placeholder pin is reported', async () => {
    const dir = tempDir();
    await init([dir]);
    const report = await scan({ root: dir, cwd: dir, policyFile: join(dir, INIT_POLICY_PATH), policyExplicit: true, logger: silentLogger, today: '2026-01-01' });
    expect(report.findings.map((f) => `${f.ruleId} ${f.location.path}:${f.location.line}`)).toEqual([`workflow/unpinned-action ${INIT_WORKFLOW_PATH}:25`]);
    expect(report.verdict.passed).toBe(true);
  });

  it('writes a valid empty-rules policy for a repository without AI assets', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'README.md'), '# nothing here\n');
    await init([dir]);
    const text = readFileSync(join(dir, INIT_POLICY_PATH), 'utf8');
    expect(text).toContain('rules: {}');
    expect(text).toContain('no AI assets yet');
    await expect(policyOf(dir)).resolves.toMatchObject({ extends: 'recommended' });
  });

  it('keeps existing files without --force and replaces them with it', async () => {
    const dir = demoCopy(true);
    const before = readFileSync(join(dir, INIT_POLICY_PATH), 'utf8');
    const kept = await init([dir]);
    expect(kept.code).toBe(1);
    expect(kept.out).toContain(`kept     ${INIT_POLICY_PATH} (it exists; --force overwrites it)`);
    expect(kept.out).toContain(`wrote    ${INIT_WORKFLOW_PATH}`);
    expect(readFileSync(join(dir, INIT_POLICY_PATH), 'utf8')).toBe(before);
    const forced = await init([dir, '--force']);
    expect(forced.code).toBe(0);
    expect(forced.out).toContain(`replaced ${INIT_POLICY_PATH}`);
    expect(readFileSync(join(dir, INIT_POLICY_PATH), 'utf8')).not.toBe(before);
  });

  it('suggests (commented out) ignoring test fixture folders, and the policy stays valid', async () => {
    const dir = tempDir();
    mkdirSync(join(dir, 'tests/fixtures'), { recursive: true });
    writeFileSync(join(dir, 'tests/fixtures/model.safetensors'), Buffer.concat([Buffer.from([2, 0, 0, 0, 0, 0, 0, 0]), Buffer.from('{}')]));
    const text = renderPolicy({ byKind: { model: ['tests/fixtures/model.safetensors'] }, modelFormats: ['safetensors'], pickleModels: [], datasetDirs: [], fixtureDirs: ['tests/fixtures/'], defaultBranch: 'main' });
    expect(text).toContain('#   ignore: ["tests/fixtures/**"]');
    expect(text).toContain('model/serialization-format: { allow: [safetensors] }');
    mkdirSync(join(dir, '.github'));
    writeFileSync(join(dir, INIT_POLICY_PATH), text);
    expect((await policyOf(dir)).paths.ignore).toEqual([]);
  });

  it('is dispatched by the CLI, listed in its help, and rejects a missing folder with exit 2', async () => {
    expect(HELP).toContain('ai-gate init [DIR] [--force]');
    const dir = tempDir();
    const out = sink();
    const err = sink();
    const io = { stdout: out.stream, stderr: err.stream, cwd: dir, env: {} };
    expect(await runCli(['init'], io)).toBe(0);
    expect(existsSync(join(dir, INIT_WORKFLOW_PATH))).toBe(true);
    expect(await runCli(['init', 'no-such-folder'], io)).toBe(2);
    expect(err.text).toContain('no-such-folder is not a folder');
    expect(await runCli(['init', '--frobnicate'], io)).toBe(2);
  });
});
