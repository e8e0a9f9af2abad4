import { defineRule } from '../../engine/rule.js';
import { SECRET_KINDS, detectorsHelp, familyOptionsSchema, prepareSecretSearch, reportFamily, type FamilyOptions } from '../../detect/secret-scan.js';

export default defineRule<FamilyOptions>({
  meta: {
    id: 'secret/generic-credential',
    description: 'A high-entropy value is assigned to a name such as `api_key`, `secret` or `password`, or a password is written into a URL.',
    help: [
      'Not every credential has a recognisable format: database passwords in an MLflow tracking URI',
      '(`postgresql://user:password@host/db`), an internal service key in `config.yaml`, a password in a',
      'notebook cell. This rule looks for a value assigned to a credential-like name (the name must end in',
      '`key`, `secret`, `token`, `password`, `pwd` or `credentials`) that is long, random-looking (Shannon entropy',
      'above 3.5 bits per character) and contains letters and digits, and for passwords in URLs. References are',
      'not findings: `${{ secrets.X }}`, `$VAR`, `os.environ[...]`, `process.env.X`, and placeholders such as',
      '`your-api-key`, `xxxx` or `changeme`. Values that a provider-specific rule recognises are reported there.',
      '',
      detectorsHelp('generic'),
      '',
      '**Remediation**: if the value is a real credential, rotate it and move it to a secret store or an',
      'environment variable read at run time. If it is not a secret (a hash, a test fixture), suppress that line',
      'with `# ai-gate: ignore[secret/generic-credential] reason`, or add a policy exception for the path.',
    ].join('\n'),
    defaultSeverity: 'high',
    docs: {
      examples: {
        bad: [
          {
            title: 'A feature-store password in a training config (value elided here)',
            lang: 'yaml',
            code: [
              'feature_store:',
              '  host: db.internal',
              '  password: "…"   # the real 24-character password, committed',
            ].join('\n'),
          },
        ],
        good: [
          {
            title: 'The password comes from the environment',
            lang: 'python',
            file: 'src/tracking.py',
            code: [
              'import os',
              '',
              'import mlflow',
              '',
              'mlflow.set_tracking_uri(os.environ["MLFLOW_TRACKING_URI"])',
              'db_password = os.environ["DB_PASSWORD"]',
            ].join('\n'),
          },
        ],
      },
      references: [
        { title: 'OWASP: secrets management cheat sheet', url: 'https://cheatsheetseries.owasp.org/cheatsheets/Secrets_Management_Cheat_Sheet.html' },
        { title: 'GitHub Docs: about secret scanning', url: 'https://docs.github.com/en/code-security/secret-scanning/introduction/about-secret-scanning' },
        { title: 'GitHub Docs: removing sensitive data from a repository', url: 'https://docs.github.com/en/authentication/keeping-your-account-and-data-secure/removing-sensitive-data-from-a-repository' },
        { title: 'gitleaks (the rule samples our tests compare with)', url: 'https://github.com/gitleaks/gitleaks' },
      ],
    },
    kinds: SECRET_KINDS,
    options: familyOptionsSchema('generic'),
    defaultOptions: { exclude: [] },
  },
  prepare: (ctx) => prepareSecretSearch(ctx),
  checkFile: (ctx) => reportFamily(ctx, 'generic', 'high'),
});
