import rule from '../../../src/rules/secret/ai-provider-key.js';
import { redact } from '../../../src/engine/redact.js';
import { buildNotebook, lineOf, result, stream } from '../../helpers/notebook.js';
import { testRule } from '../../helpers/rule-tester.js';
import { fake } from '../../helpers/secrets.js';

const ACTION = 'revoke or rotate it now (merging, or even pushing, exposes it), remove it from the branch history, and read it at run time from a secret store or an environment variable.';
const hf = fake.huggingface(11);
const nbSource = buildNotebook([
  { type: 'markdown', source: '# Fine-tune\nLog in first.\n' },
  { source: `from huggingface_hub import login\nlogin(token="${hf}")\n` },
]);
const oa = fake.openai(12);
const nbOutput = buildNotebook([
  { source: 'import os\nprint(os.environ)\n', outputs: [stream(`{'HOME': '/root', 'OPENAI_API_KEY': '${oa}'}\n`)] },
]);
const nbResult = buildNotebook([{ source: 'cfg\n', outputs: [result(`{'token': '${fake.groq(3)}'}`)] }]);

/**
 * Large datasets are searched in 4 MiB windows, most without any credential keyword (those are skipped after a
 * quick test): a key cut by the first window's end, then rows of two-byte characters (`é`, so that read chunks
 * cut characters) and a key deep inside a later window. Each key is reported once, at its line and column.
 */
const MiB = 1024 * 1024;
function rows(from: number, bytes: number, word = 'café'): string[] {
  const out: string[] = [];
  let size = 0;
  for (let i = from; size < bytes; i++) { const row = `${i},"${word} review ${i} was good",pos\n`; out.push(row); size += Buffer.byteLength(row); }
  return out;
}
// ASCII up to the cut key, so that the first window ends exactly at the 4 MiB read chunk.
const head = rows(0, 4 * MiB - 200, 'cafe');
const headBytes = Buffer.byteLength(head.join(''));
const HEADER = 'id,text,label\n';
// The key starts 10 bytes before the 4 MiB boundary.
const cutPrefix = `${head.length},"${'e'.repeat(4 * MiB - 10 - HEADER.length - headBytes - `${head.length},"`.length - 1)} `;
const cutKey = fake.huggingface(21);
const middle = rows(head.length + 1, 5 * MiB);
const deepPrefix = `${head.length + 1 + middle.length},"café, déjà vu, the key is `;
const deepKey = fake.openai(22);
const bigCsv = [HEADER, ...head, `${cutPrefix}${cutKey} done",pos\n`, ...middle, `${deepPrefix}${deepKey}",neg\n`, ...rows(0, MiB)].join('');
const cutLine = 2 + head.length;
const deepLine = cutLine + 1 + middle.length;

