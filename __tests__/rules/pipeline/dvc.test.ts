import rule from '../../../src/rules/pipeline/dvc.js';
import { testRule } from '../../helpers/rule-tester.js';

// Built at run time so that no credential-shaped literal sits in the source.
const AWS_ID = ['AKIA', 'Z7QW2MXRT5KD4NBV'].join('');
const SECRET = ['wJalrXUtnFEMI', 'K7MDENGbPxRfiCYz8Qk3vT1aR'].join('/');

testRule(rule, {
  valid: [
    {
      name: 'stages that run repository scripts',
      files: { 'dvc.yaml': 'stages:\n  prepare:\n    cmd: python src/prepare.py data/raw data/prepared\n    deps: [src/prepare.py, data/raw]\n    outs: [data/prepared]\n  train:\n    cmd:\n      - pip install -r requirements.txt\n      - python src/train.py\n' },
    },
    { name: 'a remote with no credentials', files: { '.dvc/config': "[core]\n    remote = storage\n['remote \"storage\"']\n    url = s3://ml-bucket/dvcstore\n    profile = ml\n" } },
    { name: 'credentials taken from the environment', files: { '.dvc/config': '[remote "s"]\n    url = azure://c/p\n    connection_string = ${AZURE_STORAGE_CONNECTION_STRING}\n' } },
    { name: 'a local HTTP remote', files: { '.dvc/config': '[remote "dev"]\n    url = http://localhost:8080/store\n' } },
    { name: 'an ssh remote with a user name', files: { '.dvc/config': '[remote "ssh"]\n    url = ssh://git@example.com/srv/dvc\n' } },
    { name: 'a pip install pinned to a commit', files: { 'dvc.yaml': `stages:\n  s:\n    cmd: pip install git+https://github.com/acme/tools@${'c'.repeat(40)}\n` } },
    { name: 'some other YAML file with curl | sh', files: { 'conf/setup.yaml': 'cmd: curl -s https://x.invalid/i.sh | sh\n' } },
  ],
  invalid: [
    {
      name: 'a stage that pipes a download into a shell',
      files: { 'dvc.yaml': 'stages:\n  setup:\n    cmd: curl -fsSL https://example.invalid/install.sh | bash\n  train:\n    cmd: python train.py\n' },
      errors: [{ path: 'dvc.yaml', line: 3, column: 10, severity: 'high', message: 'Stage setup runs `curl -fsSL https://example.invalid/install.sh | bash`, which downloads code and runs it on every dvc repro: commit the script to the repository, or download it to a file and check a pinned checksum before running it.' }],
    },
    {
      name: 'a command in a block scalar, a list and a foreach stage',
      files: { 'pipelines/dvc.yaml': 'stages:\n  a:\n    cmd: |\n      echo start\n      python <(curl -s https://x.invalid/run.py)\n  b:\n    foreach: [1, 2]\n    do:\n      cmd:\n        - echo ${item}\n        - pip install git+https://github.com/acme/tools\n' },
      errors: [
        { line: 5, column: 7, severity: 'high', message: /^Stage a runs `python <\(curl`/ },
        { line: 11, column: 23, severity: 'medium', message: 'Stage b installs git+https://github.com/acme/tools straight from a URL or git branch, so the code it runs can change between runs: pin a release, a commit hash (@<sha>) or a checksum.' },
      ],
    },
    {
      name: 'inline cloud credentials in .dvc/config',
      files: { '.dvc/config': `['remote "storage"']\n    url = s3://bucket/store\n    access_key_id = ${AWS_ID}\n    secret_access_key = ${SECRET}\n` },
      errors: [
        { path: '.dvc/config', line: 3, column: 5, message: /^remote "storage" sets access_key_id inline \(AKIA…\[redacted hmac:[0-9a-f]{8}\]\): move it to \.dvc\/config\.local/ },
        { path: '.dvc/config', line: 4, column: 5, severity: 'high', message: /^remote "storage" sets secret_access_key inline \(wJal…\[redacted hmac:[0-9a-f]{8}\]\)/ },
      ],
    },
    {
      name: 'a password in a remote URL and a plain-HTTP remote',
      files: { '.dvc/config': '[remote "web"]\n    url = https://ml-bot:Sup3rS3cretPassw0rd@dvc.example.com/store\n[remote "mirror"]\n    url = http://dvc.example.com/mirror\n' },
      errors: [
        { line: 2, severity: 'high', message: /^The url of remote "web" carries a password in the URL \(https:\/\/ml-bot:Sup3…\[redacted hmac:[0-9a-f]{8}\]@dvc\.example\.com\/store\)/ },
        { line: 4, severity: 'medium', message: 'remote "mirror" uses plain HTTP (http://dvc.example.com/mirror), so anyone on the network path can replace the data and models it serves: use https:// or an authenticated cloud remote.' },
      ],
    },
    {
      name: 'a committed .dvc/config.local',
      files: { '.dvc/config.local': '[remote "s"]\n    password = hunter2hunter2\n' },
      errors: [{ path: '.dvc/config.local', message: /^remote "s" sets password inline \(hunt…\[redacted hmac:[0-9a-f]{8}\]\): \.dvc\/config\.local holds the private settings and must stay out of git/ }],
    },
    {
      name: 'an invalid dvc.yaml',
      files: { 'dvc.yaml': 'stages:\n  a: [\n' },
      errors: [{ severity: 'medium', message: /^dvc\.yaml is not valid YAML/ }],
    },
  ],
});
