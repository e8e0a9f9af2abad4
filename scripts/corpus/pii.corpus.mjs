// Presidio's synthetic PII sentences (../shared/corpus/pii/presidio-synth-v2.json, labelled by construction):
// precision and recall per entity of the PII detector, the checksum validators against the labelled values,
// silence on the span-less samples, and the bundled CLI's data/pii rule over the same sentences as a dataset.
//
// The detector is src/detect/pii.ts itself, transpiled with the project's TypeScript into a temp folder with the
// modules of ours it imports, so these figures are for the code in the tree; the CLI checks run the bundle.
import { mkdtempSync, readFileSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, posix, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const repo = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

/** Presidio's entity types → ours. DATE_TIME is not date of birth: it is used only for DOB precision. */
export const ENTITY_MAP = {
  EMAIL_ADDRESS: ['email'], PHONE_NUMBER: ['phone'], US_SSN: ['us-ssn'], CREDIT_CARD: ['credit-card'],
  IBAN_CODE: ['iban'], IP_ADDRESS: ['ipv4', 'ipv6'],
};

/**
 * Thresholds, from what the labels allow. Emails, cards, IBANs, SSNs and IPs are validated structures (Luhn,
 * mod-97, SSA ranges, address syntax): anything below 0.95 would be a bug. Phone numbers in this corpus include
 * bare local numbers of 7–8 digits in 2–4 groups ("467 3395", "99 668472") that cannot be told from other
 * digit groups without a country, so recall is held at 0.75 and precision at 0.90.
 */
export const THRESHOLDS = {
  EMAIL_ADDRESS: [0.95, 0.95], CREDIT_CARD: [0.95, 0.95], IBAN_CODE: [0.95, 0.95], US_SSN: [0.95, 0.95],
  IP_ADDRESS: [0.95, 0.95], PHONE_NUMBER: [0.9, 0.75],
};

export async function loadDetector() {
  const { default: ts } = await import(pathToFileURL(join(repo, 'node_modules/typescript/lib/typescript.js')).href);
  const dir = mkdtempSync(join(tmpdir(), 'ai-gate-pii-'));
  writeFileSync(join(dir, 'package.json'), '{"type":"module"}');
  // pii.ts and the modules of ours it imports (relative `.js` imports), each transpiled to its place under `dir`.
  const done = new Set();
  const transpile = (name) => {
    if (done.has(name)) return;
    done.add(name);
    const src = readFileSync(join(repo, 'src', `${name}.ts`), 'utf8');
    for (const m of src.matchAll(/from '(\.{1,2}\/[\w/.-]+)\.js'/g)) transpile(posix.join(posix.dirname(name), m[1]));
    mkdirSync(join(dir, posix.dirname(name)), { recursive: true });
    writeFileSync(join(dir, `${name}.js`), ts.transpileModule(src, { compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022 } }).outputText);
  };
  transpile('detect/pii');
  try {
    return await import(pathToFileURL(join(dir, 'detect/pii.js')).href);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Per Presidio entity: tp/fp/fn by overlapping spans, at the rule's default confidence (medium and above). */
export function evaluate(detector, samples) {
  const stats = Object.fromEntries(Object.keys(ENTITY_MAP).map((k) => [k, { tp: 0, fp: 0, fn: 0 }]));
  const ours = Object.fromEntries(Object.entries(ENTITY_MAP).flatMap(([k, vs]) => vs.map((v) => [v, k])));
  const dob = { tp: 0, fp: 0 };
  let started = process.hrtime.bigint();
  let chars = 0;
  for (const s of samples) {
    chars += s.full_text.length;
    const found = detector.findPii(s.full_text).filter((m) => m.confidence !== 'low');
    const overlaps = (m, sp) => m.index < sp.end_position && sp.start_position < m.index + m.length;
    for (const m of found) {
      if (m.entity === 'date-of-birth') {
        if (s.spans.some((sp) => sp.entity_type === 'DATE_TIME' && overlaps(m, sp))) dob.tp++; else dob.fp++;
        continue;
      }
      const type = ours[m.entity];
      if (s.spans.some((sp) => sp.entity_type === type && overlaps(m, sp))) stats[type].tp++; else stats[type].fp++;
    }
    for (const sp of s.spans) {
      const mine = ENTITY_MAP[sp.entity_type];
      if (mine && !found.some((m) => mine.includes(m.entity) && overlaps(m, sp))) stats[sp.entity_type].fn++;
    }
  }
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  const rows = Object.entries(stats).map(([type, s]) => ({
    type, ...s, precision: s.tp / Math.max(1, s.tp + s.fp), recall: s.tp / Math.max(1, s.tp + s.fn),
  }));
  return { rows, dob, seconds, chars };
}

export default async function pii({ corpus, check, scan }) {
  const samples = JSON.parse(readFileSync(join(corpus, 'pii/presidio-synth-v2.json'), 'utf8'));
  const detector = await loadDetector();
  const { rows, dob } = evaluate(detector, samples);
  for (const r of rows) {
    const [p, rc] = THRESHOLDS[r.type];
    check(`presidio ${r.type}: precision ${r.precision.toFixed(3)} ≥ ${p}, recall ${r.recall.toFixed(3)} ≥ ${rc} (tp ${r.tp}, fp ${r.fp}, fn ${r.fn})`, r.precision >= p && r.recall >= rc);
  }
  const dobPrecision = dob.tp / Math.max(1, dob.tp + dob.fp);
  check(`presidio dates of birth: every date found after "born"/"date of birth" is a labelled DATE_TIME (${dob.tp}/${dob.tp + dob.fp})`, dob.tp > 0 && dobPrecision >= 0.95);

  const values = (type) => samples.flatMap((s) => s.spans.filter((sp) => sp.entity_type === type).map((sp) => sp.entity_value));
  const cards = values('CREDIT_CARD').map((v) => v.replace(/\D/g, ''));
  check(`presidio CREDIT_CARD: all ${cards.length} labelled numbers pass Luhn`, cards.every(detector.luhnValid));
  // The generator (Faker) also draws "JCB" numbers from 3500–3527 and 3590–3599 and a 0-prefixed "Maestro",
  // outside the networks' published ranges; such numbers count as card-shaped but of no known network.
  const known = cards.filter((c) => detector.cardNetwork(c));
  check(`presidio CREDIT_CARD: ${known.length}/${cards.length} labelled numbers in a published network range (≥ 90%)`, known.length / cards.length >= 0.9);
  const ibans = values('IBAN_CODE');
  check(`presidio IBAN_CODE: all ${ibans.length} labelled IBANs pass mod-97 and the country length`, ibans.every(detector.ibanValid));
  const ssns = values('US_SSN');
  check(`presidio US_SSN: all ${ssns.length} labelled SSNs pass the SSA range rules`, ssns.every(detector.ssnValid));

  const spanless = samples.filter((s) => s.spans.length === 0);
  const noisy = spanless.filter((s) => detector.findPii(s.full_text).some((m) => m.confidence !== 'low'));
  check(`presidio: ${noisy.length}/${spanless.length} span-less samples yield a finding (≤ 2%)`, noisy.length <= spanless.length * 0.02,
    noisy.map((s) => s.full_text.slice(0, 60)).join(' | '));

  // The bundled CLI: the sentences as a JSON Lines dataset; data/pii must count what the detector finds.
  const dir = mkdtempSync(join(tmpdir(), 'ai-gate-pii-cli-'));
  try {
    mkdirSync(join(dir, 'data'));
    writeFileSync(join(dir, 'data/sentences.jsonl'), samples.map((s) => JSON.stringify({ text: s.full_text })).join('\n'));
    const r = scan(dir, '--policy', writePolicy(dir));
    const findings = (r.report?.findings ?? []).filter((f) => f.ruleId === 'data/pii');
    check('presidio via the CLI: data/pii fails the gate on the sentences (exit 1)', r.code === 1, `exit ${r.code}`);
    const message = findings.map((f) => f.message).join('\n');
    const count = (noun) => Number((new RegExp(`([\\d,]+) ${noun}`).exec(message)?.[1] ?? '0').replace(/,/g, ''));
    const expected = (entity) => samples.reduce((n, s) => n + detector.findPii(s.full_text, { columnName: 'text' }).filter((m) => m.entity === entity && m.confidence !== 'low').length, 0);
    for (const [noun, entity] of [['email addresses', 'email'], ['payment card numbers', 'credit-card'], ['IBANs', 'iban'], ['US social security numbers', 'us-ssn']]) {
      check(`presidio via the CLI: ${count(noun)} ${noun} reported, as the detector finds (${expected(entity)})`, count(noun) === expected(entity) && count(noun) > 0);
    }
    const leaked = values('EMAIL_ADDRESS').concat(values('CREDIT_CARD')).filter((v) => JSON.stringify(r.report ?? {}).includes(v));
    check('presidio via the CLI: no labelled email or card number appears in the JSON report', leaked.length === 0, leaked.slice(0, 3).join(', '));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function writePolicy(dir) {
  const path = join(dir, 'policy.yml');
  writeFileSync(path, 'extends: none\nrules:\n  data/pii: {}\n');
  return path;
}
