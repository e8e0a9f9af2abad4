import rule from '../../../src/rules/notebook/pii.js';
import { buildNotebook, lineOf, result, stream } from '../../helpers/notebook.js';
import { testRule } from '../../helpers/rule-tester.js';

const table = [
  '          name                  email           phone',
  '0  Dana Whitfield  dana.whitfield@gmail.com  (212) 555-0199',
  '1   Omar Haddad   omar.haddad@outlook.com  (415) 555-0134',
].join('\n');
const nb = buildNotebook([{ source: 'df.head(2)\n', outputs: [result(table)] }]);

testRule(rule, {
  valid: [
    { name: 'outputs without personal data', files: { 'nb.ipynb': buildNotebook([{ source: 'print(acc)\n', outputs: [stream('Epoch 1/10 loss: 0.3452 acc: 0.8812\n')] }]) } },
    { name: 'service and documentation addresses', files: { 'nb.ipynb': buildNotebook([{ source: 'git config user.email noreply@github.com\n# contact: someone@example.com\n' }]) } },
    { name: 'an entity the policy does not ask for', files: { 'nb.ipynb': buildNotebook([{ source: 'x = 1\n', outputs: [stream('card 4111 1111 1111 1111\n')] }]) }, options: { entities: ['email'] } },
  ],
  invalid: [
    {
      name: 'a dataframe of customers in an output',
      files: { 'notebooks/eda.ipynb': nb },
      errors: [{ line: lineOf(nb, 'dana.whitfield'), severity: 'high', message: /^Output 1 \(text\/plain\) of cell 1 shows personal data: 2 email addresses, 2 phone numbers \(first: dana…\[redacted hmac:[0-9a-f]{8}\]\); clear the output/ }],
    },
    {
      name: 'a card number typed into a code cell',
      files: { 'nb.ipynb': buildNotebook([{ source: 'test_card = "4111 1111 1111 1111"\n' }]) },
      errors: [{ message: /^The source of cell 1 shows personal data: 1 card number \(first: 4111…\[redacted/ }],
    },
  ],
});
