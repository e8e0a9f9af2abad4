import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { rootOf } from '../../detect/cards.js';
import { mayCall, pythonModuleOf, type PyCall, type PythonModule } from '../../detect/python-module.js';
import { defineRule, type FileContext } from '../../engine/rule.js';
import type { Severity } from '../../engine/severity.js';
import { FormatError } from '../../formats/errors.js';
import { joinPointer, parseYamlDocumentsWithPositions, type YamlDocument } from '../../formats/yaml-positions.js';

interface Options { publishers: string[] }
interface Ref { id: string; revision?: string; line?: number; column?: number; keyPath?: string; what: string }

const RAISE: Record<Severity, Severity> = { low: 'medium', medium: 'high', high: 'critical', critical: 'critical' };
const HEX40 = /^[0-9a-f]{40}$/;
const HUB_ID = /^[A-Za-z0-9][\w.-]{0,95}(\/[A-Za-z0-9][\w.-]{0,95})?$/;
const FILE_EXT = /\.(ya?ml|json|pt|pth|bin|ckpt|safetensors|onnx|gguf|pkl|txt|csv|py)$/i;
/** Python callables that fetch a model from the Hub by id: which argument is the id. */
const FETCHERS: Array<[RegExp, number, string[]]> = [
  [/(^|\.)from_pretrained$/, 0, ['pretrained_model_name_or_path']],
  [/(^|\.)(hf_hub_download|snapshot_download)$/, 0, ['repo_id']],
  [/^(transformers\.)?pipeline$/, 1, ['model']],
  [/(^|\.)SentenceTransformer$/, 0, ['model_name_or_path']],
];
/** Config keys that name a Hub model, and the keys that pin its revision. */
const MODEL_KEYS = new Set(['model_name_or_path', 'pretrained_model_name_or_path', 'model_name', 'model_id', 'base_model', 'base_model_name_or_path', 'tokenizer_name', 'tokenizer_name_or_path', 'model_repo', 'repo_id', 'hf_model']);
const REVISION_KEYS = ['revision', 'model_revision', 'tokenizer_revision', 'commit_hash'];

export default defineRule<Options>({
  meta: {
    id: 'pipeline/unpinned-model',
    description: 'Code or a config downloads a model from the Hugging Face Hub without pinning a commit hash, or from a publisher the policy does not allow.',
    help: [
      '`from_pretrained("org/model")`, `hf_hub_download`, `snapshot_download`, `pipeline(model=...)` and config keys',
      'such as `model_name_or_path` fetch whatever the repository\'s `main` branch holds at run time. A later push',
      'to that repository (by its owner, or by whoever takes over the account) changes the weights, the tokenizer',
      'and, with `trust_remote_code`, the code that training and serving run, without any change in this',
      'repository. A branch or tag is not a pin: only a 40-character commit hash is. When the policy lists',
      '`publishers`, a model from any other organisation is reported one level higher. Local paths are not',
      'reported; `torch.hub.load` is reported by `pipeline/remote-code-load`.',
      '',
      '**Remediation**: pass `revision="<commit sha>"` (in configs, a `revision` key beside the model id), taken',
      'from the model page\'s commit history after reviewing it; mirror models the project depends on into an',
      'organisation it controls and list that organisation in `publishers`.',
    ].join('\n'),
    defaultSeverity: 'medium',
    docs: {
      examples: {
        bad: [
          {
            title: 'A Hub model loaded at whatever its main branch holds today',
            lang: 'python',
            file: 'src/model.py',
            code: [
              'from transformers import AutoModel',
              '',
              'model = AutoModel.from_pretrained("acme/bert-finetuned")',
            ].join('\n'),
          },
        ],
        good: [
          {
            title: 'The model pinned to a commit hash',
            lang: 'python',
            file: 'src/model.py',
            code: [
              'from transformers import AutoModel',
              '',
              'model = AutoModel.from_pretrained("acme/bert-finetuned", revision="0123456789abcdef0123456789abcdef01234567")',
            ].join('\n'),
          },
        ],
      },
      references: [
        { title: 'Hugging Face Hub: download files (revision)', url: 'https://huggingface.co/docs/huggingface_hub/guides/download' },
      ],
    },
    kinds: ['text', 'dependency', 'config'],
    formats: ['python', 'yaml', 'json'],
    options: {
      type: 'object',
      properties: {
        publishers: { type: 'array', description: 'Hub organisations models may come from (empty: any). Ids without an organisation count as publisher "".', items: { type: 'string' }, uniqueItems: true },
      },
      additionalProperties: false,
    },
    defaultOptions: { publishers: [] },
  },
  async checkFile(ctx) {
    const refs = ctx.file.format === 'python' ? await pythonRefs(ctx) : await configRefs(ctx);
    const root = rootOf(ctx.file);
    for (const ref of refs ?? []) {
      if (!HUB_ID.test(ref.id) || FILE_EXT.test(ref.id) || existsSync(join(root, ref.id))) continue;
      // A bare name is a legacy canonical model (gpt2, bert-base-uncased) only when it looks like one.
      if (!ref.id.includes('/') && !/[\d-]/.test(ref.id)) continue;
      const publisher = ref.id.includes('/') ? ref.id.split('/')[0] : '';
      const foreign = ctx.options.publishers.length > 0 && !ctx.options.publishers.includes(publisher);
      const pinned = ref.revision !== undefined && HEX40.test(ref.revision);
      if (pinned && !foreign) continue;
      const pin = pinned ? '' : ref.revision ? ` at revision ${JSON.stringify(ref.revision)}, a branch or tag that can move,` : ' without a pinned revision,';
      const who = foreign ? ` from publisher ${JSON.stringify(publisher)}, which is not among the policy's publishers (${ctx.options.publishers.join(', ')}),` : '';
      const fix = [pinned ? '' : 'pin revision to a reviewed commit hash', foreign ? 'use a model from an allowed publisher or mirror it there' : ''].filter(Boolean).join(' and ');
      ctx.report({
        line: ref.line, column: ref.column, keyPath: ref.keyPath, severity: foreign ? RAISE[ctx.severity] : ctx.severity,
        fingerprintKey: `${ref.id}\0${ref.revision ?? ''}\0${ref.what}`,
        message: `${ref.what} fetches model ${ref.id}${pin}${who} so what it loads can change without a change here: ${fix}.`,
      });
    }
  },
});

