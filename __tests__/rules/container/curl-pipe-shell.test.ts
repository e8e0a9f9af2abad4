import rule from '../../../src/rules/container/curl-pipe-shell.js';
import { testRule } from '../../helpers/rule-tester.js';

testRule(rule, {
  valid: [
    { name: 'download and verify', files: { Dockerfile: 'FROM x:1\nRUN curl -fsSLo i.sh https://x.example/i.sh && echo "abc  i.sh" | sha256sum -c && sh i.sh\n' } },
  ],
  invalid: [
    {
      name: 'curl | sh across continuation lines',
      files: { Dockerfile: 'FROM x:1\nRUN apt-get update && \\\n    curl -fsSL https://ollama.example/install.sh | sh\n' },
      errors: [{ line: 2, column: 1, severity: 'high', message: 'RUN pipes a download into an interpreter (`curl -fsSL https://ollama.example/install.sh | sh`): download the script, verify its checksum, then run it.' }],
    },
  ],
});
