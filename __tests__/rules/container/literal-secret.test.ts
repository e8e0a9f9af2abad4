import rule from '../../../src/rules/container/literal-secret.js';
import { redact } from '../../../src/engine/redact.js';
import { testRule } from '../../helpers/rule-tester.js';

// Built at run time so that secret scanners do not flag this test file; the Hugging Face format is hf_ + 34 letters.
const HF = ['hf', 'abcdEfghij'.repeat(3) + 'klmn'].join('_');
testRule(rule, {
  valid: [
    { name: 'a token in a known format is left to the secret/* rules (one finding per secret)', files: { Dockerfile: `FROM x:1\nARG MODEL_REPO_CONFIG=${HF}\nENV HF_TOKEN=${HF}\n` } },
    { name: 'references, empty values and non-secret names', files: { Dockerfile: 'FROM x:1\nARG HF_TOKEN\nENV HF_TOKEN=${HF_TOKEN} MODEL_PATH=/models TOKENIZERS_PARALLELISM=false\nENV API_KEY=""\n' } },
  ],
  invalid: [
    {
      name: 'a literal password, redacted',
      files: { Dockerfile: `FROM x:1\nENV DB_PASSWORD=hunter2hunter2\n` },
      errors: [
        { line: 2, column: 1, severity: 'high', message: `ENV DB_PASSWORD is set to a literal value under a credential name (${redact('hunter2hunter2')}), which stays in the image configuration: remove it, rotate it, and pass it at run time or with a BuildKit secret mount.` },
      ],
    },
    {
      name: 'the legacy ENV form',
      files: { Dockerfile: 'FROM x:1\nENV OPENAI_API_KEY not-a-real-key-123\n' },
      errors: [{ message: /^ENV OPENAI_API_KEY is set to a literal value under a credential name \(not-…\[redacted hmac:[0-9a-f]{8}\]\)/ }],
    },
  ],
});
