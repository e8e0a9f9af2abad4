// woodruffw/gha-hazmat (../shared/corpus/workflows/gha-hazmat) against zizmor's recorded findings (expected.json).
// Our workflow rules are mapped to zizmor audit ids; for the audits that mean the same thing, the set of
// (file, audit, line) of zizmor's high and medium findings must equal ours, which also guards against false
// positives (no finding of ours where zizmor lists none of that audit).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

const ROOT = 'workflows/gha-hazmat';

/** Our rule → zizmor audit, for the audits with the same meaning. */
const SAME = {
  'workflow/template-injection': 'template-injection',
  'workflow/excessive-permissions': 'excessive-permissions',
  'workflow/persist-credentials': 'artipacked',
  'workflow/github-env': 'github-env',
  'workflow/secrets-inherit': 'secrets-inherit',
  'workflow/self-hosted-on-pr': 'self-hosted-runner',
};

export default async function workflows({ corpus, check, all }) {
  const base = join(corpus, ROOT);
  const expected = JSON.parse(readFileSync(join(base, 'expected.json'), 'utf8')).files;
  const lines = new Map();
  const lineOf = (file, n) => {
    if (!lines.has(file)) lines.set(file, readFileSync(join(base, file), 'utf8').split('\n'));
    return lines.get(file)[n - 1] ?? '';
  };
  /** The line of the job key (`  name:` at the jobs level) a line belongs to: where both tools agree on a job. */
  const jobLine = (file, n) => {
    for (let i = n; i > 0; i--) if (/^ {1,2}[\w-]+:\s*$/.test(lineOf(file, i)) && i < n) return i;
    return n;
  };
  const ours = (all.findings ?? []).filter((f) => f.location.path.startsWith(`${ROOT}/`) && f.ruleId.startsWith('workflow/'))
    .map((f) => ({ ...f, file: f.location.path.slice(ROOT.length + 1), line: f.location.line }));

  // zizmor points `secrets-inherit` at the job's `uses:`; we point at the offending `secrets: inherit` key.
  // Both name the job, so that audit is compared by job.
  const key = (audit, file, line) => audit === 'secrets-inherit' ? `${file}:job@${jobLine(file, line)}` : `${file}:${line}`;
  const zizmorOf = (audit) => new Set(Object.entries(expected).flatMap(([file, info]) =>
    (info.findings ?? []).filter((z) => z.audit === audit && z.severity !== 'informational').map((z) => key(audit, file, z.line))));
  for (const [rule, audit] of Object.entries(SAME)) {
    const want = zizmorOf(audit);
    const got = new Set(ours.filter((f) => f.ruleId === rule).map((f) => key(audit, f.file, f.line)));
    const missing = [...want].filter((k) => !got.has(k));
    const extra = [...got].filter((k) => !want.has(k));
    check(`gha-hazmat: ${rule} = zizmor ${audit} (${want.size} findings)`, missing.length === 0 && extra.length === 0,
      `missing: ${missing.join(', ') || '-'}; extra (ours only): ${extra.join(', ') || '-'}`);
  }

  // unpinned-action covers zizmor's unpinned-uses and, for `uses: docker://…`, its unpinned-images.
  {
    const uses = (f, l) => /^\s*(-\s+)?uses:/.test(lineOf(f, l));
    const want = new Set(Object.entries(expected).flatMap(([file, info]) => (info.findings ?? [])
      .filter((z) => z.audit === 'unpinned-uses' || (z.audit === 'unpinned-images' && uses(file, z.line)))
      .map((z) => `${file}:${z.line}`)));
    const got = new Set(ours.filter((f) => f.ruleId === 'workflow/unpinned-action').map((f) => `${f.file}:${f.line}`));
    const missing = [...want].filter((k) => !got.has(k));
    const extra = [...got].filter((k) => !want.has(k));
    check(`gha-hazmat: workflow/unpinned-action = zizmor unpinned-uses + docker:// unpinned-images (${want.size})`,
      missing.length === 0 && extra.length === 0, `missing: ${missing.join(', ') || '-'}; extra: ${extra.join(', ') || '-'}`);
  }

  // dangerous-trigger is narrower than zizmor's dangerous-triggers (which flags every pull_request_target and
  // workflow_run): ours needs a checkout of the PR's code followed by a step that runs it.
  {
    const zFiles = new Set(Object.entries(expected).filter(([, i]) => i.audits?.['dangerous-triggers']).map(([f]) => f));
    const got = ours.filter((f) => f.ruleId === 'workflow/dangerous-trigger');
    check('gha-hazmat: workflow/dangerous-trigger only where zizmor lists dangerous-triggers', got.every((f) => zFiles.has(f.file)),
      got.filter((f) => !zFiles.has(f.file)).map((f) => `${f.file}:${f.line}`).join(', '));
    check('gha-hazmat: pull-request-target.yml: PR head checked out then built (32, the checkout ref)',
      got.some((f) => f.file === '.github/workflows/pull-request-target.yml' && f.line === 32));
  }

  // What each file was written to show, where one of our rules covers it.
  const intended = {
    '.github/workflows/artipacked.yml': 'workflow/persist-credentials',
    '.github/workflows/excessive-permissions.yml': 'workflow/excessive-permissions',
    '.github/workflows/github-env.yml': 'workflow/github-env',
    '.github/workflows/pull-request-target.yml': 'workflow/dangerous-trigger',
    '.github/workflows/secrets-inherit.yml': 'workflow/secrets-inherit',
    '.github/workflows/template-injection.yml': 'workflow/template-injection',
    '.github/workflows/unpinned.yml': 'workflow/unpinned-action',
  };
  for (const [file, rule] of Object.entries(intended)) {
    check(`gha-hazmat: ${file.replace('.github/workflows/', '')}: intended problem found by ${rule}`, ours.some((f) => f.file === file && f.ruleId === rule));
  }
  // No self-hosted finding: self-hosted.yml runs only on push (zizmor, too, lists it only in its auditor persona).
  check('gha-hazmat: no rule crashed or failed to parse a workflow', !(all.findings ?? []).some((f) => f.location.path.startsWith(`${ROOT}/`) && (f.ruleId === 'policy/rule-error' || /could not be parsed/.test(f.message))));
}
