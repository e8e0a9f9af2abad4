import rule from '../../../src/rules/container/add-url.js';
import { testRule } from '../../helpers/rule-tester.js';

testRule(rule, {
  valid: [
    { name: 'ADD of local files and a URL with a checksum', files: { Dockerfile: `FROM x:1\nADD app/ /app\nADD --checksum=sha256:${'c'.repeat(64)} https://h.example/m.bin /m\n` } },
  ],
  invalid: [
    {
      name: 'ADD of a model URL',
      files: { Dockerfile: 'FROM x:1\nADD https://huggingface.co/org/m/resolve/main/model.bin /models/\n' },
      errors: [{ line: 2, column: 1, severity: 'medium', message: 'ADD fetches https://huggingface.co/org/m/resolve/main/model.bin without a checksum, so whatever the server returns is built into the image: add --checksum=sha256:… or download and verify it in a RUN step.' }],
    },
  ],
});
