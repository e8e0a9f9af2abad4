// Datasets, per issue 5: a generated CSV (1 GB by default; AI_GATE_BENCH_DATA_MB to change) with PII planted in
// one row in 200 (emails, phone numbers, card numbers, IBANs, SSNs inside free text, plus an email column),
// scanned by the bundled CLI with data/pii alone: once with the default read budget (256 MiB in full, then 32
// MiB of samples) and once read in full. Baselines over the same file in the same run: `wc -l` (the issue's),
// `cat` to /dev/null (the reading limit) and `grep -c @` (fixed-string matching). Then the PII detector's
// precision and recall per entity on ../shared/corpus/pii when that folder exists.
import { closeSync, existsSync, mkdtempSync, openSync, readFileSync, rmSync, statSync, writeFileSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fmt, printTable, repo, timeCli, timeCommand } from './harness.mjs';

const WORDS = 'the model was trained on reviews of films books and music with labels for tone and topic while some rows carry notes'.split(' ');
const PLANTS = [
  (i) => `contact ${'user'}${i}@example.org for details`,
  (i) => `call +44 20 7946 ${String(1000 + (i % 9000))}`,
  () => 'paid with 4111 1111 1111 1111 yesterday',
  () => 'iban GB82 WEST 1234 5698 7654 32 on file',
  () => 'ssn 123-45-6780 was given',
];

function writeCsv(path, bytes) {
  const fd = openSync(path, 'w');
  writeSync(fd, 'id,email,text,label,score\n');
  let written = 0, i = 0, planted = 0;
  while (written < bytes) {
    const rows = [];
    for (let k = 0; k < 10_000; k++, i++) {
      const words = Array.from({ length: 9 }, (_, w) => WORDS[(i * 7 + w * 13) % WORDS.length]).join(' ');
      const plant = i % 200 === 0 ? PLANTS[(i / 200) % PLANTS.length](i) : '';
      if (plant) planted++;
      rows.push(`${i},${i % 200 === 100 ? `person${i}@example.com` : ''},"${words}${plant ? ` ${plant}` : ''}",${i % 3 ? 'pos' : 'neg'},0.${i % 997}`);
    }
    const buf = Buffer.from(`${rows.join('\n')}\n`);
    writeSync(fd, buf);
    written += buf.length;
  }
  closeSync(fd);
  return { rows: i, planted };
}

export default async function dataBench() {
  const mbWanted = Number(process.env.AI_GATE_BENCH_DATA_MB ?? 1024);
  const dir = mkdtempSync(join(tmpdir(), 'ai-gate-bench-data-'));
  try {
    const root = join(dir, 'repo');
    const data = join(root, 'data');
    await import('node:fs').then((fs) => fs.mkdirSync(data, { recursive: true }));
    const csv = join(data, 'customers.csv');
    const { rows, planted } = writeCsv(csv, mbWanted * 1024 * 1024);
    const size = statSync(csv).size;
    const policy = (extra) => { const p = join(dir, `policy-${extra ? 'full' : 'default'}.yml`); writeFileSync(p, `extends: none\nrules:\n  data/pii: ${extra ?? '{}'}\n`); return p; };
    const full = `{ budget-bytes: ${size + 1}, sample-bytes: 0 }`;

    const wc = timeCommand('wc', ['-l', csv]);
    const cat = timeCommand('sh', ['-c', `cat "${csv}" > /dev/null`]);
    // Through a pipe: GNU grep stops at the first match when its output is /dev/null.
    const grep = timeCommand('sh', ['-c', `grep -c @ "${csv}" | cat`]);
    const def = timeCli(['scan', root, '--policy', policy()]);
    const all = timeCli(['scan', root, '--policy', policy(full)]);
    const readOf = (r) => {
      const m = /read (?:in full: [\d,]+ rows, ([\d.]+ \w+)|([\d.]+ \w+) of)/.exec(r.report?.findings?.find((f) => f.ruleId === 'data/pii')?.message ?? '');
      return m ? (m[1] ?? m[2]) : '?';
    };
    const bytesOf = (s) => { const [n, u] = s.split(' '); return Number(n) * { B: 1, KiB: 1024, MiB: 1024 ** 2, GiB: 1024 ** 3 }[u]; };
    printTable(`data/pii over a generated ${fmt(size / 1024 ** 2, 0)} MB CSV (${rows.toLocaleString('en-US')} rows, ${planted.toLocaleString('en-US')} with planted PII in text, ${Math.floor(rows / 200).toLocaleString('en-US')} in the email column)`, [
      ['wc -l (baseline)', wc.seconds, size],
      ['cat > /dev/null (reading limit)', cat.seconds, size],
      ['grep -c @ (fixed-string matching)', grep.seconds, size],
      [`ai-gate data/pii, default budget (read ${readOf(def)})`, def.seconds, bytesOf(readOf(def)) || size, def.rss],
      [`ai-gate data/pii, read in full (${readOf(all)})`, all.seconds, size, all.rss],
    ]);
    for (const [name, r] of [['default', def], ['full', all]]) {
      const f = r.report?.findings?.filter((x) => x.ruleId === 'data/pii') ?? [];
      console.log(`${name}: exit ${r.code}; ${f.length} data/pii findings${r.code !== 1 ? ` — unexpected: ${r.stderr.slice(-300)}` : ''}`);
      for (const x of f) console.log(`  ${x.message.slice(0, 220)}`);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  await corpusTable();
}

async function corpusTable() {
  const file = join(repo, '..', 'shared', 'corpus', 'pii', 'presidio-synth-v2.json');
  if (!existsSync(file)) { console.log('\n(PII corpus not found at ../shared/corpus/pii: precision/recall table skipped)'); return; }
  const { evaluate, loadDetector } = await import('../corpus/pii.corpus.mjs');
  const samples = JSON.parse(readFileSync(file, 'utf8'));
  const detector = await loadDetector();
  // Five passes; the last, with the regular expressions compiled and the code warm, gives the throughput.
  let result;
  for (let pass = 0; pass < 5; pass++) result = evaluate(detector, samples);
  const { rows, dob, seconds, chars } = result;
  console.log(`\n## PII detector on presidio-synth-v2 (${samples.length} sentences; confidence medium and above; spans overlap)`);
  console.log(`${'entity'.padEnd(16)} ${'tp'.padStart(5)} ${'fp'.padStart(5)} ${'fn'.padStart(5)} ${'precision'.padStart(10)} ${'recall'.padStart(8)}`);
  for (const r of rows) console.log(`${r.type.padEnd(16)} ${String(r.tp).padStart(5)} ${String(r.fp).padStart(5)} ${String(r.fn).padStart(5)} ${r.precision.toFixed(3).padStart(10)} ${r.recall.toFixed(3).padStart(8)}`);
  console.log(`${'DOB (DATE_TIME)'.padEnd(16)} ${String(dob.tp).padStart(5)} ${String(dob.fp).padStart(5)} ${'–'.padStart(5)} ${(dob.tp / Math.max(1, dob.tp + dob.fp)).toFixed(3).padStart(10)} ${'–'.padStart(8)}`);
  console.log(`detector throughput on the corpus text: ${fmt(chars / 1024 / 1024 / seconds)} MB/s (${chars.toLocaleString('en-US')} characters)`);
}
