import rule from '../../../src/rules/notebook/unsafe-load.js';
import { buildNotebook, lineOf } from '../../helpers/notebook.js';
import { testRule } from '../../helpers/rule-tester.js';

const trusting = buildNotebook([
  { type: 'markdown', source: 'Load the model with trust_remote_code=True (do not).\n' },
  { source: 'from transformers import AutoModel\nmodel = AutoModel.from_pretrained("org/m", trust_remote_code=True)\n' },
]);
const torchLoad = buildNotebook([{ source: 'import torch\nstate = torch.load("ckpt.pt", map_location="cpu")\n' }]);
const downloadThenPickle = buildNotebook([
  { source: 'from huggingface_hub import hf_hub_download\npath = hf_hub_download("org/clf", "model.pkl")\n' },
  { source: 'import pickle\nwith open(path, "rb") as f:\n    clf = pickle.load(f)\n' },
]);

testRule(rule, {
  valid: [
    { name: 'torch.load with weights_only=True', files: { 'nb.ipynb': buildNotebook([{ source: 'sd = torch.load(\n    path,\n    map_location="cpu",\n    weights_only=True,\n)\n' }]) } },
    { name: 'pickle.load in a notebook that downloads nothing', files: { 'nb.ipynb': buildNotebook([{ source: 'import pickle\nclf = pickle.load(open("local.pkl", "rb"))\n' }]) } },
    { name: 'the calls in comments and markdown cells', files: { 'nb.ipynb': buildNotebook([
      { type: 'markdown', source: 'Never call `torch.load(path)` on untrusted files; avoid trust_remote_code=True.\n' },
      { source: '# model = AutoModel.from_pretrained("x", trust_remote_code=True)\nx = 1  # torch.load(p) is unsafe\n' },
    ]) } },
    { name: 'trust_remote_code=False', files: { 'nb.ipynb': buildNotebook([{ source: 'AutoModel.from_pretrained("x", trust_remote_code=False)\n' }]) } },
    { name: 'a check turned off by the policy', files: { 'nb.ipynb': torchLoad }, options: { checks: ['trust-remote-code', 'pickle-load'] } },
  ],
  invalid: [
    {
      name: 'trust_remote_code=True in a code cell',
      files: { 'notebooks/explore.ipynb': trusting },
      errors: [{ path: 'notebooks/explore.ipynb', line: lineOf(trusting, 'model = AutoModel'), severity: 'medium', message: "Cell 2 sets trust_remote_code=True, which imports and runs the model repository's own Python code: pin a reviewed revision or use a built-in architecture." }],
    },
    {
      name: 'torch.load without weights_only',
      files: { 'nb.ipynb': torchLoad },
      errors: [{ line: lineOf(torchLoad, 'state = '), message: 'Cell 1 calls torch.load("ckpt.pt", map_location="cpu") without weights_only=True, which unpickles the file and can run code from it: pass weights_only=True or load safetensors.' }],
    },
    {
      name: 'torch.load with weights_only=False',
      files: { 'nb.ipynb': buildNotebook([{ source: 'torch.load(p, weights_only=False)\n' }]) },
      errors: [{ message: /^Cell 1 calls torch\.load\(p, weights_only=False\) without weights_only=True/ }],
    },
    {
      name: 'pickle.load of a file the notebook downloaded',
      files: { 'nb.ipynb': downloadThenPickle },
      errors: [{ line: lineOf(downloadThenPickle, 'clf = pickle'), message: 'Cell 2 unpickles with pickle.load() in a notebook that downloads files (hf_hub_download in cell 1); unpickling a downloaded file runs whatever it contains: use safetensors, JSON or Parquet instead.' }],
    },
    {
      name: 'joblib.load after a shell download',
      files: { 'nb.ipynb': buildNotebook([{ source: '!wget https://example.com/model.joblib\n' }, { source: 'm = joblib.load("model.joblib")\n' }]) },
      errors: [{ message: /^Cell 2 unpickles with joblib\.load\(\) in a notebook that downloads files \(!wget in cell 1\)/ }],
    },
    {
      name: 'a notebook that is not JSON is reported, not passed',
      files: { 'broken.ipynb': '{"cells": [ {"cell_type": "code", "source": ["torch.load(p)"' },
      errors: [{ message: /^The notebook could not be parsed \(invalid JSON at offset \d+: .*\); its cells were not checked/ }],
    },
  ],
});
