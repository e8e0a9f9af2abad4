import type { AnyRule, RuleDocExample, RuleDocs } from '../engine/rule.js';
import { ruleArea } from '../engine/rule.js';

/**
 * The per-rule docs pages and their index, rendered from the registry so that they cannot drift from the
 * code. `__tests__/meta/registry.test.ts` keeps the files in docs/rules/ equal to this output.
 */
export function renderRulePage(rule: AnyRule): string {
  const { meta } = rule;
  const { why, remediation } = splitHelp(meta.help);
  const lines = [
    `# ${meta.id}`,
    '',
    `> ${meta.description}`,
    '',
    `| area | default severity | applies to |`,
    `|---|---|---|`,
    `| \`${ruleArea(meta.id)}\` | ${meta.defaultSeverity} | ${appliesTo(rule)} |`,
    '',
    '## Why it matters',
    '',
    why,
    '',
    ...exampleLines(meta.docs),
    '## Remediation',
    '',
    remediation,
    '',
    '## Options',
    '',
    ...optionsTable(rule),
    '```yaml',
    '# .github/ai-gate.yml',
    'rules:',
    `  ${meta.id}: ${meta.defaultSeverity}          # a severity, or: off`,
    ...optionLines(rule),
    '```',
    ...referenceLines(meta.docs),
  ];
  return `${lines.join('\n').replace(/\n{3,}/g, '\n\n')}\n`;
}

/** The help text up to its `**Remediation**` paragraph, and that paragraph onwards (without the label). */
function splitHelp(help: string): { why: string; remediation: string } {
  const at = help.indexOf('**Remediation**');
  if (at < 0) return { why: help.trim(), remediation: '' };
  const rest = help.slice(at + '**Remediation**'.length).replace(/^\s*:?\s*/, '');
  return { why: help.slice(0, at).trim(), remediation: rest.trim().replace(/^./, (c) => c.toUpperCase()) };
}

function fence(lang: string, code: string): string[] {
  const ticks = code.includes('```') ? '````' : '```';
  return [`${ticks}${lang}`, code.replace(/\n+$/, ''), ticks];
}

function exampleLines(docs: RuleDocs | undefined): string[] {
  const ex = docs?.examples;
  if (!ex) return [];
  const one = (e: RuleDocExample) => [`**${e.title}**${e.file ? ` (\`${e.file}\`)` : ''}`, '', ...fence(e.lang, e.code), ''];
  return [
    '## Examples',
    '',
    '### Reported',
    '',
    ...ex.bad.flatMap(one),
    '### Not reported',
    '',
    ...ex.good.flatMap(one),
  ];
}

function referenceLines(docs: RuleDocs | undefined): string[] {
  const refs = docs?.references ?? [];
  if (refs.length === 0) return [];
  return ['', '## References', '', ...refs.map((r) => `- [${r.title}](${r.url})`)];
}

type PropSchema = { description?: string; type?: string | string[]; enum?: unknown[]; items?: PropSchema; minimum?: number; maximum?: number };

function typeOf(p: PropSchema): string {
  if (p.enum) return p.enum.map((v) => `\`${String(v)}\``).join(' | ');
  if (p.type === 'array') return `list of ${p.items ? typeOf(p.items) : 'values'}`;
  if (Array.isArray(p.type)) return p.type.join(' or ');
  return p.type ?? 'value';
}

function cell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\n/g, ' ');
}

function optionsTable(rule: AnyRule): string[] {
  const props = (rule.meta.options?.properties ?? {}) as Record<string, PropSchema>;
  const names = Object.keys(props);
  const defaults = rule.meta.defaultOptions as Record<string, unknown>;
  const intro = 'Every rule takes `severity` (`critical`, `high`, `medium`, `low`) or `off`.';
  if (names.length === 0) return [`${intro} This rule has no other options.`, ''];
  return [
    `${intro} Its own options:`,
    '',
    '| option | type | default | what it does |',
    '|---|---|---|---|',
    ...names.map((n) => `| \`${n}\` | ${cell(typeOf(props[n]))} | ${defaults[n] === undefined ? 'none' : `\`${cell(JSON.stringify(defaults[n]))}\``} | ${cell(props[n].description ?? '')} |`),
    '',
  ];
}

function appliesTo(rule: AnyRule): string {
  if (rule.meta.engineReported && !rule.checkRun) return 'reported by the engine';
  if (rule.meta.kinds.length === 0) return 'the whole scan';
  const formats = rule.meta.formats ? ` (${rule.meta.formats.join(', ')})` : '';
  return `${rule.meta.kinds.join(', ')} files${formats}`;
}

function optionLines(rule: AnyRule): string[] {
  const props = (rule.meta.options?.properties ?? {}) as Record<string, { description?: string }>;
  const names = Object.keys(props);
  if (names.length === 0) return [];
  const defaults = rule.meta.defaultOptions as Record<string, unknown>;
  return [
    '# or, with options (each defaults to the value shown):',
    'rules:',
    `  ${rule.meta.id}:`,
    `    severity: ${rule.meta.defaultSeverity}`,
    ...names.filter((name) => defaults[name] !== undefined).map((name) => `    ${name}: ${JSON.stringify(defaults[name])}`),
  ];
}

export function renderRulesIndex(rules: readonly AnyRule[]): string {
  const sorted = [...rules].sort((a, b) => (a.meta.id < b.meta.id ? -1 : 1));
  return [
    '# Rules',
    '',
    'Generated from the registry (`src/rules/`); each page says what the rule checks, why it matters and how to fix it.',
    '',
    '| rule | default severity | what it checks |',
    '|---|---|---|',
    ...sorted.map((r) => `| [\`${r.meta.id}\`](${r.meta.id}.md) | ${r.meta.defaultSeverity} | ${r.meta.description} |`),
    '',
  ].join('\n');
}
