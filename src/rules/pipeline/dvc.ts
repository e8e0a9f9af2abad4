import { commandRisk, locateInScalar, positionAt, urlCredential } from '../../detect/pipeline-config.js';
import { findSecrets } from '../../detect/secrets.js';
import { redact } from '../../engine/redact.js';
import { defineRule, type FileContext } from '../../engine/rule.js';
import type { Severity } from '../../engine/severity.js';
import { FormatError } from '../../formats/errors.js';
import { joinPointer, parseYamlWithPositions } from '../../formats/yaml-positions.js';

type Options = Record<string, never>;
const LOWER: Record<Severity, Severity> = { critical: 'high', high: 'medium', medium: 'low', low: 'low' };
const DVC_YAML = /(^|\/)dvc\.yaml$/;
const DVC_CONFIG = /(^|\/)\.dvc\/config(\.local)?$/;
/** Remote options that hold secrets (DVC's documented remote settings for S3, Azure, GCS, SSH, HTTP, WebDAV, OSS, GDrive). */
const CREDENTIAL_KEYS = new Set([
  'password', 'secret_access_key', 'session_token', 'account_key', 'sas_token', 'connection_string', 'client_secret',
  'gdrive_client_secret', 'token', 'oss_key_secret', 'key_secret', 'passphrase', 'custom_auth_header_value',
]);
const MAX_CONFIG_LINES = 10_000;

export default defineRule<Options>({
  meta: {
    id: 'pipeline/dvc',
    description: 'A DVC pipeline stage fetches and runs remote code, or a DVC remote has inline credentials or a plain-HTTP URL.',
    help: [
      'DVC runs the `cmd` of every stage in `dvc.yaml` on `dvc repro`, on developer machines and in CI, often with',
      'cloud credentials at hand: a stage that pipes a download into a shell (`curl … | sh`) or installs code',
      'from a URL runs whatever the server returns that day. `.dvc/config` is committed, so a remote configured',
      'there with `password`, `secret_access_key` and similar options, or a URL with `user:password@`, publishes',
      'the credential to everyone who can read the repository; `.dvc/config.local` exists for those and should not be',
      'committed. A plain `http://` remote lets anyone on the path swap the datasets and models the pipeline pulls.',
      'Credentials are found with the shared secret detectors and are never shown.',
      '',
      '**Remediation**: download scripts into the repository (or pin them by checksum) instead of piping them into a',
      'shell; move credentials to `.dvc/config.local` (`dvc remote modify --local`) or environment variables, and',
      'rotate any that were committed; use `https://` or an authenticated cloud remote.',
    ].join('\n'),
    defaultSeverity: 'high',
    docs: {
      examples: {
        bad: [
          {
            title: 'A stage pipes a downloaded script into bash on every dvc repro',
            lang: 'yaml',
            file: 'dvc.yaml',
            code: [
              'stages:',
              '  setup:',
              '    cmd: curl -fsSL https://get.example.com/install.sh | bash',
              '  train:',
              '    cmd: python src/train.py',
              '    deps: [src/train.py, data/prepared]',
              '    outs: [models/model.safetensors]',
            ].join('\n'),
          },
        ],
        good: [
          {
            title: 'Stages run scripts committed to the repository',
            lang: 'yaml',
            file: 'dvc.yaml',
            code: [
              'stages:',
              '  prepare:',
              '    cmd: python src/prepare.py data/raw data/prepared',
              '    deps: [src/prepare.py, data/raw]',
              '    outs: [data/prepared]',
              '  train:',
              '    cmd: python src/train.py',
              '    deps: [src/train.py, data/prepared]',
              '    outs: [models/model.safetensors]',
            ].join('\n'),
          },
        ],
      },
      references: [
        { title: 'DVC: dvc.yaml files', url: 'https://dvc.org/doc/user-guide/project-structure/dvcyaml-files' },
      ],
    },
    kinds: ['config', 'text'],
    formats: ['yaml', 'text'],
    options: { type: 'object', properties: {}, additionalProperties: false },
    defaultOptions: {},
  },
  async checkFile(ctx) {
    if (DVC_YAML.test(ctx.file.path)) return checkStages(ctx);
    if (DVC_CONFIG.test(ctx.file.path)) return checkConfig(ctx);
  },
});

