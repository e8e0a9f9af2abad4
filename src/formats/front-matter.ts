/**
 * YAML front matter of a Markdown card (Hugging Face model and dataset cards): the text between a leading
 * `---` line and the next `---` line. Returns the YAML and the body after it, or undefined without one.
 */
export function splitFrontMatter(text: string): { yaml: string; body: string } | undefined {
  const m = /^---\r?\n([\s\S]*?)\r?\n---[ \t]*(\r?\n|$)/.exec(text);
  return m ? { yaml: m[1], body: text.slice(m[0].length) } : undefined;
}
