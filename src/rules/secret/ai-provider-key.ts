import { defineRule } from '../../engine/rule.js';
import { SECRET_KINDS, detectorsHelp, familyOptionsSchema, prepareSecretSearch, reportFamily, type FamilyOptions } from '../../detect/secret-scan.js';

export default defineRule<FamilyOptions>({
  meta: {
    id: 'secret/ai-provider-key',
    description: 'An API key of an AI model provider (Hugging Face, OpenAI, Anthropic, Groq, Replicate and others) is committed.',
    help: [
      'AI provider keys are bearer credentials: whoever reads one can run paid inference on your account, read or',
      'overwrite private models and datasets (a Hugging Face write token can replace the weights your pipeline',
      'downloads), and see prompts and fine-tuning data. ML repositories leak them through notebooks, training',
      'scripts (`login(token=...)`, `use_auth_token=`), `.env` files and experiment configs. Provider-prefixed',
      'formats (`hf_`, `api_org_`, `sk-proj-…T3BlbkFJ…`, `sk-ant-api03-`, `gsk_`, `r8_`, `pplx-`, `ABSK`) are',
      'reported as critical; formats recognised only by the provider name next to them (Cohere, Mistral,',
      'Weights & Biases, Together, Private AI) as high. The value never appears in a report: only a prefix and a',
      'hash, so a reviewer can tell which key it was.',
      '',
      detectorsHelp('ai-provider'),
      '',
      '**Remediation**: revoke the key in the provider\'s console first (it is exposed from the moment it is',
      'pushed), remove it from the branch and its history, and read it at run time from a secret store or an',
      'environment variable (`os.environ["HF_TOKEN"]`, `${{ secrets.HF_TOKEN }}`). A known-harmless format can be',
      'turned off with `exclude: [detector-id]`; a single test string with an inline',
      '`# ai-gate: ignore[secret/ai-provider-key] reason`.',
    ].join('\n'),
    defaultSeverity: 'critical',
    docs: {
      examples: {
        bad: [
          {
            title: 'A token pasted into a training script (value elided here)',
            lang: 'python',
            code: [
              'from huggingface_hub import login',
              '',
              'login(token="hf_…")          # the real 37-character token, committed',
              'client = OpenAI(api_key="sk-proj-…")',
            ].join('\n'),
          },
        ],
        good: [
          {
            title: 'Read at run time from the environment (a CI secret or a local .env kept out of git)',
            lang: 'python',
            file: 'src/settings.py',
            code: [
              'import os',
              '',
              'HF_TOKEN = os.environ["HF_TOKEN"]',
              'OPENAI_API_KEY = os.environ.get("OPENAI_API_KEY")',
            ].join('\n'),
          },
        ],
      },
      references: [
        { title: 'Hugging Face: user access tokens', url: 'https://huggingface.co/docs/hub/security-tokens' },
        { title: 'OpenAI: best practices for API key safety', url: 'https://help.openai.com/en/articles/5112595-best-practices-for-api-key-safety' },
        { title: 'GitHub Docs: about secret scanning', url: 'https://docs.github.com/en/code-security/secret-scanning/introduction/about-secret-scanning' },
        { title: 'GitHub Docs: removing sensitive data from a repository', url: 'https://docs.github.com/en/authentication/keeping-your-account-and-data-secure/removing-sensitive-data-from-a-repository' },
        { title: 'gitleaks (the rule samples our tests compare with)', url: 'https://github.com/gitleaks/gitleaks' },
      ],
    },
    kinds: SECRET_KINDS,
    options: familyOptionsSchema('ai-provider'),
    defaultOptions: { exclude: [] },
  },
  prepare: (ctx) => prepareSecretSearch(ctx),
  checkFile: (ctx) => reportFamily(ctx, 'ai-provider', 'critical'),
});
