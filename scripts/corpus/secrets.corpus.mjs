// gitleaks's literal samples (../shared/corpus/secrets/gitleaks-ai-cloud-samples.json): every true positive is
// found by the detector of the same id, every false positive is silent on that detector, and any other secret
// finding is one that the corpus's emulation of gitleaks's default rules also expects. Each sample is written to
// its own file in a temp folder (never the repository) and the folder is scanned once by the bundled CLI.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Our detector ids are gitleaks's rule ids; each finding's message names its detector in parentheses. */
const detectorOf = (f) => [...f.message.matchAll(/\(([a-z0-9]+(?:-[a-z0-9]+)+)\)/g)].at(-1)?.[1];

export default async function secrets({ corpus, check, scan, all }) {
  const data = JSON.parse(readFileSync(join(corpus, 'secrets/gitleaks-ai-cloud-samples.json'), 'utf8'));
  const tmp = mkdtempSync(join(tmpdir(), 'ai-gate-secrets-corpus-'));
  try {
    data.samples.forEach((s, i) => writeFileSync(join(tmp, `sample-${String(i).padStart(3, '0')}.txt`), s.value));
    const run = scan(tmp);
    check('secrets: scan of the samples ran (exit 0 or 1)', run.code === 0 || run.code === 1, `exit ${run.code}: ${run.stderr?.slice(-400)}`);
    const byFile = new Map();
    for (const f of run.report?.findings ?? []) {
      if (!f.ruleId.startsWith('secret/')) continue;
      byFile.set(f.location.path, [...(byFile.get(f.location.path) ?? []), detectorOf(f)]);
    }
    const missed = [], falsePositives = [], extras = [];
    data.samples.forEach((s, i) => {
      const got = byFile.get(`sample-${String(i).padStart(3, '0')}.txt`) ?? [];
      const label = `${s.rule_id} ${s.source}`;
      if (s.kind === 'true_positive' && !got.includes(s.rule_id)) missed.push(label);
      if (s.kind === 'false_positive' && got.includes(s.rule_id)) falsePositives.push(label);
      const allowed = new Set([...(s.other_default_rules_firing_emulated ?? []), ...(s.kind === 'true_positive' ? [s.rule_id] : [])]);
      const extra = got.filter((d) => !allowed.has(d));
      if (extra.length) extras.push(`${label}: ${extra.join(', ')}`);
    });
    const tps = data.samples.filter((s) => s.kind === 'true_positive').length;
    const fps = data.samples.length - tps;
    check(`secrets: ${tps - missed.length}/${tps} gitleaks true positives found by the detector of the same id`, missed.length === 0, missed.join('\n     '));
    check(`secrets: ${fps - falsePositives.length}/${fps} gitleaks false positives silent on that detector`, falsePositives.length === 0, falsePositives.join('\n     '));
    check('secrets: no other secret finding beyond those the corpus expects', extras.length === 0, extras.join('\n     '));

    // Values never reach a report: no long token-like run of any true positive appears in the JSON report.
    const reportText = JSON.stringify(run.report ?? {});
    const leaked = data.samples.filter((s) => s.kind === 'true_positive')
      .map((s) => (s.value.match(/[A-Za-z0-9_~.+/-]{24,}/g) ?? []).sort((a, b) => b.length - a.length)[0])
      .filter((token) => token && reportText.includes(token));
    check('secrets: no true-positive value appears in the JSON report', leaked.length === 0, `${leaked.length} values leaked`);

    // The corpus file itself, scanned with the whole corpus, is reported (it is full of published test keys).
    const inCorpus = (all?.findings ?? []).filter((f) => f.ruleId.startsWith('secret/') && f.location.path.endsWith('gitleaks-ai-cloud-samples.json'));
    check(`secrets: the samples file in the whole-corpus scan yields secret findings (${inCorpus.length})`, inCorpus.length > 0);
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}
