/**
 * Text from the PR (file names, matched text) is escaped for the surface it reaches. This file holds the
 * escapers every reporter uses, so that no surface invents its own.
 */

/** Terminal: control characters (ANSI escapes, carriage returns, newlines) become visible `\xNN` forms. */
export function escapeTerminal(text: string): string {
  return text.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g, (c) => {
    const code = c.charCodeAt(0);
    if (c === '\n') return '\\n';
    if (c === '\t') return '\\t';
    return code <= 0xff ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`;
  });
}

/**
 * Workflow commands (`::error file=…,line=…::message`): the runner decodes `%25`, `%0D`, `%0A` in the message
 * and also `%3A`, `%2C` in property values, so escaping these keeps a PR-controlled string from ending the
 * command line (and starting another one) or from adding properties.
 */
export function escapeCommandData(text: string): string {
  return text.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
}

export function escapeCommandProperty(text: string): string {
  return escapeCommandData(text).replace(/:/g, '%3A').replace(/,/g, '%2C');
}
