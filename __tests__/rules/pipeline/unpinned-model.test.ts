import rule from '../../../src/rules/pipeline/unpinned-model.js';
import { testRule } from '../../helpers/rule-tester.js';

const SHA = '0123456789abcdef0123456789abcdef01234567';

testRule(rule, {
  valid: [
    { name: 'models pinned to a commit hash', files: { 'train.py': `from transformers import AutoModel, pipeline\nm = AutoModel.from_pretrained("acme/bert", revision="${SHA}")\np = pipeline("ner", model="acme/ner", revision="${SHA}")\n` } },
    { name: 'a local model folder in the repository', files: { 'infer.py': 'from transformers import AutoModel\nm = AutoModel.from_pretrained("models/bert")\n', 'models/bert/config.json': '{}' } },
    { name: 'relative and absolute paths', files: { 'a.py': 'from transformers import AutoModel\nAutoModel.from_pretrained("./out")\nAutoModel.from_pretrained("/mnt/models/x")\nAutoModel.from_pretrained("checkpoint")\n' } },
    { name: 'an id the file cannot tell (a function argument)', files: { 'a.py': 'def load(name):\n    return AutoModel.from_pretrained(name)\n' } },
    { name: 'a revision from a variable', files: { 'a.py': 'AutoModel.from_pretrained("acme/bert", revision=cfg.rev)\n' } },
    { name: 'a pinned model in a config', files: { 'conf/train.yaml': `model_name_or_path: acme/bert\nrevision: "${SHA}"\n` } },
    { name: 'model ids in strings and comments', files: { 'a.py': '# AutoModel.from_pretrained("acme/bert")\nDOC = \'hf_hub_download("acme/x", "f")\'\n' } },
    { name: 'a publisher the policy allows, pinned', files: { 'a.py': `snapshot_download("acme/bert", revision="${SHA}")\n` }, options: { publishers: ['acme'] } },
  ],
  invalid: [
    {
      name: 'from_pretrained, hf_hub_download, snapshot_download and pipeline without a revision',
      files: {
        'src/model.py': [
          'from transformers import AutoTokenizer, pipeline',
          'from huggingface_hub import hf_hub_download, snapshot_download',
          'tok = AutoTokenizer.from_pretrained("bert-base-uncased")',
          'path = hf_hub_download(repo_id="acme/clf", filename="model.safetensors")',
          'snapshot_download("acme/llm", revision="main")',
          'clf = pipeline("sentiment-analysis", model="acme/sentiment")',
          '',
        ].join('\n'),
      },
      errors: [
        { line: 3, column: 21, severity: 'medium', message: 'AutoTokenizer.from_pretrained("bert-base-uncased") fetches model bert-base-uncased without a pinned revision, so what it loads can change without a change here: pin revision to a reviewed commit hash.' },
        { line: 4, column: 8, message: /^hf_hub_download\("acme\/clf"\) fetches model acme\/clf without a pinned revision,/ },
        { line: 5, column: 1, message: 'snapshot_download("acme/llm") fetches model acme/llm at revision "main", a branch or tag that can move, so what it loads can change without a change here: pin revision to a reviewed commit hash.' },
        { line: 6, column: 7, message: /^pipeline\("acme\/sentiment"\) fetches model acme\/sentiment without a pinned revision/ },
      ],
    },
    {
      name: 'a model id assigned to a variable first',
      files: { 'a.py': 'from transformers import AutoModel\nMODEL = "acme/encoder"\nm = AutoModel.from_pretrained(MODEL)\n' },
      errors: [{ line: 3, message: /^AutoModel\.from_pretrained\("acme\/encoder"\) fetches model acme\/encoder without a pinned revision/ }],
    },
    {
      name: 'a publisher outside the policy\'s list is one level higher',
      files: { 'a.py': `from transformers import AutoModel\nAutoModel.from_pretrained("someone/bert", revision="${SHA}")\n` },
      options: { publishers: ['acme', 'google-bert'] },
      errors: [{ severity: 'high', message: 'AutoModel.from_pretrained("someone/bert") fetches model someone/bert from publisher "someone", which is not among the policy\'s publishers (acme, google-bert), so what it loads can change without a change here: use a model from an allowed publisher or mirror it there.' }],
    },
    {
      name: 'model keys in YAML and JSON configs',
      files: {
        'conf/finetune.yaml': 'model:\n  model_name_or_path: acme/llama-ft\n  model_revision: main\ntrain:\n  lr: 1e-5\n',
        'conf/eval.json': '{\n  "base_model": "acme/base"\n}\n',
      },
      errors: [
        { path: 'conf/eval.json', line: 2, column: 17, message: /^base_model: acme\/base fetches model acme\/base without a pinned revision/ },
        { path: 'conf/finetune.yaml', line: 2, column: 23, message: /^model_name_or_path: acme\/llama-ft fetches model acme\/llama-ft at revision "main"/ },
      ],
    },
  ],
});
