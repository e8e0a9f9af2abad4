/**
 * Name-based detection of credentials in configuration (Dockerfile ENV/ARG, Kubernetes env, workflow env): a
 * variable named like a credential (`*_TOKEN`, `*_KEY`, `*PASSWORD*`, `*SECRET*`) holding a literal value rather
 * than a reference to a secret store. A value in a known credential format (src/detect/secrets.ts) is left to the
 * secret/* rules, which report it wherever it stands: one finding per secret, not one per rule.
 */
import type { Severity } from '../engine/severity.js';
import { findSecrets } from './secrets.js';
const SECRET_NAME = /(^|[_.-])(TOKEN|KEY|APIKEY|API_KEY|PRIVATE_KEY|ACCESS_KEY|CREDENTIALS?)$|PASSWORD|PASSWD|SECRET/i;
const NOT_SECRET_NAME = /(PUBLIC_KEY|_KEY_ID|KEY_NAME|KEY_PATH|KEY_FILE|SECRET_NAME|SECRET_REF|SECRET_PATH|SECRET_FILE|PASSWORD_FILE|TOKEN_FILE|TOKEN_PATH|_URL|_URI)$/i;
/** A reference, empty value or obvious placeholder, which is not a secret. */
const NOT_LITERAL = /^\s*$|^\$|^\$\{|^\{\{.*\}\}$|^<[^>]*>$|^(x+|\*+|\.+|-+)$|^(none|null|nil|false|true|dummy|placeholder|redacted|todo|tbd|your[-_ ].*|example.*)$/i;
export interface LiteralSecret {
  why: string;
  value: string;
  /** Set when the value has a known credential format (the detector's severity, e.g. critical for a cloud key). */
  severity?: Severity;
}

/** Why `name=value` looks like a committed credential, or undefined. */
export function literalSecret(name: string, value: string | undefined): LiteralSecret | undefined {
  if (value === undefined) return undefined;
  const v = value.trim();
  if (findSecrets(v).length > 0) return undefined;
  if (!SECRET_NAME.test(name) || NOT_SECRET_NAME.test(name) || NOT_LITERAL.test(v) || v.length < 4) return undefined;
  return { why: 'a literal value under a credential name', value: v };
}
