import { join, posix } from 'node:path';
import { readBounded, rootOf } from '../../detect/cards.js';
import { HF_CONFIG_NAMES, remoteCodeEntries, type RemoteCodeEntry } from '../../detect/hf-remote-code.js';
import { defineRule, type FileContext } from '../../engine/rule.js';
import type { Severity } from '../../engine/severity.js';
import { FormatError } from '../../formats/errors.js';

type Options = Record<string, never>;
const LOWER: Record<Severity, Severity> = { critical: 'high', high: 'medium', medium: 'low', low: 'low' };
const MAX_CONFIG_BYTES = 4 * 1024 * 1024;
const ADVICE = 'review it as code, or use an architecture built into transformers so no remote code is needed';

export default defineRule<Options>({
  meta: {
    id: 'model/remote-code',
    description: 'A Hugging Face model folder maps its classes to custom Python code (auto_map, custom_pipelines) that runs when the model is loaded with trust_remote_code=True.',
    help: [
      'A `config.json`, `tokenizer_config.json` or `preprocessor_config.json` with an `auto_map` (or a',
      '`custom_pipelines` entry) tells transformers to import Python modules shipped with the model: anyone',
      'who loads it with `trust_remote_code=True` runs that code. `module.Class` names a `.py` file in the same',
      'folder; `org/repo--module.Class` names code in *another* Hub repository, fetched at whatever revision it',
      'has when the model is loaded, which this repository cannot review. A change that adds or edits such a',
      'mapping, or the `.py` file it points to, gets the configured severity; an existing mapping to a file in',
      'the folder gets one level lower. Calls that pass `trust_remote_code=True` are reported by',
      '`pipeline/remote-code-load`.',
      '',
      '**Remediation**: prefer a model whose architecture is built into transformers. Otherwise keep the custom',
      'code in the model folder (not in another repository), review every change to it like application code,',
      'and load the model pinned to a reviewed commit (`revision="<sha>"`).',
    ].join('\n'),
    defaultSeverity: 'high',
    docs: {
      examples: {
        bad: [
          {
            title: 'auto_map sends AutoModel to Python files shipped with the model',
            lang: 'json',
            file: 'models/chat/config.json',
            code: [
              '{',
              '  "model_type": "chat-model",',
              '  "architectures": ["ChatModelForCausalLM"],',
              '  "auto_map": {',
              '    "AutoConfig": "configuration_chat.ChatConfig",',
              '    "AutoModelForCausalLM": "modeling_chat.ChatModelForCausalLM"',
              '  }',
              '}',
            ].join('\n'),
          },
        ],
        good: [
          {
            title: 'An architecture built into the library: no custom code is imported',
            lang: 'json',
            file: 'models/chat/config.json',
            code: [
              '{',
              '  "model_type": "llama",',
              '  "architectures": ["LlamaForCausalLM"],',
              '  "hidden_size": 2048,',
              '  "num_hidden_layers": 16',
              '}',
            ].join('\n'),
          },
        ],
      },
      references: [
        { title: 'Transformers: models with custom code (trust_remote_code)', url: 'https://huggingface.co/docs/transformers/custom_models' },
        { title: 'Hugging Face Hub: security', url: 'https://huggingface.co/docs/hub/security' },
      ],
    },
    kinds: ['config', 'dataset', 'text'],
    formats: ['json', 'python'],
    options: { type: 'object', properties: {}, additionalProperties: false },
    defaultOptions: {},
  },
  async checkFile(ctx) {
    const name = posix.basename(ctx.file.path);
    if (ctx.file.format === 'python') return checkModule(ctx, name);
    if (!HF_CONFIG_NAMES.has(name)) return;
    const { text } = await ctx.reader.text();
    let entries: RemoteCodeEntry[];
    try {
      entries = remoteCodeEntries(text, ctx.file.path);
    } catch (error) {
      if (!(error instanceof FormatError)) throw error;
      ctx.report({ severity: LOWER[ctx.severity], message: `${name} mentions auto_map or custom_pipelines but could not be parsed (${error.message}); the custom code it maps could not be checked: fix the JSON.` });
      return;
    }
    const changed = ctx.file.change !== 'unchanged';
    for (const group of groupByTarget(entries)) {
      const e = group[0];
      const keys = group.map((g) => g.key).join(', ');
      const where = { line: e.position?.line, column: e.position?.column, keyPath: e.key, fingerprintKey: `${e.repo ?? ''}\0${e.module ?? e.reference}` };
      if (e.repo) {
        ctx.report({ ...where, message: `${keys} loads ${e.reference}, code from another Hub repository (${e.repo}) that runs with trust_remote_code=True at whatever revision that repository has when the model is loaded: copy the code into this folder and map it locally, or use an architecture built into transformers.` });
        continue;
      }
      if (!e.module) continue;
      const present = await readBounded(join(rootOf(ctx.file), posix.dirname(ctx.file.path), `${e.module}.py`), 1) !== undefined;
      if (!present) {
        ctx.report({ ...where, message: `${keys} loads ${e.reference} from ${e.module}.py, which is not in this folder, so transformers fetches it from the model's Hub repository when the model is loaded with trust_remote_code=True: add the file here so it can be reviewed, or use an architecture built into transformers.` });
        continue;
      }
      const how = changed ? `this change ${ctx.file.change === 'added' ? 'adds' : 'changes'} the mapping` : 'loading the model with trust_remote_code=True runs it';
      ctx.report({ ...where, severity: changed ? ctx.severity : LOWER[ctx.severity], message: `${keys} loads ${e.reference} from ${e.module}.py in this folder, custom code that runs whenever the model is loaded with trust_remote_code=True (${how}): ${ADVICE}.` });
    }
  },
});

/** One finding per module file (AutoConfig, AutoModel, ... usually share one). */
function groupByTarget(entries: RemoteCodeEntry[]): RemoteCodeEntry[][] {
  const groups = new Map<string, RemoteCodeEntry[]>();
  for (const e of entries) {
    const key = `${e.repo ?? ''}\0${e.module ?? e.reference}`;
    groups.set(key, [...(groups.get(key) ?? []), e]);
  }
  return [...groups.values()];
}

/** A changed `.py` file that a sibling config's auto_map loads: the change is to code that runs on load. */
async function checkModule(ctx: FileContext<Options>, name: string): Promise<void> {
  if (ctx.file.change === 'unchanged' || !name.endsWith('.py')) return;
  const module = name.slice(0, -3);
  const dir = posix.dirname(ctx.file.path);
  for (const config of HF_CONFIG_NAMES) {
    const bytes = await readBounded(join(rootOf(ctx.file), dir, config), MAX_CONFIG_BYTES);
    if (!bytes) continue;
    let entries: RemoteCodeEntry[];
    try {
      entries = remoteCodeEntries(bytes.toString('utf8'), posix.join(dir, config));
    } catch (error) {
      if (error instanceof FormatError) continue;
      throw error;
    }
    const mapped = entries.filter((e) => !e.repo && e.module === module);
    if (mapped.length === 0) continue;
    const verb = ctx.file.change === 'added' ? 'adds' : 'changes';
    ctx.report({
      line: 1, column: 1, fingerprintKey: `module\0${config}`,
      message: `This change ${verb} ${name}, custom model code that ${config} maps (${mapped.map((e) => e.key).join(', ')}) and that runs whenever the model is loaded with trust_remote_code=True: review it line by line as code that runs on every machine that loads the model.`,
    });
    return;
  }
}
