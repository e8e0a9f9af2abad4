// Governance over the public corpora: Presidio's synthetic PII sentences (../shared/corpus/pii/) stored in
// plaintext under a sensitive path must fail data/sensitive-unencrypted, naming the personal data it holds
// without disclosing it; the same file encrypted (an age header in front) must pass; and the audit trail of the
// whole-corpus scan must list every model (the picklescan samples) and dataset with its SHA-256.
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export default async ({ corpus, check, scan, all }) => {
  const samples = JSON.parse(readFileSync(join(corpus, 'pii/presidio-synth-v2.json'), 'utf8'));
  const jsonl = samples.map((s) => JSON.stringify({ text: s.full_text })).join('\n') + '\n';
  const emails = samples.flatMap((s) => s.spans.filter((sp) => sp.entity_type === 'EMAIL_ADDRESS').map((sp) => sp.entity_value));
  const dir = mkdtempSync(join(tmpdir(), 'ai-gate-gov-corpus-'));
  try {
    mkdirSync(join(dir, 'data/private'), { recursive: true });
    mkdirSync(join(dir, '.github'), { recursive: true });
    writeFileSync(join(dir, '.github/ai-gate.yml'), 'rules:\n  data/sensitive-unencrypted: { paths: ["data/private/**"] }\n');
    writeFileSync(join(dir, 'data/private/people.jsonl'), jsonl);
    const plain = scan(dir);
    const found = plain.report?.findings.filter((f) => f.ruleId === 'data/sensitive-unencrypted') ?? [];
    check('governance: Presidio sentences in plaintext under a sensitive path fail the gate', plain.code === 1 && found.length === 1 && found[0].blocking,
      `exit ${plain.code}, findings ${JSON.stringify(found.map((f) => f.message))}`);
    check('governance: the finding names the personal data it holds', /holds personal data \(.*email ×\d+/.test(found[0]?.message ?? ''), found[0]?.message);
    const text = JSON.stringify(plain.report ?? {});
    const leaked = emails.filter((e) => text.includes(e));
    check('governance: no email of the corpus appears in the report', leaked.length === 0, `${leaked.length} leaked, e.g. ${leaked[0]}`);
    writeFileSync(join(dir, 'data/private/people.jsonl'), Buffer.concat([Buffer.from('age-encryption.org/v1\n-> X25519 c29tZQ\n'), Buffer.from(jsonl).subarray(0, 4096)]));
    const enc = scan(dir);
    check('governance: the same file behind an age header passes', !(enc.report?.findings ?? []).some((f) => f.ruleId === 'data/sensitive-unencrypted'), `exit ${enc.code}`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }

  const audit = all?.audit;
  check('governance: the whole-corpus report carries an audit trail', Boolean(audit?.policy?.resolvedSha256 && audit?.ruleSet?.sha256 && audit?.verdict));
  const verdicts = JSON.parse(readFileSync(join(corpus, 'pickles/picklescan/verdicts.json'), 'utf8'));
  const entries = Object.entries(verdicts.files ?? verdicts).filter(([, v]) => v && typeof v === 'object' && typeof v.sha256 === 'string');
  const byPath = new Map((audit?.artifacts ?? []).map((a) => [a.path, a]));
  const wrong = entries.filter(([name, v]) => {
    const a = byPath.get(`pickles/picklescan/${name}`);
    return a && a.sha256 !== v.sha256;
  });
  const listed = entries.filter(([name]) => byPath.has(`pickles/picklescan/${name}`)).length;
  check('governance: audit digests of the picklescan samples equal verdicts.json\'s sha256', entries.length > 0 && listed > 0 && wrong.length === 0,
    `${listed}/${entries.length} listed, ${wrong.length} differ (e.g. ${wrong[0]?.[0]})`);
  const pii = byPath.get('pii/presidio-synth-v2.json');
  const want = createHash('sha256').update(readFileSync(join(corpus, 'pii/presidio-synth-v2.json'))).digest('hex');
  check('governance: the Presidio dataset is in the audit with its SHA-256', !pii || pii.sha256 === want, `got ${pii?.sha256}`);
};
