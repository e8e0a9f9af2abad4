import { defineRule } from '../../engine/rule.js';
import { SECRET_KINDS, detectorsHelp, familyOptionsSchema, prepareSecretSearch, reportFamily, type FamilyOptions } from '../../detect/secret-scan.js';

export default defineRule<FamilyOptions>({
  meta: {
    id: 'secret/cloud-credential',
    description: 'A cloud credential (AWS, Google Cloud, Azure, Cloudflare, Databricks, Heroku and others) is committed.',
    help: [
      'Training and serving pipelines hold the keys to the cloud accounts where data, checkpoints and GPUs live:',
      'an AWS access key, a Google API key or service-account key file (`"type": "service_account"` with its',
      '`private_key`), an Azure AD client secret or storage account key, a Databricks token. Committed, they',
      'give anyone with read access to the repository the data lake and the compute bill. Live-format keys are',
      'critical; formats recognised only by a provider name next to them (Cloudflare API keys, Heroku UUID keys)',
      'are high; a service-account descriptor without its private key is medium. AWS\'s documented example',
      'keys (`AKIAIOSFODNN7EXAMPLE`) and placeholders are not reported.',
      '',
      detectorsHelp('cloud'),
      '',
      '**Remediation**: deactivate the key at the provider (IAM, Google Cloud console, Azure portal) before',
      'anything else, remove it from the branch and its history, and give the workload a short-lived identity',
      'instead: GitHub OIDC to AWS/GCP/Azure, workload identity on Kubernetes, or a secret store read at run',
      'time. A detector can be turned off with `exclude: [detector-id]`.',
    ].join('\n'),
    defaultSeverity: 'critical',
    docs: {
      examples: {
        bad: [
          {
            title: 'Static cloud keys in an upload script (values elided here)',
            lang: 'python',
            code: [
              's3 = boto3.client(',
              '    "s3",',
              '    aws_access_key_id="AKIA…",          # the real key id, committed',
              '    aws_secret_access_key="…",',
              ')',
            ].join('\n'),
          },
        ],
        good: [
          {
            title: 'The SDK finds credentials itself (OIDC in CI, a profile or instance role elsewhere)',
            lang: 'python',
            file: 'scripts/upload.py',
            code: [
              'import boto3',
              '',
              's3 = boto3.client("s3")',
              's3.upload_file("model.safetensors", "acme-models", "sentiment/model.safetensors")',
            ].join('\n'),
          },
        ],
      },
      references: [
        { title: 'AWS: managing access keys (and preferring temporary credentials)', url: 'https://docs.aws.amazon.com/IAM/latest/UserGuide/id_credentials_access-keys.html' },
        { title: 'GitHub Docs: OpenID Connect in cloud providers', url: 'https://docs.github.com/en/actions/security-for-github-actions/security-hardening-your-deployments/about-security-hardening-with-openid-connect' },
        { title: 'GitHub Docs: about secret scanning', url: 'https://docs.github.com/en/code-security/secret-scanning/introduction/about-secret-scanning' },
        { title: 'GitHub Docs: removing sensitive data from a repository', url: 'https://docs.github.com/en/authentication/keeping-your-account-and-data-secure/removing-sensitive-data-from-a-repository' },
        { title: 'gitleaks (the rule samples our tests compare with)', url: 'https://github.com/gitleaks/gitleaks' },
      ],
    },
    kinds: SECRET_KINDS,
    options: familyOptionsSchema('cloud'),
    defaultOptions: { exclude: [] },
  },
  prepare: (ctx) => prepareSecretSearch(ctx),
  checkFile: (ctx) => reportFamily(ctx, 'cloud', 'critical'),
});
