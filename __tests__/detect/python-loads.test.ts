import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { findRiskyLoads, mayHaveRiskyLoads } from '../../src/detect/python-loads.js';
import { mayCall } from '../../src/detect/python-module.js';

const kinds = (src: string) => findRiskyLoads(src).map((l) => `${l.kind}:${l.severity}:${l.line}:${l.column}`);
const one = (src: string) => {
  const found = findRiskyLoads(src);
  expect(found).toHaveLength(1);
  return found[0];
};

describe('findRiskyLoads', () => {
  it('never reports text in strings, docstrings or comments', () => {
    const src = [
      '"""Load with torch.load(path) or pickle.load(f); never trust_remote_code=True."""',
      "help = 'call yaml.load(stream) and eval(cfg.x)'",
      '# model = AutoModel.from_pretrained("x", trust_remote_code=True)',
      "msg = f\"torch.load({p})\"",
      '',
    ].join('\n');
    expect(findRiskyLoads(src)).toEqual([]);
  });

  it('reports torch.load without weights_only=True, and not with it', () => {
    expect(kinds('import torch\nsd = torch.load("ckpt/model.pt")\nok = torch.load("a.pt", weights_only=True)\n')).toEqual(['torch-load:medium:2:12']);
    const l = one('import torch\nsd = torch.load("ckpt/model.pt", map_location="cpu")\n');
    expect(l.callee).toBe('torch.load');
    expect(l.message).toBe("torch.load(\"ckpt/model.pt\") runs without weights_only=True, so it unpickles the file 'ckpt/model.pt' and can run code from it: pass weights_only=True or store the weights as safetensors.");
  });

  it('reports torch.load with weights_only=False', () => {
    expect(one('import torch\ntorch.load(p, weights_only=False)\n').message).toMatch(/^torch\.load\(p\) runs with weights_only=False/);
  });

  it('rates a downloaded file high, following assignments in the same function', () => {
    const src = [
      'import torch',
      'from huggingface_hub import hf_hub_download',
      'def get():',
      '    path = hf_hub_download("org/model", "pytorch_model.bin")',
      '    return torch.load(path)',
      'def other(path):',
      '    return torch.load(path)',
      '',
    ].join('\n');
    const found = findRiskyLoads(src);
    expect(found.map((l) => `${l.severity}:${l.line}:${l.origin}`)).toEqual(['high:5:download', 'medium:7:unknown']);
    expect(found[0].message).toContain('a downloaded file (hf_hub_download (line 4), assigned to path on line 4)');
  });

  it('rates a URL and a requests download high', () => {
    expect(kinds('import pickle, requests\nobj = pickle.loads(requests.get(URL).content)\n')).toEqual(['pickle-load:high:2:14']);
    expect(kinds('import torch\nu = "https://example.com/m.pt"\nm = torch.load(u)\n')).toEqual(['torch-load:high:3:11']);
    expect(kinds('import joblib, urllib.request\np, _ = urllib.request.urlretrieve(url)\nclf = joblib.load(p)\n')).toEqual(['pickle-load:high:3:14']);
  });

  it('follows `with open(...) as f`', () => {
    const src = 'import pickle\nfrom huggingface_hub import hf_hub_download\nwith open(hf_hub_download("o/r", "x.pkl"), "rb") as f:\n    obj = pickle.load(f)\n';
    expect(kinds(src)).toEqual(['pickle-load:high:4:18']);
  });

  it('resolves import aliases and from-imports', () => {
    expect(kinds('from pickle import loads as L\nx = L(data)\n')).toEqual(['pickle-load:medium:2:5']);
    expect(findRiskyLoads('import dill as d\nd.load(f)\n')[0].callee).toBe('dill.load');
    expect(kinds('import cloudpickle\ncloudpickle.loads(b)\nimport pandas as pd\npd.read_pickle("df.pkl")\n')).toEqual(['pickle-load:medium:2:13', 'pickle-load:medium:4:4']);
  });

  it('does not mistake other objects\' load methods for the loaders', () => {
    expect(findRiskyLoads('import json\njson.load(f)\nmodel.load(p)\nself.torch.load(p)\nmodel.eval()\nast.literal_eval(s)\n')).toEqual([]);
  });

  it('reports np.load only with allow_pickle=True', () => {
    expect(kinds('import numpy as np\nnp.load("a.npy")\nnp.load("b.npy", allow_pickle=True)\n')).toEqual(['numpy-pickle:medium:3:4']);
  });

  it('reports yaml.load without a safe loader and yaml.unsafe_load', () => {
    const src = 'import yaml\nyaml.load(f)\nyaml.load(f, Loader=yaml.SafeLoader)\nyaml.load(f, yaml.CSafeLoader)\nyaml.load(f, Loader=yaml.Loader)\nyaml.unsafe_load(f)\nyaml.safe_load(f)\n';
    expect(kinds(src)).toEqual(['yaml-load:medium:2:6', 'yaml-load:medium:5:6', 'yaml-load:medium:6:6']);
  });

  it('reports Keras load_model with safe_mode=False and enabling unsafe deserialization', () => {
    const src = 'import keras\nkeras.models.load_model("m.keras")\nkeras.models.load_model("m.keras", safe_mode=False)\nkeras.config.enable_unsafe_deserialization()\n';
    expect(kinds(src)).toEqual(['keras-unsafe:medium:3:14', 'keras-unsafe:medium:4:14']);
  });

  it('rates trust_remote_code by what it loads', () => {
    const sha = 'a'.repeat(40);
    const src = [
      'from transformers import AutoModel',
      'a = AutoModel.from_pretrained("acme/model", trust_remote_code=True)',
      `b = AutoModel.from_pretrained("acme/model", revision="${sha}", trust_remote_code=True)`,
      'c = AutoModel.from_pretrained("./models/local", trust_remote_code=True)',
      'd = AutoModel.from_pretrained("acme/model", trust_remote_code=False)',
      '',
    ].join('\n');
    const found = findRiskyLoads(src);
    expect(found.map((l) => `${l.kind}:${l.severity}:${l.line}`)).toEqual(['trust-remote-code:high:2', 'trust-remote-code:medium:3', 'trust-remote-code:medium:4']);
    expect(found[0].message).toBe('AutoModel.from_pretrained("acme/model") passes trust_remote_code=True, which downloads and runs the Python files of model repository acme/model at whatever revision is current: pin revision= to a reviewed commit hash, or use an architecture built into the library.');
    expect(found[0].callee).toBe('transformers.AutoModel.from_pretrained');
  });

  it('reports trust_remote_code set in a keyword dictionary', () => {
    expect(kinds('pipe = pipeline("text-generation", model=m, model_kwargs={"trust_remote_code": True})\n')).toEqual(['trust-remote-code:high:1:59']);
  });

  it('reports torch.hub.load unless it is pinned or local', () => {
    const src = `import torch\ntorch.hub.load("pytorch/vision", "resnet50")\ntorch.hub.load("pytorch/vision:${'b'.repeat(40)}", "resnet50")\ntorch.hub.load("./hub", "m", source="local")\n`;
    const found = findRiskyLoads(src);
    expect(found.map((l) => `${l.kind}:${l.severity}:${l.line}`)).toEqual(['torch-hub:high:2', 'torch-hub:medium:3']);
    expect(found[0].message).toBe('torch.hub.load("pytorch/vision") imports and runs hubconf.py from GitHub repository pytorch/vision at its default branch: pin it to a reviewed commit (\'owner/repo:<sha>\') or vendor the model definition.');
  });

  it('reports eval/exec of config, command-line and fetched values, not of literals or method calls', () => {
    const src = [
      'import os, requests',
      'fn = eval(cfg.model.activation)',
      'exec(os.environ["HOOK"])',
      'exec(requests.get(url).text)',
      'x = eval("1 + 1")',
      'y = eval(expr)',
      '',
    ].join('\n');
    expect(kinds(src)).toEqual(['eval-exec:medium:2:6', 'eval-exec:medium:3:1', 'eval-exec:high:4:1']);
    expect(findRiskyLoads(src)[0].message).toBe('eval(cfg.model.activation) runs a config or command-line value (cfg.model.activation (line 2)) as Python code, so whoever edits the config runs code: parse it with ast.literal_eval or json, or map names to callables with a lookup table instead of eval.');
  });

  it('follows a config value through an assignment', () => {
    expect(kinds('name = args.loss\nloss = eval(name)\n')).toEqual(['eval-exec:medium:2:8']);
  });

  it('gives the position of calls spread over lines and after multi-line strings', () => {
    const src = 'doc = """\nx\n"""\nimport torch\nstate = (\n    torch\n    .load(\n        p))\n';
    expect(kinds(src)).toEqual(['torch-load:medium:7:6']);
  });

  it('ignores function and method definitions named like loaders', () => {
    expect(findRiskyLoads('def eval(x):\n    pass\nclass load_model: pass\n')).toEqual([]);
  });

  it('assignment inside a one-line if is followed', () => {
    expect(kinds('import torch\nif remote: p = hf_hub_download(r, f)\ntorch.load(p)\n')).toEqual(['torch-load:high:3:7']);
  });
});