async function checkStages(ctx: FileContext<Options>): Promise<void> {
  const { text } = await ctx.reader.text();
  let doc;
  try {
    doc = parseYamlWithPositions(text, ctx.file.path);
  } catch (error) {
    if (!(error instanceof FormatError)) throw error;
    ctx.report({ severity: LOWER[ctx.severity], message: `dvc.yaml is not valid YAML (${error.message}); its stages could not be checked: fix the syntax (dvc repro would fail too).` });
    return;
  }
  const stages = (doc.value as { stages?: unknown } | undefined)?.stages;
  if (typeof stages !== 'object' || stages === null) return;
  for (const [name, stage] of Object.entries(stages).slice(0, 10_000)) {
    if (typeof stage !== 'object' || stage === null) continue;
    // `foreach`/`matrix` stages keep their command under `do`.
    const hasDo = typeof (stage as Record<string, unknown>).do === 'object';
    const body = hasDo ? (stage as Record<string, unknown>).do : stage;
    const base = hasDo ? joinPointer(joinPointer('/stages', name), 'do') : joinPointer('/stages', name);
    const cmd = (body as Record<string, unknown>).cmd;
    const cmds = Array.isArray(cmd) ? cmd.map((c, i) => [c, joinPointer(joinPointer(base, 'cmd'), i)] as const) : [[cmd, joinPointer(base, 'cmd')] as const];
    for (const [c, pointer] of cmds) {
      if (typeof c !== 'string') continue;
      const risk = commandRisk(c);
      if (!risk) continue;
      const where = locateInScalar(text, doc.positionOf(pointer), risk.match);
      const shown = risk.match.replace(/\s+/g, ' ').slice(0, 80);
      ctx.report(risk.kind === 'fetch-and-run'
        ? { ...where, keyPath: pointer.slice(1).replace(/\//g, '.'), message: `Stage ${name} runs \`${shown}\`, which downloads code and runs it on every dvc repro: commit the script to the repository, or download it to a file and check a pinned checksum before running it.` }
        : { ...where, keyPath: pointer.slice(1).replace(/\//g, '.'), severity: LOWER[ctx.severity], message: `Stage ${name} installs ${shown} straight from a URL or git branch, so the code it runs can change between runs: pin a release, a commit hash (@<sha>) or a checksum.` });
    }
  }
}

/** `.dvc/config` is configobj INI: `['remote "name"']` sections with `key = value` lines. */
async function checkConfig(ctx: FileContext<Options>): Promise<void> {
  const { text } = await ctx.reader.text();
  const local = ctx.file.path.endsWith('.local');
  let section = '';
  let offset = 0;
  const lines = text.split('\n').slice(0, MAX_CONFIG_LINES);
  for (const raw of lines) {
    const lineStart = offset;
    offset += raw.length + 1;
    const line = raw.replace(/\r$/, '');
    const header = /^\s*\[\s*'?([^\]']*)'?\s*\]/.exec(line);
    if (header) { section = header[1].trim(); continue; }
    const kv = /^(\s*)([\w.-]+)\s*=\s*(.*?)\s*$/.exec(line);
    if (!kv) continue;
    const [, indent, key, value] = kv;
    const remote = /^remote\s+"([^"]*)"$/.exec(section)?.[1];
    const where = { ...positionAt(text, lineStart + indent.length), keyPath: `${section}.${key}` };
    const place = remote !== undefined ? `remote "${remote}"` : `[${section}]`;
    const advice = local ? '.dvc/config.local holds the private settings and must stay out of git: remove it from the repository (it is in DVC\'s own .gitignore), and rotate the credential' : 'move it to .dvc/config.local with `dvc remote modify --local` or to environment variables, and rotate it';
    if (key === 'url') {
      const cred = urlCredential(value);
      if (cred) {
        ctx.report({ ...where, severity: cred.severity === 'critical' ? 'critical' : ctx.severity, sensitive: cred.values, fingerprintKey: `url-credential\0${section}`, message: `The url of ${place} carries ${cred.what} (${cred.shown}): ${advice}.` });
      } else if (/^http:\/\//i.test(value) && !/^http:\/\/(localhost|127\.0\.0\.1)([:/]|$)/i.test(value)) {
        ctx.report({ ...where, severity: LOWER[ctx.severity], fingerprintKey: `http\0${section}`, message: `${place} uses plain HTTP (${value.slice(0, 80)}), so anyone on the network path can replace the data and models it serves: use https:// or an authenticated cloud remote.` });
      }
      continue;
    }
    const secrets = value ? findSecrets(value) : [];
    if ((CREDENTIAL_KEYS.has(key) && value !== '' && !/^\$\{?\w+\}?$/.test(value)) || secrets.length > 0) {
      const severity = secrets.some((s) => s.severity === 'critical') ? 'critical' : ctx.severity;
      ctx.report({ ...where, severity, sensitive: [value, ...secrets.map((s) => s.value)], fingerprintKey: `credential\0${section}\0${key}`, message: `${place} sets ${key} inline (${redact(value)}): ${advice}.` });
    }
  }
}
