// The synthetic large AI repository of issue 10: about 4 GB of models across formats (safetensors shards, GGUF,
// a PyTorch zip checkpoint, ONNX with inline weights, npy, small pickles), 1 GB of CSV/JSONL, 500 workflows and
// 20,000 small text files, generated into a temp folder (a git repository) and deleted afterwards.
// Prints per stage and for the whole repository: wall time, MB/s and peak RSS of our CLI, beside baselines over
// the same bytes in the same run: `openssl dgst -sha256` (the hashing limit) and `cat` to /dev/null (the reading
// limit); then a PR touching 10 files (`scan --base HEAD`). AI_GATE_BENCH_REPO_SCALE scales every size and count
// (default 1, the sizes; e.g. 0.05 for a quick run). AI_GATE_BENCH_KEEP=1 keeps the folder.
// AI_GATE_BENCH_REPO_ROUNDS (default 3): rounds of the whole-repository and PR measurements, medians reported.
import { spawnSync } from 'node:child_process';
import { appendFileSync, closeSync, copyFileSync, mkdirSync, mkdtempSync, openSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { crc32 } from 'node:zlib';
import { fmt, mb, printTable, timeCli, timeCommand } from './harness.mjs';

const SCALE = Number(process.env.AI_GATE_BENCH_REPO_SCALE ?? 1);
const ROUNDS = Math.max(1, Number(process.env.AI_GATE_BENCH_REPO_ROUNDS ?? 3) || 3);

/** The run whose `key` is the median (the lower middle one of an even number). */
function median(runs, key) {
  return [...runs].sort((a, b) => key(a) - key(b))[Math.floor((runs.length - 1) / 2)];
}
const MiB = 1024 * 1024;
const size = (n) => Math.max(4096, Math.round(n * SCALE));
const count = (n) => Math.max(1, Math.round(n * SCALE));

const ZEROS = Buffer.alloc(4 * MiB);

/** Writes `head`, then `bytes` of weight-like filler, then `tail`, in 4 MiB writes; returns the file's size. */
function writeLarge(path, head, bytes, tail = Buffer.alloc(0)) {
  mkdirSync(dirname(path), { recursive: true });
  const fd = openSync(path, 'w');
  writeSync(fd, head);
  // Weights are not zeros in real files, but SHA-256 and reads cost the same whatever the bytes; a varying
  // first byte per block keeps the file from being sparse.
  for (let left = bytes, i = 0; left > 0; left -= ZEROS.length, i++) {
    ZEROS[0] = i & 0xff;
    writeSync(fd, ZEROS, 0, Math.min(left, ZEROS.length));
  }
  writeSync(fd, tail);
  closeSync(fd);
  return head.length + bytes + tail.length;
}

const u64 = (n) => { const b = Buffer.alloc(8); b.writeBigUInt64LE(BigInt(n)); return b; };
const u32 = (n) => { const b = Buffer.alloc(4); b.writeUInt32LE(n); return b; };
const u16 = (n) => { const b = Buffer.alloc(2); b.writeUInt16LE(n); return b; };

function safetensors(path, bytes, shard) {
  const n = bytes / 4;
  const header = Buffer.from(JSON.stringify({
    __metadata__: { format: 'pt' },
    [`model.layers.${shard}.mlp.weight`]: { dtype: 'F32', shape: [n / 1024, 1024], data_offsets: [0, bytes] },
  }));
  return writeLarge(path, Buffer.concat([u64(header.length), header]), bytes);
}

/** GGUF v3 (ggml docs/gguf.md) with a few metadata strings and one tensor's worth of data after them. */
function gguf(path, bytes) {
  const str = (s) => { const b = Buffer.from(s); return Buffer.concat([u64(b.length), b]); };
  const kv = [['general.architecture', 'llama'], ['general.name', 'bench'],
    ['tokenizer.chat_template', "{% for m in messages %}<|{{ m['role'] }}|>{{ m['content'] }}{% endfor %}"]];
  const head = Buffer.concat([Buffer.from('GGUF'), u32(3), u64(0), u64(kv.length),
    ...kv.flatMap(([k, v]) => [str(k), u32(8), str(v)])]);
  return writeLarge(path, head, bytes);
}

/** A protocol-2 pickle of {"weight": 1.0}: a harmless state dict stand-in. */
const smallPickle = Buffer.from('80027d710058060000007765696768747101473ff0000000000000732e', 'hex');

/** A stored zip like torch.save writes: archive/data.pkl, archive/data/0 (the weights), archive/version. */
function torchZip(path, bytes) {
  mkdirSync(dirname(path), { recursive: true });
  const fd = openSync(path, 'w');
  let offset = 0;
  const central = [];
  const member = (name, writeData, length, crc) => {
    const nameBuf = Buffer.from(name);
    const local = Buffer.concat([u32(0x04034b50), u16(20), u16(0), u16(0), u16(0), u16(0), u32(crc), u32(length), u32(length), u16(nameBuf.length), u16(0), nameBuf]);
    writeSync(fd, local);
    central.push(Buffer.concat([u32(0x02014b50), u16(20), u16(20), u16(0), u16(0), u16(0), u16(0), u32(crc), u32(length), u32(length),
      u16(nameBuf.length), u16(0), u16(0), u16(0), u16(0), u32(0), u32(offset), nameBuf]));
    writeData();
    offset += local.length + length;
  };
  member('archive/data.pkl', () => writeSync(fd, smallPickle), smallPickle.length, crc32(smallPickle));
  let crc = 0;
  for (let left = bytes; left > 0; left -= ZEROS.length) crc = crc32(ZEROS.subarray(0, Math.min(left, ZEROS.length)), crc);
  member('archive/data/0', () => { for (let left = bytes; left > 0; left -= ZEROS.length) writeSync(fd, ZEROS, 0, Math.min(left, ZEROS.length)); }, bytes, crc);
  member('archive/version', () => writeSync(fd, Buffer.from('3\n')), 2, crc32(Buffer.from('3\n')));
  const cd = Buffer.concat(central);
  writeSync(fd, cd);
  writeSync(fd, Buffer.concat([u32(0x06054b50), u16(0), u16(0), u16(central.length), u16(central.length), u32(cd.length), u32(offset), u16(0)]));
  closeSync(fd);
  return offset + cd.length + 22;
}

function varint(n) {
  const out = [];
  do { let b = n % 128; n = Math.floor(n / 128); if (n > 0) b |= 0x80; out.push(b); } while (n > 0);
  return Buffer.from(out);
}
const pbLen = (field, len) => Buffer.concat([varint(field * 8 + 2), varint(len)]);
const pbBytes = (field, body) => Buffer.concat([pbLen(field, body.length), body]);

/** ONNX ModelProto: ir_version, producer, a graph with one node and one initializer holding `bytes` of raw_data. */
function onnx(path, bytes) {
  const tensorHead = Buffer.concat([Buffer.from([0x08, 0x01, 0x10, 0x01]), pbBytes(8, Buffer.from('w')), pbLen(9, bytes)]);
  const node = pbBytes(1, Buffer.concat([pbBytes(1, Buffer.from('x')), pbBytes(2, Buffer.from('y')), pbBytes(4, Buffer.from('Relu'))]));
  const graphBody = Buffer.concat([node, pbBytes(2, Buffer.from('main')), pbLen(5, tensorHead.length + bytes), tensorHead]);
  const head = Buffer.concat([Buffer.from([0x08, 0x09]), pbBytes(2, Buffer.from('pytorch')), pbLen(7, graphBody.length + bytes), graphBody]);
  const opset = pbBytes(8, Buffer.concat([pbBytes(1, Buffer.alloc(0)), Buffer.from([0x10, 17])]));
  return writeLarge(path, head, bytes, opset);
}

function npy(path, bytes) {
  const rows = Math.floor(bytes / 4 / 768);
  let header = `{'descr': '<f4', 'fortran_order': False, 'shape': (${rows}, 768), }`;
  header += ' '.repeat(63 - ((10 + header.length) % 64)) + '\n';
  return writeLarge(path, Buffer.concat([Buffer.from('\x93NUMPY\x01\x00', 'latin1'), u16(header.length), Buffer.from(header)]), rows * 768 * 4);
}

/** Text datasets: rows with an id, a review text and a label; a few rows carry planted (fake) PII. */
function dataset(path, bytes, kind) {
  mkdirSync(dirname(path), { recursive: true });
  const fd = openSync(path, 'w');
  let written = 0, i = 0;
  if (kind === 'csv') written += writeSync(fd, 'id,text,label,score\n');
  while (written < bytes) {
    const rows = [];
    for (let k = 0; k < 2000; k++, i++) {
      const text = i % 50_000 === 7 ? `contact me at user${i}@example.com or 555-01${String(i % 100).padStart(2, '0')}` : `review ${i} of the product was ${i % 3 ? 'good' : 'bad'} and arrived on time`;
      rows.push(kind === 'csv' ? `${i},"${text}",${i % 2 ? 'pos' : 'neg'},${(i % 100) / 10}\n` : `${JSON.stringify({ id: i, text, label: i % 2 ? 'pos' : 'neg' })}\n`);
    }
    written += writeSync(fd, rows.join(''));
  }
  closeSync(fd);
  return written;
}

function workflow(i) {
  const pinned = i % 5 === 0 ? 'actions/checkout@v4' : 'actions/checkout@b4ffde65f46336ab88eb53be808477a3936bae11';
  return `name: job ${i}\non:\n  pull_request:\n    paths: ['src/pkg${i % 50}/**']\npermissions:\n  contents: read\njobs:\n  test:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: ${pinned}\n      - run: python -m pytest src/pkg${i % 50} -q\n`;
}

function textFile(i) {
  if (i % 4 === 0) return `# Notes ${i}\n\nTraining run ${i} used a learning rate of 3e-4 and batch size ${8 << (i % 4)}.\n`.repeat(8);
  return `import numpy as np\n\n\ndef step_${i}(x):\n    """Scale the batch."""\n    return np.asarray(x) * ${i % 7 + 1}\n`.repeat(10);
}

/** The repository: file lists per stage, for the baselines (exported for profiling by hand). */
export function generate(root) {
  const stages = { models: [], datasets: [], workflows: [], text: [] };
  const add = (stage, rel, bytes) => stages[stage].push({ rel, bytes });
  const shards = 4;
  for (let s = 1; s <= shards; s++) {
    const rel = `models/llm/model-0000${s}-of-0000${shards}.safetensors`;
    add('models', rel, safetensors(join(root, rel), size(640 * MiB) & ~4095, s));
  }
  add('models', 'models/llm/model.Q4_K_M.gguf', gguf(join(root, 'models/llm/model.Q4_K_M.gguf'), size(600 * MiB)));
  add('models', 'models/vision/pytorch_model.bin', torchZip(join(root, 'models/vision/pytorch_model.bin'), size(400 * MiB)));
  add('models', 'models/vision/model.onnx', onnx(join(root, 'models/vision/model.onnx'), size(300 * MiB)));
  add('models', 'models/embeddings/vectors.npy', npy(join(root, 'models/embeddings/vectors.npy'), size(200 * MiB)));
  for (let i = 0; i < 10; i++) {
    const rel = `models/sklearn/clf-${i}.pkl`;
    mkdirSync(dirname(join(root, rel)), { recursive: true });
    writeFileSync(join(root, rel), smallPickle);
    add('models', rel, smallPickle.length);
  }
  writeFileSync(join(root, 'models/README.md'), '---\nlicense: apache-2.0\ndatasets: [reviews]\n---\n# Models\n\nIntended use: benchmarks.\n');
  for (let i = 0; i < 4; i++) add('datasets', `data/reviews-${i}.csv`, dataset(join(root, `data/reviews-${i}.csv`), size(150 * MiB), 'csv'));
  for (let i = 0; i < 4; i++) add('datasets', `data/chat-${i}.jsonl`, dataset(join(root, `data/chat-${i}.jsonl`), size(100 * MiB), 'jsonl'));
  writeFileSync(join(root, 'data/README.md'), '---\nlicense: cc-by-4.0\nsource: generated\n---\n# Data\n');
  mkdirSync(join(root, '.github/workflows'), { recursive: true });
  for (let i = 0; i < count(500); i++) {
    const rel = `.github/workflows/ci-${i}.yml`;
    const text = workflow(i);
    writeFileSync(join(root, rel), text);
    add('workflows', rel, Buffer.byteLength(text));
  }
  for (let i = 0; i < count(20_000); i++) {
    const rel = i % 4 === 0 ? `docs/d${i % 40}/note-${i}.md` : `src/pkg${i % 50}/mod_${i}.py`;
    mkdirSync(dirname(join(root, rel)), { recursive: true });
    const text = textFile(i);
    writeFileSync(join(root, rel), text);
    add('text', rel, Buffer.byteLength(text));
  }
  return stages;
}

const OTHER = { models: ['data/**', '.github/workflows/**', 'src/**', 'docs/**'], datasets: ['models/**', '.github/workflows/**', 'src/**', 'docs/**'],
  workflows: ['models/**', 'data/**', 'src/**', 'docs/**'], text: ['models/**', 'data/**', '.github/workflows/**'] };

function baselines(root, files, listFile) {
  writeFileSync(listFile, files.map((f) => f.rel).join('\n'));
  const sh = (cmd) => timeCommand('sh', ['-c', `cd "${root}" && ${cmd}`]);
  return { openssl: sh(`xargs -d '\\n' -a "${listFile}" openssl dgst -sha256 > /dev/null`), cat: sh(`xargs -d '\\n' -a "${listFile}" cat > /dev/null`) };
}

function git(root, ...args) {
  const r = spawnSync('git', ['-C', root, '-c', 'user.email=bench@example.com', '-c', 'user.name=bench', '-c', 'core.compression=0', '-c', 'core.looseCompression=0', '-c', 'gc.auto=0', '-c', 'maintenance.auto=false', ...args], { encoding: 'utf8', maxBuffer: 64 * MiB });
  if (r.status !== 0) throw new Error(`git ${args.join(' ')}: ${r.stderr}`);
}

export default async function bench() {
  const work = mkdtempSync(join(tmpdir(), 'ai-gate-bench-repo-'));
  const root = join(work, 'repo');
  mkdirSync(root);
  try {
    console.log(`\nGenerating the synthetic AI repository (scale ${SCALE}) in ${root} ...`);
    const started = Date.now();
    const stages = generate(root);
    const total = Object.values(stages).flat();
    const totalBytes = total.reduce((n, f) => n + f.bytes, 0);
    console.log(`  ${total.length} files, ${fmt(mb(totalBytes))} MB, in ${fmt((Date.now() - started) / 1000)} s`);
    // Warm the page cache once so that the first measurement is not the only one reading from disk.
    timeCommand('sh', ['-c', `cd "${root}" && find . -type f -print0 | xargs -0 cat > /dev/null`]);

    const rows = [];
    const summary = [];
    for (const [stage, files] of Object.entries(stages)) {
      const policy = join(work, `${stage}.yml`);
      writeFileSync(policy, `extends: recommended\nscope: all\npaths:\n  ignore: ${JSON.stringify(OTHER[stage])}\n`);
      const bytes = files.reduce((n, f) => n + f.bytes, 0);
      const ours = timeCli(['scan', root, '--policy', policy]);
      const base = baselines(root, files, join(work, `${stage}.list`));
      rows.push([`${stage} (${files.length} files): ai-gate scan`, ours.seconds, bytes, ours.rss],
        [`${stage}: openssl dgst -sha256`, base.openssl.seconds, bytes], [`${stage}: cat > /dev/null`, base.cat.seconds, bytes]);
      if (ours.code !== 0 && ours.code !== 1) console.log(`  ${stage}: exit ${ours.code}: ${ours.stderr.slice(0, 500)}`);
    }
    const policy = join(work, 'all.yml');
    writeFileSync(policy, 'extends: recommended\nscope: all\n');
    // The targets' measurements in ROUNDS interleaved rounds (ours, then the baselines), medians reported: the
    // speed of these machines drifts by ~15% within minutes, so that one round of each can land 0.1x either way.
    const wholes = [], bases = [];
    for (let r = 0; r < ROUNDS; r++) {
      wholes.push(timeCli(['scan', root, '--policy', policy]));
      bases.push(baselines(root, total, join(work, 'all.list')));
    }
    const whole = { ...median(wholes, (x) => x.seconds), rss: Math.max(...wholes.map((x) => x.rss)) };
    const base = { openssl: median(bases.map((b) => b.openssl), (x) => x.seconds), cat: median(bases.map((b) => b.cat), (x) => x.seconds) };
    rows.push([`whole repository (${total.length} files): ai-gate`, whole.seconds, totalBytes, whole.rss],
      ['whole repository: openssl dgst -sha256', base.openssl.seconds, totalBytes], ['whole repository: cat > /dev/null', base.cat.seconds, totalBytes]);
    if (whole.code !== 0 && whole.code !== 1) console.log(`  whole: exit ${whole.code}: ${whole.stderr.slice(0, 500)}`);
    const findings = whole.report?.findings ?? [];
    const byRule = {};
    for (const f of findings) byRule[f.ruleId] = (byRule[f.ruleId] ?? 0) + 1;

    // A PR touching 10 files: a new safetensors shard and CSV, two workflows, six edited text files.
    git(root, 'init', '-q');
    git(root, 'add', '-A');
    git(root, 'commit', '-q', '-m', 'base');
    copyFileSync(join(root, stages.models[0].rel), join(root, 'models/llm/model-v2.safetensors'));
    copyFileSync(join(root, stages.datasets[0].rel), join(root, 'data/reviews-new.csv'));
    writeFileSync(join(root, '.github/workflows/new-a.yml'), workflow(1));
    appendFileSync(join(root, stages.workflows[1].rel), '# touched\n');
    for (const f of stages.text.slice(0, 6)) appendFileSync(join(root, f.rel), '# touched\n');
    const prBytes = stages.models[0].bytes + stages.datasets[0].bytes;
    // The commit above left ~5 GB of git objects to be written back to disk: flush them first, or the PR scan
    // is timed against the kernel's write-back (a CI checkout starts with none pending). git() turns off git's
    // automatic gc for the same reason: after a commit of 20,000 loose objects it packs 5 GB in the background,
    // on the cores the PR scan is timed on (it made that scan 2.2-2.7 s instead of 1.5 s).
    timeCommand('sync', []);
    const prs = Array.from({ length: ROUNDS }, () => timeCli(['scan', root, '--policy', policy, '--base', 'HEAD']));
    const pr = { ...median(prs, (x) => x.seconds), rss: Math.max(...prs.map((x) => x.rss)) };
    rows.push([`PR of 10 files (${pr.report?.stats?.filesScanned ?? '?'} scanned): ai-gate --base`, pr.seconds, pr.report?.stats?.bytesScanned ?? prBytes, pr.rss]);

    printTable(`Synthetic AI repository (scale ${SCALE}): ${fmt(mb(totalBytes))} MB, ${total.length} files`, rows);
    const ratio = whole.seconds / base.openssl.seconds;
    const each = wholes.map((w, i) => `${fmt(w.seconds, 2)}/${fmt(bases[i].openssl.seconds, 2)}`).join(', ');
    console.log(`\n(whole repository and PR: medians of ${ROUNDS} interleaved rounds; peak RSS: the largest of them)`);
    summary.push(`whole scan / openssl: ${fmt(ratio, 2)}x (target <= 1.5x): ${ratio <= 1.5 ? 'met' : 'NOT met'}  [rounds, ai-gate/openssl s: ${each}]`);
    summary.push(`peak RSS of the whole scan: ${fmt(mb(whole.rss))} MB (target < 300 MB): ${whole.rss < 300 * MiB ? 'met' : 'NOT met'}`);
    summary.push(`PR touching 10 files: ${fmt(pr.seconds, 2)} s (target < 2 s): ${pr.seconds < 2 ? 'met' : 'NOT met'}  [rounds: ${prs.map((x) => fmt(x.seconds, 2)).join(', ')} s]`);
    console.log(`\n${summary.join('\n')}`);
    console.log(`findings by rule (whole repository): ${JSON.stringify(byRule)}`);
  } finally {
    if (process.env.AI_GATE_BENCH_KEEP === '1') console.log(`kept ${work}`);
    else rmSync(work, { recursive: true, force: true });
  }
}