describe('findRiskyLoads origins', () => {
  it('names the path, not the open mode, of a file opened for loading', () => {
    const [l] = findRiskyLoads('import pickle\nwith open("cache/vocab.pkl", "rb") as f:\n    v = pickle.load(f)\n');
    expect(l.message).toMatch(/^pickle\.load\(f\) unpickles the file 'cache\/vocab\.pkl',/);
    const [m] = findRiskyLoads('import pickle\nwith open(name, "rb") as f:\n    v = pickle.load(f)\n');
    expect(m.message).toMatch(/^pickle\.load\(f\) unpickles whatever file it is given,/);
  });
});

describe('mayHaveRiskyLoads and mayCall (skipping files with nothing to find)', () => {
  it('rules out ordinary code, and never a file with a risky load, however it is spelled', () => {
    expect(mayHaveRiskyLoads('import numpy as np\n\ndef step(x):\n    """Scale."""\n    return np.asarray(x) * 2\n')).toBe(false);
    for (const src of [
      'from pickle import loads as L\nx = L(data)\n',
      'm = AutoModel.from_pretrained("a/b", trust_remote_code=True)\n',
      'kw = {"trust\\x5fremote_code": True}\n',
      'kw = {"trust_\\\nremote_code": True}\n',
      'exec(requests.get(u).text)\n',
      'p = pd.read_pickle(f)\n',
    ]) {
      expect(mayHaveRiskyLoads(src)).toBe(true);
    }
    expect(findRiskyLoads('kw = {"trust\\x5fremote_code": True}\n')).toHaveLength(1);
  });

  it('does not rule out a source large enough to fail on the tokenizer limits', () => {
    expect(mayHaveRiskyLoads('x '.repeat(600_000))).toBe(true);
  });

  it('finds a bare call through an import alias by the imported name', () => {
    expect(mayCall('from transformers import AutoModel as M\nM.from_pretrained("a/b")\n', ['from_pretrained'])).toBe(true);
    expect(mayCall('from huggingface_hub import snapshot_download as get\nget("a/b")\n', ['snapshot_download'])).toBe(true);
    expect(mayCall('import numpy as np\nnp.asarray(x)\n', ['from_pretrained', 'pipeline'])).toBe(false);
  });

  it('for any source: whenever a load is found, the source was not ruled out', () => {
    const call = fc.tuple(
      fc.constantFrom('', 'pickle.', 'torch.', 'torch.hub.', 'yaml.', 'np.', 'pd.', 'AutoModel.', 'x.', 'builtins.'),
      fc.constantFrom('load', 'loads', 'L', 'eval', 'exec', 'from_pretrained', 'Unpickler', 'read_pickle', 'unsafe_load', 'asarray', 'run'),
      fc.constantFrom('f', '"a.pt"', 'cfg.path', 'requests.get(u).content', '', 'sys.argv[1]'),
      fc.constantFrom('', ', weights_only=True', ', trust_remote_code=True', ', allow_pickle=True', ', Loader=yaml.SafeLoader', ', safe_mode=False'),
    ).map(([recv, fn, arg, kw]) => `${recv}${fn}(${arg}${kw})`);
    const line = fc.oneof(
      call,
      fc.constantFrom(
        'import pickle', 'from pickle import loads as L', 'import torch', 'import yaml', 'import numpy as np', 'import pandas as pd',
        'from builtins import exec as run', 'kw = {"trust_remote_code": True}', 'kw = {"trust\\x5fremote_code": True}', '# torch.load(f)',
        '"""eval(x)"""', 'def f(x):', '    return x', '',
      ),
    );
    const piece = line.map((l) => `${l}\n`);
    let withLoads = 0;
    fc.assert(fc.property(fc.array(piece, { maxLength: 12 }), (parts) => {
      const src = parts.join('');
      if (findRiskyLoads(src).length === 0) return;
      withLoads++;
      expect(mayHaveRiskyLoads(src)).toBe(true);
    }), { numRuns: 3000 });
    expect(withLoads).toBeGreaterThan(0); // the generator does produce sources with loads
  });
});
