import { confidenceAtLeast, findPii, PII_ENTITIES, type PiiConfidence, type PiiEntity, type PiiMatch } from '../../detect/pii.js';
import { redact } from '../../engine/redact.js';
import { defineRule } from '../../engine/rule.js';
import { loadNotebook } from '../../formats/ipynb.js';

interface Options { entities: PiiEntity[]; 'min-confidence': PiiConfidence }

const NAMES: Record<PiiEntity, [string, string]> = {
  email: ['email address', 'email addresses'], phone: ['phone number', 'phone numbers'],
  'us-ssn': ['US social security number', 'US social security numbers'], 'credit-card': ['card number', 'card numbers'],
  iban: ['IBAN', 'IBANs'], ipv4: ['IPv4 address', 'IPv4 addresses'], ipv6: ['IPv6 address', 'IPv6 addresses'],
  'date-of-birth': ['date of birth', 'dates of birth'],
};
/** Addresses of services and documentation, not of people (RFC 2606 example domains, git and no-reply senders). */
const NOT_PERSONAL = /^(?:git|noreply|no-reply|donotreply|root|admin|support|info|test|user)@|@(?:[\w-]+\.)*(?:example\.(?:com|org|net)|localhost|users\.noreply\.github\.com|(?:[\w-]+\.)?invalid|test)$/i;

export default defineRule<Options>({
  meta: {
    id: 'notebook/pii',
    description: 'A notebook shows personal data (emails, phone numbers, card numbers, SSNs, IBANs) in a cell or, more often, in a saved output.',
    help: [
      'Notebooks save their outputs: `df.head()` over a customer table, a printed sample of training records or',
      'an error message quoting a row puts personal data into the repository, where it stays in the history and',
      'is copied by every clone. This rule searches code and markdown cells and the text of every output with',
      'the same detector as `data/pii` (checksums for cards and IBANs, context for phone numbers), and reports one',
      'finding per cell field, with the counts; the values themselves are never shown. Addresses of services',
      'and documentation domains (`noreply@…`, `@example.com`) are not personal data.',
      '',
      '**Remediation**: clear the outputs before committing (`jupyter nbconvert --clear-output --inplace`, or',
      '`nbstripout` as a git filter), show synthetic or masked samples in notebooks that are committed, and remove',
      'the data from the branch history if it was pushed.',
    ].join('\n'),
    defaultSeverity: 'high',
    docs: {
      examples: {
        bad: [
          {
            title: 'A saved `df.head()` output with customer emails and phone numbers (shown, values elided)',
            lang: 'text',
            code: [
              '   customer_id  email                    phone',
              '0         1001  <a real customer email>  <a real phone number>',
              '1         1002  <a real customer email>  <a real phone number>',
            ].join('\n'),
          },
        ],
        good: [
          {
            title: 'Outputs show synthetic records on a documentation domain',
            lang: 'json',
            file: 'notebooks/customers.ipynb',
            code: [
              '{',
              ' "cells": [',
              '  {',
              '   "cell_type": "code",',
              '   "execution_count": 1,',
              '   "id": "c1",',
              '   "metadata": {},',
              '   "source": [',
              '    "print(sample[\\"email\\"])"',
              '   ],',
              '   "outputs": [',
              '    {',
              '     "output_type": "stream",',
              '     "name": "stdout",',
              '     "text": [',
              '      "jane.doe@example.com\\n"',
              '     ]',
              '    }',
              '   ]',
              '  }',
              ' ],',
              ' "metadata": {',
              '  "kernelspec": {',
              '   "name": "python3",',
              '   "display_name": "Python 3",',
              '   "language": "python"',
              '  }',
              ' },',
              ' "nbformat": 4,',
              ' "nbformat_minor": 5',
              '}',
            ].join('\n'),
          },
        ],
      },
    },
    kinds: ['notebook'],
    options: {
      type: 'object',
      properties: {
        entities: { type: 'array', description: 'The kinds of personal data to look for.', items: { enum: [...PII_ENTITIES] }, uniqueItems: true },
        'min-confidence': { enum: ['low', 'medium', 'high'], description: 'The least confidence of a match that is reported.' },
      },
      additionalProperties: false,
    },
    defaultOptions: { entities: ['email', 'phone', 'us-ssn', 'credit-card', 'iban'], 'min-confidence': 'medium' },
  },
  async checkFile(ctx) {
    const loaded = await loadNotebook(ctx.reader);
    if (!loaded.ok) return; // notebook/unsafe-load reports the unreadable notebook once
    const nb = loaded.notebook;
    for (const cell of nb.cells) {
      for (const field of [cell.source, ...cell.outputs]) {
        const found = findPii(field.text, { entities: ctx.options.entities })
          .filter((m) => confidenceAtLeast(m.confidence, ctx.options['min-confidence']))
          .filter((m) => m.entity !== 'email' || !NOT_PERSONAL.test(m.value));
        if (found.length === 0) continue;
        const where = field === cell.source ? `The source of cell ${cell.index + 1}` : `${capital(field.label)} of cell ${cell.index + 1}`;
        const { line, column } = nb.position(field.offsetAt(found[0].index));
        ctx.report({
          message: `${where} shows personal data: ${summary(found)} (first: ${redact(found[0].value)}); clear the output or use synthetic data, and remove it from the history if it was pushed.`,
          line, column, keyPath: field.keyPath,
          fingerprintKey: `${field.keyPath}\0${summary(found)}`,
          sensitive: [...new Set(found.map((m) => m.value))].slice(0, 200),
        });
      }
    }
  },
});

function summary(found: PiiMatch[]): string {
  const counts = new Map<PiiEntity, number>();
  for (const m of found) counts.set(m.entity, (counts.get(m.entity) ?? 0) + 1);
  return [...counts].map(([e, n]) => `${n.toLocaleString('en-US')} ${NAMES[e][n === 1 ? 0 : 1]}`).join(', ');
}

function capital(s: string): string {
  return s[0].toUpperCase() + s.slice(1);
}
