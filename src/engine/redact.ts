import { createHmac, randomBytes } from 'node:crypto';

/**
 * The key of the redaction digest. A plain hash of a low-entropy value (an SSN, a phone number, a card number)
 * can be reversed by trying every candidate, so the digest is an HMAC: with a random key per run by default
 * (digests tell findings of one report apart), or a fixed key from AI_GATE_REDACTION_KEY (e.g. a repository
 * secret) when digests must be comparable across runs.
 */
let key: string = process.env.AI_GATE_REDACTION_KEY || randomBytes(32).toString('hex');

/** Fixes the key (deterministic renderings such as docs/demo-report.md; tests). */
/** The key in use (handed to worker threads, so that their redactions match this thread's). */
export function redactionKey(): string {
  return key;
}

export function setRedactionKey(value: string): void {
  key = value;
}

/**
 * The form in which a matched secret or personal datum may appear in any report: a short prefix (only of
 * values long enough that it gives little away) and a keyed digest, never the value.
 */
export function redact(value: string, prefixChars = 4): string {
  const prefix = value.length > prefixChars * 3 ? value.slice(0, prefixChars) : '';
  const digest = createHmac('sha256', key).update(value, 'utf8').digest('hex').slice(0, 8);
  return `${prefix}…[redacted hmac:${digest}]`;
}

/** `scheme://user:password@host` in any text: the password is replaced, whatever rule wrote the text. */
export function redactUrlCredentials(text: string): string {
  return text.replace(/\b([a-z][a-z0-9+.-]*:\/\/)([^\s:/@'"`]+):([^\s@/'"`]+)@/gi, (_m, scheme: string, user: string, password: string) =>
    `${scheme}${user}:${redact(password)}@`);
}
