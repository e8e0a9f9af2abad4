// picklescan's samples (../shared/corpus/pickles/picklescan): the serialization format of every sample is
// named by its bytes, whatever its name, and model/unsafe-pickle finds every malicious one (see unsafePickle).
import { copyFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

let CORPUS = '';

export default async function pickles({ corpus, check, scan, all }) {
  CORPUS = corpus;
  await unsafePickle({ check, all });
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

// model/unsafe-pickle over picklescan's samples (verdicts.json records picklescan 1.0.5's results):
//  - every sample it calls malicious fails the gate (a blocking model/unsafe-pickle finding);
//  - no clean sample gets a high or critical finding from any rule;
//  - the globals we report as dangerous include picklescan's `dangerous` list (module.name), where picklescan's
//    `unknown` placeholders (a name it could not resolve) must match a "computed at load time" finding;
//  - findings before a parse error survive it.
export async function unsafePickle({ check, all }) {
  const verdicts = JSON.parse(readFileSync(join(CORPUS, 'pickles/picklescan/verdicts.json'), 'utf8')).files;
  const byFile = new Map();
  for (const f of all.findings ?? []) byFile.set(f.location.path, [...(byFile.get(f.location.path) ?? []), f]);
  const ours = (file) => (byFile.get(`pickles/picklescan/${file}`) ?? []);
  const pickleFindings = (file) => ours(file).filter((f) => f.ruleId === 'model/unsafe-pickle');
  const blocking = (f) => f.severity === 'critical' || f.severity === 'high';

  const missed = [];
  const flaggedClean = [];
  const globalsMissing = [];
  let malicious = 0, clean = 0;
  for (const [file, info] of Object.entries(verdicts)) {
    const found = pickleFindings(file);
    if (info.verdict === 'malicious') {
      malicious++;
      if (!found.some(blocking)) missed.push(`${file}: ${found.map((f) => `${f.severity} ${f.message.slice(0, 80)}`).join(' | ') || 'no finding'}`);
      const imported = new Set();
      let unresolved = false;
      for (const f of found) {
        const m = /imports (\S+?)(?:, which resolves to (\S+?))? \(/.exec(f.message);
        if (m && f.severity === 'critical') { imported.add(m[1]); if (m[2]) imported.add(m[2]); }
        if (/computed at load time/.test(f.message)) unresolved = true;
      }
      const want = info.picklescan?.dangerous ?? [];
      const lacking = want.filter((g) => (/(^|\.)unknown($|\.)/.test(g) ? !unresolved : !imported.has(g)));
      if (lacking.length) globalsMissing.push(`${file}: ${lacking.join(', ')}`);
    } else {
      clean++;
      const high = ours(file).filter(blocking);
      if (high.length) flaggedClean.push(`${file}: ${high.map((f) => `${f.ruleId} ${f.severity}`).join(', ')}`);
    }
  }
  check(`picklescan: ${malicious - missed.length}/${malicious} malicious samples fail the gate (model/unsafe-pickle high or critical)`, missed.length === 0, missed.join('\n     '));
  check(`picklescan: ${clean - flaggedClean.length}/${clean} clean samples get no high or critical finding`, flaggedClean.length === 0, flaggedClean.join('\n     '));
  check(`picklescan: our dangerous globals include picklescan's for ${malicious - globalsMissing.length}/${malicious} malicious samples`, globalsMissing.length === 0, globalsMissing.join('\n     '));
  const survived = ['data/broken_model.pkl', 'data/malicious-invalid-bytes.pkl'].every((file) => pickleFindings(file).some((f) => f.severity === 'critical'));
  check('picklescan: findings made before a parse error are kept (broken_model.pkl, malicious-invalid-bytes.pkl)', survived);
  const benign = ['data/pytorch_model.bin', 'data/new_pytorch_model.bin', 'data2/object_array.npy', 'data2/object_arrays.npz', 'data2/object_arrays_compressed.npz'];
  const noisy = benign.filter((file) => pickleFindings(file).length > 0);
  check('picklescan: benign torch and NumPy files pass the default allowlist without any model/unsafe-pickle finding', noisy.length === 0, noisy.join(', '));
}
