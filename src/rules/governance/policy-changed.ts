import { defineRule, type ChangeBase, type RunContext } from '../../engine/rule.js';
import { FormatError } from '../../formats/errors.js';
import { describeChanges, diffValues, type LeafChange } from '../../formats/structure-diff.js';
import { parseYamlWithPositions, type YamlDocument } from '../../formats/yaml-positions.js';

interface Options { 'gate-actions': string[] }

const MAX_BYTES = 1024 * 1024;
const WORKFLOW = /^\.github\/workflows\/[^/]+\.ya?ml$/;

type Parsed = { doc?: YamlDocument; error?: string; exists: boolean };

async function load(read: ChangeBase['readBase'], path: string | undefined, name: string): Promise<Parsed> {
  if (path === undefined) return { exists: false };
  const bytes = await read(path, MAX_BYTES);
  if (bytes === undefined) return { exists: false };
  try {
    return { exists: true, doc: parseYamlWithPositions(bytes.toString('utf8'), name) };
  } catch (error) {
    if (error instanceof FormatError) return { exists: true, error: error.message };
    throw error;
  }
}

/** `uses:` values of every step of a job, for spotting the gate. */
function gateJobs(doc: YamlDocument | undefined, actions: string[]): string[] {
  const jobs = (doc?.value as { jobs?: Record<string, { steps?: Array<{ uses?: unknown }> }> } | undefined)?.jobs;
  if (!jobs || typeof jobs !== 'object') return [];
  return Object.entries(jobs).filter(([, job]) => Array.isArray(job?.steps) && job.steps.some((s) =>
    typeof s?.uses === 'string' && actions.some((a) => s.uses === a || (s.uses as string).startsWith(a.endsWith('/') ? a : `${a}@`) || (s.uses as string).startsWith(`${a}/`)))).map(([id]) => id);
}

/** For a workflow, only what governs the gate: triggers, top-level permissions, and the jobs running it. */
function gateView(doc: YamlDocument | undefined, jobs: string[]): unknown {
  const v = (doc?.value ?? {}) as Record<string, any>;
  return { on: v.on, permissions: v.permissions, jobs: Object.fromEntries(jobs.map((j) => [j, v.jobs?.[j]])) };
}

/** The line of the first change that exists in the new version (a removal has no line there). */
function firstLine(doc: YamlDocument | undefined, changes: LeafChange[]): number | undefined {
  for (const c of changes) if (c.kind !== 'removed' && doc?.has(c.pointer)) return doc.positionOf(c.pointer, 'key')?.line;
  return undefined;
}

function what(before: Parsed, after: Parsed, view: (p: Parsed) => unknown): { text: string; changes: LeafChange[] } {
  if (after.error) return { text: `the new version is not valid YAML (${after.error})`, changes: [] };
  if (before.error) return { text: 'the old version was not valid YAML', changes: [] };
  const changes = diffValues(view(before), view(after));
  return { text: changes.length ? describeChanges(changes) : 'no change to its settings (formatting or comments only)', changes };
}

async function checkPolicy(ctx: RunContext<Options>, c: ChangeBase['changes'][number], change: ChangeBase): Promise<void> {
  const before = await load(change.readBase, c.change === 'added' ? undefined : c.previousPath ?? c.path, c.previousPath ?? c.path);
  // Renaming the policy away leaves no policy at its path: the same as deleting it.
  const gone = c.change === 'deleted' || c.path !== change.policyPath;
  const after = gone ? { exists: false } as Parsed : await load(change.readHead, c.path, c.path);
  const { text, changes } = what(before, after, (p) => p.doc?.value ?? {});
  const base = change.ref.slice(0, 7);
  const message = gone
    ? `This PR ${c.change === 'deleted' ? `deletes the policy file ${c.path}` : `moves the policy file ${change.policyPath} to ${c.path}`}; once merged, pull requests are judged by the built-in recommended policy. It was judged by the base branch's policy (${base}); have the policy's owners review the deletion.`
    : c.change === 'added' || !before.exists
      ? `This PR adds the policy file ${c.path} (${text}); it will judge later pull requests once merged, while this one was judged by the base branch's policy (${base}). Have the policy's owners review it.`
      : `This PR changes the policy that gates pull requests: ${text}. It was judged by the base branch's policy (${base}), not by this version; have the policy's owners review the change before merging.`;
  ctx.report({ path: c.path, message, line: firstLine(after.doc, changes), fingerprintKey: `policy\0${c.change}\0${text}` });
}

