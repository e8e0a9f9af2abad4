import { createHash } from 'node:crypto';

/**
 * A fingerprint names a finding by what it is, not where it is: rule, file, a position-free key (the line's
 * text with whitespace folded, or what the rule chose) and how many identical keys came before it in the
 * file. Inserting lines above a finding changes none of these.
 */
export function fingerprint(ruleId: string, path: string, key: string, occurrence: number): string {
  return createHash('sha256')
    .update(`${ruleId}\0${path}\0${key}\0${occurrence}`, 'utf8')
    .digest('hex')
    .slice(0, 32);
}

export function normaliseLineKey(line: string): string {
  return line.trim().replace(/\s+/g, ' ');
}