testRule(rule, {
  valid: [
    { name: 'a token read from the environment', files: { 'train.py': 'import os\nlogin(token=os.environ["HF_TOKEN"])\n' } },
    { name: 'a workflow passing a secret reference', files: { '.github/workflows/t.yml': 'jobs:\n  t:\n    runs-on: ubuntu-latest\n    env:\n      HF_TOKEN: ${{ secrets.HF_TOKEN }}\n    steps:\n      - run: python train.py\n' } },
    { name: 'a placeholder token in docs', files: { 'README.md': 'Set `HF_TOKEN=hf_xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx` in your shell.\n' } },
    { name: 'a credential of another family (GitHub)', files: { 'ci.sh': `export GH_TOKEN=${fake.github(1)}\n` } },
    { name: 'a detector excluded by the policy', files: { 'app.py': `REPLICATE_API_TOKEN = "${fake.replicate(2)}"\n` }, options: { exclude: ['replicate-api-token'] } },
    { name: 'a binary file is not searched', files: { 'blob.bin': Buffer.concat([Buffer.from([0, 1, 2, 0]), Buffer.from(hf)]) } },
    { name: 'a notebook whose cells hold no secret', files: { 'nb.ipynb': buildNotebook([{ source: 'print(1)\n', outputs: [stream('1\n')] }]) } },
  ],
  invalid: [
    {
      name: 'a Hugging Face token in a training script',
      files: { 'src/train.py': `from huggingface_hub import login\n\nlogin(token="${hf}")\n` },
      errors: [{ path: 'src/train.py', line: 3, column: 14, severity: 'critical', message: `Hugging Face access token ${redact(hf)} (huggingface-access-token): ${ACTION}` }],
    },
    {
      name: 'an Anthropic key in a YAML config and an OpenAI key in a .env file',
      files: { 'configs/llm.yaml': `provider: anthropic\napi_key: ${fake.anthropic(4)}\n`, '.env': `OPENAI_API_KEY=${oa}\n` },
      errors: [
        { path: '.env', line: 1, column: 16, message: `OpenAI API key ${redact(oa)} (openai-api-key): ${ACTION}` },
        { path: 'configs/llm.yaml', line: 2, column: 10, message: /^Anthropic API key sk-a…\[redacted hmac:[0-9a-f]{8}\] \(anthropic-api-key\): revoke/ },
      ],
    },
    {
      name: 'a token in a notebook cell points at the cell and the line of the file',
      files: { 'notebooks/finetune.ipynb': nbSource },
      errors: [{ line: lineOf(nbSource, hf), message: `Hugging Face access token ${redact(hf)} (huggingface-access-token) in the source of cell 2: ${ACTION}` }],
    },
    {
      name: 'a key printed into a notebook output',
      files: { 'nb.ipynb': nbOutput },
      errors: [{ line: lineOf(nbOutput, oa), message: `OpenAI API key ${redact(oa)} (openai-api-key) in output 1 of cell 1: ${ACTION}` }],
    },
    {
      name: 'a key in an execute_result',
      files: { 'nb.ipynb': nbResult },
      errors: [{ message: /^Groq API key gsk_…\[redacted hmac:[0-9a-f]{8}\] \(groq-api-key\) in output 1 \(text\/plain\) of cell 1:/ }],
    },
    {
      name: 'a keyword-anchored format is high',
      files: { 'app.py': `MISTRAL_API_KEY = "${fake.mistral(5)}"\n` },
      errors: [{ severity: 'high', message: /^Mistral API key .*\(mistral-api-key\)/ }],
    },
    {
      name: 'a severity set in the policy applies to every finding',
      files: { 'app.py': `MISTRAL_API_KEY = "${fake.mistral(5)}"\nHF = "${hf}"\n` },
      severity: 'medium',
      errors: [{ line: 1, severity: 'medium', message: /mistral-api-key/ }, { line: 2, severity: 'medium', message: /huggingface-access-token/ }],
    },
    {
      name: 'a token in a CSV dataset',
      files: { 'data/prompts.csv': `id,prompt\n1,hello\n2,"use ${fake.huggingfaceOrg(6)} to log in"\n` },
      errors: [{ line: 3, message: /^Hugging Face organization API token api_…\[redacted/ }],
    },
    {
      name: 'keys in a 10 MB dataset: one cut by the first read chunk, one in a later window, at their lines and columns',
      files: { 'data/reviews.csv': bigCsv },
      errors: [
        { line: cutLine, column: cutPrefix.length + 1, message: `Hugging Face access token ${redact(cutKey)} (huggingface-access-token): ${ACTION}` },
        { line: deepLine, column: deepPrefix.length + 1, message: `OpenAI API key ${redact(deepKey)} (openai-api-key): ${ACTION}` },
      ],
    },
    {
      name: 'a notebook that is not valid JSON is searched as text',
      files: { 'broken.ipynb': `{"cells": [ {"source": ["login(token='${hf}')"` },
      errors: [{ line: 1, message: `Hugging Face access token ${redact(hf)} (huggingface-access-token): ${ACTION}` }],
    },
  ],
});
