import picomatch from 'picomatch';
import { defineRule, type ReviewLookup, type ReviewerState, type RunContext } from '../../engine/rule.js';

interface Owner { paths: string[]; teams?: string[]; users?: string[]; approvals?: number }
interface Options { owners: Owner[]; 'require-current-head': boolean }

export default defineRule<Options>({
  meta: {
    id: 'governance/required-review',
    description: 'A change to a protected path (models, data, the policy) lacks an approval from the teams or users the policy names.',
    help: [
      'Models, training data and the gate\'s own policy decide what ships; a change to them should be approved by the',
      'people accountable for them (the ML platform team, the data owners, security), not only by any reviewer.',
      'The policy maps protected path globs to the GitHub teams (`org/team`) or users who must approve. In the',
      'action, the rule reads the PR\'s reviews (each reviewer\'s latest deciding review: a comment does not replace',
      'an approval, a dismissal withdraws it) and the reviewers\' team membership, and fails the gate when a',
      'protected path lacks the approvals it needs, naming who is needed. Run the workflow on',
      '`pull_request_review` too, so that an approval re-runs the gate. Offline (the CLI) reviews cannot be read:',
      'the rule then reports, at low severity, which protected paths will need whose approval.',
      '',
      'Reading team membership needs a token that may read the organization\'s members (a GitHub App or a token',
      'with `read:org`); with the workflow\'s default token membership is unknown and an approval by someone who is',
      'not also named under `users` does not count, and the message says so.',
      '',
      '**Remediation**: request a review from one of the named owners. If the owners are wrong, change the policy',
      '(on the base branch, reviewed by its own owners).',
    ].join('\n'),
    defaultSeverity: 'high',
    docs: {
      examples: {
        bad: [
          {
            title: 'A PR changes models/ and is approved only by someone outside @acme/ml-platform',
            lang: 'yaml',
            code: [
              '# .github/ai-gate.yml',
              'rules:',
              '  governance/required-review:',
              '    owners:',
              '      - paths: ["models/**"]',
              '        teams: [acme/ml-platform]',
              '# pull request: changes models/classifier/model.safetensors; approved by a reviewer not in acme/ml-platform',
            ].join('\n'),
          },
        ],
        good: [
          {
            title: 'The same PR with an approval from a member of acme/ml-platform on the current head',
            lang: 'yaml',
            code: [
              'rules:',
              '  governance/required-review:',
              '    owners:',
              '      - paths: ["models/**"]',
              '        teams: [acme/ml-platform]',
              '# pull request: approved by a member of acme/ml-platform',
            ].join('\n'),
          },
        ],
      },
    },
    kinds: [],
    options: {
      type: 'object',
      properties: {
        owners: {
          type: 'array',
          items: {
            type: 'object',
            properties: {
              paths: { type: 'array', items: { type: 'string', minLength: 1 }, minItems: 1, description: 'Globs of protected paths, e.g. `models/**` or `.github/ai-gate.yml`.' },
              teams: { type: 'array', items: { type: 'string', pattern: '^@?[A-Za-z0-9-]+/[A-Za-z0-9_.-]+$' }, description: 'Teams as `org/team-slug`.' },
              users: { type: 'array', items: { type: 'string', pattern: '^@?[A-Za-z0-9-]+$' }, description: 'GitHub logins.' },
              approvals: { type: 'integer', minimum: 1, description: 'Approvals needed from these owners (default 1).' },
            },
            required: ['paths'],
            additionalProperties: false,
          },
          description: 'Protected path globs and who must approve changes to them.',
        },
        'require-current-head': { type: 'boolean', description: 'Count only approvals of the PR\'s current head commit.' },
      },
      additionalProperties: false,
    },
    defaultOptions: { owners: [], 'require-current-head': false },
  },
  async checkRun(ctx) {
    if (ctx.options.owners.length === 0) return;
    const touched = changedPaths(ctx);
    for (const owner of ctx.options.owners) {
      const match = picomatch(owner.paths, { dot: true });
      const hits = touched.filter((p) => match(p));
      if (hits.length === 0) continue;
      const who = describeOwners(owner);
      const what = `${hits[0]}${hits.length > 1 ? ` and ${hits.length - 1} more under ${owner.paths.join(', ')}` : ''}`;
      const where = { path: hits[0], fingerprintKey: `owners\0${owner.paths.join(',')}` };
      const reviews = ctx.change?.reviews;
      if (!reviews) {
        ctx.report({ ...where, severity: 'low', message: `The change to ${what} needs approval from ${who}; reviews cannot be checked offline, so the gate checks this in the pull request.` });
        continue;
      }
      const need = owner.approvals ?? 1;
      let result: { count: number; unknownTeam: string[]; approvers: string[] };
      try {
        result = await countApprovals(owner, reviews, ctx.options['require-current-head']);
      } catch (error) {
        ctx.report({ ...where, message: `The change to ${what} needs approval from ${who}, but the pull request's reviews could not be read (${(error as Error).message.slice(0, 200)}); re-run the gate.` });
        continue;
      }
      if (result.count >= need) continue;
      const unknown = result.unknownTeam.length ? ` The team membership of ${result.unknownTeam.map((l) => `@${l}`).join(', ')} could not be read (the token needs permission to read organization members).` : '';
      ctx.report({ ...where, message: `The change to ${what} needs ${need} approval${need > 1 ? 's' : ''} from ${who} and has ${result.count}${result.approvers.length ? ` (${result.approvers.map((l) => `@${l}`).join(', ')})` : ''}; request a review from them.${unknown}` });
    }
  },
});

/** Every path the change touched (deleted and renamed-from paths too), or the scanned files without a change. */
function changedPaths(ctx: RunContext<Options>): string[] {
  if (ctx.change) return [...new Set(ctx.change.changes.flatMap((c) => [c.path, ...(c.previousPath ? [c.previousPath] : [])]))].sort();
  const changed = ctx.files.filter((f) => f.change !== 'unchanged');
  return (changed.length ? changed : ctx.files).map((f) => f.path).sort();
}

function describeOwners(o: Owner): string {
  const names = [...(o.teams ?? []).map((t) => `@${t.replace(/^@/, '')} (team)`), ...(o.users ?? []).map((u) => `@${u.replace(/^@/, '')}`)];
  if (names.length === 0) return 'an owner (the policy names none for this path)';
  return names.length === 1 ? names[0] : `one of ${names.join(', ')}`;
}

async function countApprovals(owner: Owner, reviews: ReviewLookup, currentHead: boolean): Promise<{ count: number; unknownTeam: string[]; approvers: string[] }> {
  const users = new Set((owner.users ?? []).map((u) => u.replace(/^@/, '').toLowerCase()));
  const teams = (owner.teams ?? []).map((t) => t.replace(/^@/, ''));
  const approved = (await reviews.latest()).filter((r: ReviewerState) => r.state === 'APPROVED' && (!currentHead || r.commitId === reviews.headSha));
  let count = 0;
  const unknownTeam: string[] = [];
  const approvers: string[] = [];
  for (const r of approved) {
    let ok = users.has(r.login.toLowerCase());
    let unknown = false;
    for (const team of teams) {
      if (ok) break;
      const member = await reviews.isTeamMember(team, r.login);
      if (member === true) ok = true;
      else if (member === undefined) unknown = true;
    }
    if (ok) { count++; approvers.push(r.login); } else if (unknown) unknownTeam.push(r.login);
  }
  return { count, unknownTeam, approvers };
}
