import { createHash } from 'node:crypto';

/**
 * The form in which a matched secret or personal datum may appear in any report: a short prefix and a hash,
 * never the value. The hash lets a reviewer tell two findings apart (and match a value they hold) without the
 * report disclosing it.
 */
export function redact(value: string, prefixChars = 4): string {
  const prefix = value.length > prefixChars * 3 ? value.slice(0, prefixChars) : '';
  const digest = createHash('sha256').update(value, 'utf8').digest('hex').slice(0, 8);
  return `${prefix}…[redacted sha256:${digest}]`;
}
