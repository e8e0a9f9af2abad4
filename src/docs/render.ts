import type { AnyRule } from '../engine/rule.js';
import { ruleArea } from '../engine/rule.js';

/**
 * The per-rule docs pages and their index, rendered from the registry so that they cannot drift from the
 * code. `__tests__/meta/registry.test.ts` keeps the files in docs/rules/ equal to this output.
 */
export function renderRulePage(rule: AnyRule): string {
  const { meta } = rule;
  const lines = [
    `# ${meta.id}`,
    '',
    `> ${meta.description}`,
    '',
    `| area | default severity | applies to |`,
    `|---|---|---|`,
    `| \`${ruleArea(meta.id)}\` | ${meta.defaultSeverity} | ${appliesTo(rule)} |`,
    '',
    meta.help,
    '',
    '## Configuration',
    '',
    '```yaml',
    'rules:',
    `  ${meta.id}: ${meta.defaultSeverity}          # or: off`,
    ...optionLines(rule),
    '```',
  ];
  return `${lines.join('\n')}\n`;
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
    `  ${rule.meta.id}:`,
    `    severity: ${rule.meta.defaultSeverity}`,
    ...names.map((name) => `    ${name}: ${JSON.stringify(defaults[name])}${props[name].description ? `   # ${props[name].description}` : ''}`),
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