/** The last name part of every FETCHERS callable: a file naming none of them has no reference to find. */
const FETCHER_NAMES = ['from_pretrained', 'hf_hub_download', 'snapshot_download', 'pipeline', 'SentenceTransformer'];

async function pythonRefs(ctx: FileContext<Options>): Promise<Ref[]> {
  if (!mayCall((await ctx.reader.text()).text, FETCHER_NAMES)) return [];
  const py = await pythonModuleOf(ctx);
  if (!py.ok) return []; // pipeline/remote-code-load reports a file it cannot read
  const out: Ref[] = [];
  for (const c of py.module.calls) {
    const fetcher = FETCHERS.find(([re]) => re.test(c.resolved));
    if (!fetcher) continue;
    const ref = refOf(py.module, c, fetcher[1], fetcher[2]);
    if (ref) out.push(ref);
  }
  return out;
}

function refOf(py: PythonModule, c: PyCall, position: number, keywords: string[]): Ref | undefined {
  const arg = keywords.map((k) => py.keyword(c.call, k)).find(Boolean) ?? py.positional(c.call, position);
  const id = py.stringValue(arg, c.scope);
  if (id === undefined) return undefined;
  const revArg = py.keyword(c.call, 'revision');
  const revision = revArg ? py.stringValue(revArg, c.scope) ?? '(computed)' : undefined;
  if (revision === '(computed)') return undefined; // a revision from a variable or config: cannot tell, assume pinned
  const t = py.tokens[c.at];
  return { id, revision, line: t.line, column: t.column, what: `${c.written}(${JSON.stringify(id)})` };
}

async function configRefs(ctx: FileContext<Options>): Promise<Ref[]> {
  const { text } = await ctx.reader.text();
  if (![...MODEL_KEYS].some((k) => text.includes(k))) return [];
  let docs: YamlDocument[];
  try {
    docs = parseYamlDocumentsWithPositions(text, ctx.file.path);
  } catch (error) {
    if (error instanceof FormatError) return []; // not this rule's to report: the config's own tools will fail
    throw error;
  }
  const out: Ref[] = [];
  for (const doc of docs) {
    const stack: Array<[unknown, string]> = [[doc.value, '']];
    for (let n = 0; stack.length > 0 && n < 100_000; n++) {
      const [v, pointer] = stack.pop()!;
      if (Array.isArray(v)) v.forEach((x, i) => stack.push([x, joinPointer(pointer, i)]));
      if (typeof v !== 'object' || v === null || Array.isArray(v)) continue;
      const node = v as Record<string, unknown>;
      const rev = REVISION_KEYS.map((k) => node[k]).find((x) => typeof x === 'string' || typeof x === 'number');
      for (const [k, x] of Object.entries(node)) {
        const p = joinPointer(pointer, k);
        if (MODEL_KEYS.has(k) && typeof x === 'string' && x.includes('/') && !/^[./~]/.test(x)) {
          const pos = doc.positionOf(p);
          out.push({ id: x, revision: rev === undefined ? undefined : String(rev), line: pos?.line, column: pos?.column, keyPath: p.slice(1).replace(/\//g, '.'), what: `${k}: ${x}` });
        } else stack.push([x, p]);
      }
    }
  }
  return out.sort((a, b) => (a.line ?? 0) - (b.line ?? 0));
}
