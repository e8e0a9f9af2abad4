// picklescan's samples (../shared/corpus/pickles/picklescan): the serialization format of every sample is
// named by its bytes, whatever its name.
import { copyFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export default async function pickles({ corpus, check, scan, all }) {
  // 2. picklescan's samples: the serialization format of every sample is named by its bytes.
  const verdicts = JSON.parse(readFileSync(join(corpus, 'pickles/picklescan/verdicts.json'), 'utf8')).files;
  const findings = new Map();
  for (const f of all.findings ?? []) {
    if (f.ruleId !== 'model/serialization-format') continue;
    findings.set(f.location.path, [...(findings.get(f.location.path) ?? []), f]);
  }
  // What a pickle-based sample must yield, from verdicts.json's `format` and the files' own notes.
  const expectFinding = (file, info) => {
    if (info.format.startsWith('pickle-v')) return file !== 'data/not_a_pickle.bin'; // 7 bytes, invalid GLOBAL: not a pickle
    if (info.format === 'pytorch-zip' || info.format.startsWith('pytorch-legacy')) return true;
    if (info.format === 'npy' || info.format.startsWith('npz')) return /object|dns_exfiltration/.test(file);
    if (info.format === 'zip') return info.verdict === 'malicious'; // each malicious zip holds a pickle member
    return false; // png, 7z (unscannable archives are model/unsafe-pickle's to report), encrypted zip
  };
  let right = 0;
  const wrong = [];
  for (const [file, info] of Object.entries(verdicts)) {
    const got = findings.get(`pickles/picklescan/${file}`) ?? [];
    if (expectFinding(file, info) === got.length > 0) right++;
    else wrong.push(`${file} (${info.format}): ${got.length ? 'reported' : 'not reported'}`);
  }
  check(`picklescan: serialization format named for ${right}/${Object.keys(verdicts).length} samples`, wrong.length === 0, wrong.join('\n     '));
  const renamedOk = (findings.get('pickles/picklescan/data/malicious1_wrong_ext.zip') ?? []).some((f) => f.location.member === 'data.txt');
  check('picklescan: the pickle member named data.txt is found by its bytes', renamedOk);

  // 3. The same file found whatever the extension: raw pickles named .bin, .pt, .txt in the corpus.
  const oddNames = Object.entries(verdicts).filter(([file, info]) => info.format.startsWith('pickle-v') && !/\.(pkl|pickle)$/.test(file) && file !== 'data/not_a_pickle.bin');
  check(`picklescan: ${oddNames.length} pickles with other extensions reported`, oddNames.every(([file]) => findings.has(`pickles/picklescan/${file}`)));

  // 3b. Every raw pickle and checkpoint copied under a .txt name (in a temp folder, never the repository).
  const tmp = mkdtempSync(join(tmpdir(), 'ai-gate-corpus-'));
  try {
    const sniffable = Object.entries(verdicts).filter(([file, info]) => expectFinding(file, info) && !/^npz|^zip/.test(info.format));
    sniffable.forEach(([file], i) => copyFileSync(join(corpus, 'pickles/picklescan', file), join(tmp, `sample-${i}.txt`)));
    const renamed = scan(tmp);
    const hit = new Set((renamed.report?.findings ?? []).filter((f) => f.ruleId === 'model/serialization-format').map((f) => f.location.path));
    const missed = sniffable.filter((_, i) => !hit.has(`sample-${i}.txt`)).map(([file]) => file);
    check(`picklescan: ${sniffable.length - missed.length}/${sniffable.length} pickle-based samples found after renaming to .txt`, missed.length === 0, missed.join(', '));
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}