async function checkWorkflow(ctx: RunContext<Options>, c: ChangeBase['changes'][number], change: ChangeBase): Promise<void> {
  const before = await load(change.readBase, c.change === 'added' ? undefined : c.previousPath ?? c.path, c.previousPath ?? c.path);
  const after = c.change === 'deleted' ? { exists: false } as Parsed : await load(change.readHead, c.path, c.path);
  const actions = ctx.options['gate-actions'];
  const jobs = [...new Set([...gateJobs(before.doc, actions), ...gateJobs(after.doc, actions)])].sort();
  if (jobs.length === 0) return;
  const { text, changes } = what(before, after, (p) => gateView(p.doc, jobs));
  if (changes.length === 0 && !after.error && !before.error && c.change !== 'deleted') return;
  const runs = `job${jobs.length === 1 ? '' : 's'} ${jobs.join(', ')}`;
  const message = c.change === 'deleted'
    ? `This PR deletes ${c.path}, a workflow that runs the AI pipeline gate (${runs}); without it, pull requests are no longer gated. Have the gate's owners review it.`
    : `This PR changes how the AI pipeline gate runs in ${c.path} (${runs}): ${text}. Have the gate's owners review the change before merging.`;
  ctx.report({ path: c.path, message, line: firstLine(after.doc, changes), fingerprintKey: `workflow\0${c.change}\0${text}` });
}

export default defineRule<Options>({
  meta: {
    id: 'governance/policy-changed',
    description: 'A pull request edits the gate\'s policy file or a workflow that runs the gate.',
    help: [
      'The gate judges a pull request by the policy on the base branch, so a PR cannot weaken the rule it is',
      'judged by. Once merged, though, its edits to the policy (a lower `fail-on`, a rule turned off, a broad',
      'exception) or to the workflow that runs the gate (a removed step, `continue-on-error`, an `if:` that',
      'skips it) judge every later PR: in an ML repository that is how an unsafe pickle or a dataset with',
      'personal data gets through next time. This finding says what changed so that the right people look.',
      '',
      '**Remediation**: have the policy\'s owners review the change (list `.github/ai-gate.yml` and the gate\'s',
      'workflows in CODEOWNERS and require their review). If the change is intended, merge it after that review.',
    ].join('\n'),
    defaultSeverity: 'high',
    docs: {
      examples: {
        bad: [
          {
            title: 'The PR relaxes the gate\'s policy',
            lang: 'diff',
            code: [
              '--- a/.github/ai-gate.yml',
              '+++ b/.github/ai-gate.yml',
              '-fail-on: high',
              '+fail-on: critical',
              ' rules:',
              '-  model/unsafe-pickle: critical',
              '+  model/unsafe-pickle: off',
            ].join('\n'),
          },
        ],
        good: [
          {
            title: 'Policy and gate workflow are owned, so a change to them needs their owners\' review (CODEOWNERS)',
            lang: 'text',
            code: [
              '.github/ai-gate.yml              @acme/ml-platform @acme/security',
              '.github/workflows/ai-gate.yml    @acme/ml-platform @acme/security',
            ].join('\n'),
          },
        ],
      },
      references: [
        { title: 'GitHub: about code owners', url: 'https://docs.github.com/en/repositories/managing-your-repositorys-settings-and-features/customizing-your-repository/about-code-owners' },
      ],
    },
    kinds: [],
    options: {
      type: 'object',
      properties: {
        'gate-actions': {
          type: 'array', items: { type: 'string', minLength: 1 },
          description: 'Values of `uses:` (without `@ref`) that run the gate; a workflow with such a step is watched.',
        },
      },
      additionalProperties: false,
    },
    defaultOptions: { 'gate-actions': ['ai-pipeline-gate/ai-pipeline-gate'] },
  },
  async checkRun(ctx) {
    const change = ctx.change;
    if (!change) return;
    for (const c of change.changes) {
      if (c.path === change.policyPath || c.previousPath === change.policyPath) await checkPolicy(ctx, c, change);
      else if (WORKFLOW.test(c.path) || (c.previousPath !== undefined && WORKFLOW.test(c.previousPath))) await checkWorkflow(ctx, c, change);
    }
  },
});
