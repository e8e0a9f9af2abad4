/**
 * A Dockerfile/Containerfile as a list of instructions with their line numbers: line continuations (with the
 * `# escape=` parser directive), comments, and heredocs (`RUN <<EOF … EOF`) are handled; nothing is evaluated.
 * Bounded: at most MAX_INSTRUCTIONS instructions and MAX_HEREDOC_LINES lines per heredoc.
 */
import { FormatError } from './errors.js';
import { parsedOnce } from './parse-cache.js';

export interface Instruction {
  /** Upper-cased keyword: FROM, RUN, ENV, … */
  keyword: string;
  /** The arguments, continuation lines joined with a space (heredoc bodies appended after a newline). */
  args: string;
  /** 1-based line and column of the keyword. */
  line: number;
  column: number;
  endLine: number;
  /** Index of the build stage (0 for the first FROM; -1 before any FROM). */
  stage: number;
}

export interface Stage { index: number; from: Instruction; image: string; name?: string }

export interface Dockerfile { instructions: Instruction[]; stages: Stage[]; escape: string }

export const MAX_INSTRUCTIONS = 20_000;
const MAX_HEREDOC_LINES = 10_000;

export function parseDockerfile(text: string): Dockerfile {
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/);
  let escape = '\\';
  // Parser directives come first, as comments of the form `# key=value`.
  for (const l of lines) {
    const m = /^#\s*([a-z]+)\s*=\s*(\S+)\s*$/i.exec(l);
    if (!m) break;
    if (m[1].toLowerCase() === 'escape' && (m[2] === '`' || m[2] === '\\')) escape = m[2];
  }
  const instructions: Instruction[] = [];
  const stages: Stage[] = [];
  let i = 0;
  while (i < lines.length) {
    const first = lines[i];
    const start = i;
    if (/^\s*(#.*)?$/.test(first)) { i++; continue; }
    // Continued lines are collected as parts and joined once: re-trimming the growing body on every line
    // made a file of many continuations take quadratic time.
    const parts = [first];
    while (endsWithEscape(parts[parts.length - 1], escape) && i + 1 < lines.length) {
      parts[parts.length - 1] = parts[parts.length - 1].trimEnd().slice(0, -1).trimEnd();
      if (parts.length > 1 && parts[parts.length - 1] === '') parts.pop();
      i++;
      while (i < lines.length && /^\s*#/.test(lines[i])) i++; // comments inside a continued instruction
      if (i < lines.length) parts.push(lines[i].trim());
    }
    const body = parts.join(' ');
    i++;
    const m = /^(\s*)([A-Za-z]+)(\s+|$)(.*)$/.exec(body);
    if (!m) continue; // not an instruction: Docker would refuse the file; nothing to check here
    let args = m[4].trim();
    for (const tag of heredocTags(args)) {
      const collected: string[] = [];
      while (i < lines.length && lines[i].replace(/^\t+/, '') !== tag) {
        if (collected.length >= MAX_HEREDOC_LINES) throw new FormatError(`heredoc <<${tag} longer than ${MAX_HEREDOC_LINES} lines`);
        collected.push(lines[i++]);
      }
      i++;
      args += `\n${collected.join('\n')}`;
    }
    if (instructions.length >= MAX_INSTRUCTIONS) throw new FormatError(`more than ${MAX_INSTRUCTIONS} instructions`);
    const keyword = m[2].toUpperCase();
    const ins: Instruction = { keyword, args, line: start + 1, column: m[1].length + 1, endLine: i, stage: stages.length - (keyword === 'FROM' ? 0 : 1) };
    instructions.push(ins);
    if (keyword === 'FROM') {
      const words = args.split(/\s+/).filter((w) => !w.startsWith('--'));
      const as = words.findIndex((w) => w.toLowerCase() === 'as');
      stages.push({ index: stages.length, from: ins, image: words[0] ?? '', name: as > 0 ? words[as + 1]?.toLowerCase() : undefined });
    }
  }
  return { instructions, stages, escape };
}

function endsWithEscape(line: string, escape: string): boolean {
  return line.trimEnd().endsWith(escape);
}

function heredocTags(args: string): string[] {
  const out: string[] = [];
  for (const m of args.matchAll(/<<-?(["']?)([A-Za-z_][\w]*)\1/g)) out.push(m[2]);
  return out;
}

/** `KEY=value KEY2="v 2"` or the legacy `KEY value` form of ENV/LABEL/ARG, with quotes removed. */
export function keyValues(args: string): Array<{ key: string; value: string | undefined }> {
  const out: Array<{ key: string; value: string | undefined }> = [];
  const firstLine = args.split('\n')[0];
  if (!/^[^\s=]+=/.test(firstLine)) {
    const m = /^(\S+)(?:\s+(.*))?$/.exec(firstLine.trim());
    if (m) out.push({ key: m[1], value: m[2] === undefined ? undefined : unquote(m[2].trim()) });
    return out;
  }
  const re = /([^\s=]+)(?:=("(?:[^"\\]|\\.)*"|'[^']*'|\S*))?/g;
  for (const m of firstLine.matchAll(re)) out.push({ key: m[1], value: m[2] === undefined ? undefined : unquote(m[2]) });
  return out;
}

function unquote(v: string): string {
  if ((v.startsWith('"') && v.endsWith('"')) || (v.startsWith("'") && v.endsWith("'"))) return v.slice(1, -1);
  return v;
}

export function dockerfileOf(ctx: { reader: { text(): Promise<{ text: string; truncated: boolean }> } }): Promise<Dockerfile | FormatError> {
  return parsedOnce(ctx.reader, 'dockerfile', parseDockerfile);
}

/** `name[:tag][@digest]` split, the registry kept in the name. */
export function splitImage(image: string): { name: string; tag?: string; digest?: string } {
  const [rest, digest] = image.split('@');
  const slash = rest.lastIndexOf('/');
  const colon = rest.lastIndexOf(':');
  if (colon > slash) return { name: rest.slice(0, colon), tag: rest.slice(colon + 1), digest };
  return { name: rest, digest };
}
