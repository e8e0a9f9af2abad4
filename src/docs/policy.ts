/**
 * docs/policy.md, rendered from the policy's JSON Schema (policies/policy.schema.json), so that the reference
 * says exactly what the loader accepts and which defaults it applies. `__tests__/meta/registry.test.ts` keeps
 * the file equal to this output.
 */
import type { JsonSchema } from '../policy/schema.js';

type Node = JsonSchema & {
  description?: string; type?: string; enum?: unknown[]; default?: unknown; items?: Node;
  properties?: Record<string, Node>; required?: string[]; anyOf?: Node[]; minimum?: number; format?: string;
};

function cell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\n/g, ' ');
}

function typeOf(n: Node): string {
  if (n.enum && n.enum.length > 12) return 'a rule id (see [Rules](#rules))';
  if (n.enum) return n.enum.map((v) => `\`${String(v)}\``).join(', ');
  if (n.type === 'array') return `list of ${n.items ? typeOf(n.items) : 'values'}`;
  if (n.format === 'date') return 'date (YYYY-MM-DD)';
  if (n.type === 'integer' && n.minimum !== undefined) return `integer ≥ ${n.minimum}`;
  return n.type ?? 'value';
}

function defaultOf(n: Node): string {
  return 'default' in n ? `\`${cell(JSON.stringify(n.default))}\`` : '–';
}

function keyRows(props: Record<string, Node>, prefix: string, required: string[] = []): string[] {
  return Object.entries(props).flatMap(([name, n]) => {
    const key = `${prefix}${name}`;
    if (name === 'rules' && prefix === '') {
      return [`| \`rules\` | mapping of rule id → setting | \`{}\` | ${cell(n.description ?? '')} See [Rules](#rules). |`];
    }
    const req = required.includes(name) ? ' (required)' : '';
    const row = `| \`${key}\`${req} | ${cell(n.type === 'object' ? 'mapping' : typeOf(n))} | ${defaultOf(n)} | ${cell(n.description ?? '')} |`;
    if (n.type === 'object' && n.properties) return [row, ...keyRows(n.properties, `${key}.`, n.required)];
    if (n.type === 'array' && n.items?.properties) return [row, ...keyRows(n.items.properties, `${key}[].`, n.items.required)];
    return [row];
  });
}

function ruleRows(rules: Record<string, Node>): string[] {
  return Object.entries(rules).map(([id, n]) => {
    const settings = n.anyOf?.find((a) => a.type === 'object')?.properties ?? {};
    const severity = String(settings.severity?.default ?? '');
    const options = Object.keys(settings).filter((k) => k !== 'severity').map((k) => `\`${k}\``).join(', ') || '–';
    return `| [\`${id}\`](rules/${id}.md) | ${severity} | ${options} |`;
  });
}

export function renderPolicyReference(schema: JsonSchema): string {
  const root = schema as Node;
  const props = root.properties ?? {};
  const rules = props.rules?.properties ?? {};
  return [
    '# Policy reference',
    '',
    'Generated from [policies/policy.schema.json](../policies/policy.schema.json) (itself generated from the rule',
    'registry); do not edit by hand. The file is read from `.github/ai-gate.yml` unless the `policy` input or',
    '`--policy` names another; for a pull request it is read from the base commit.',
    '',
    root.description ?? '',
    '',
    'Start editors on it with a first line such as',
    '',
    '```yaml',
    `# yaml-language-server: $schema=${String(root.$id ?? '')}`,
    '```',
    '',
    '## Keys',
    '',
    '| key | type | default | meaning |',
    '|---|---|---|---|',
    ...keyRows(props, ''),
    '',
    '## Rules',
    '',
    'Under `rules`, each rule id takes one of:',
    '',
    '- `off`: the rule does not run;',
    '- a severity (`critical`, `high`, `medium`, `low`): the rule runs and its findings take that severity;',
    '- a mapping with an optional `severity` and the rule\'s own options (listed on its page). Options not given',
    '  keep the value of the policy this one extends, else the rule\'s default; a list replaces, never appends.',
    '',
    '```yaml',
    'rules:',
    '  workflow/unpinned-action: off',
    '  deps/unpinned: medium',
    '  model/serialization-format: { severity: medium, allow: [safetensors, onnx, gguf] }',
    '```',
    '',
    `The ${Object.keys(rules).length} rules, their default severities and their options:`,
    '',
    '| rule | default severity | options |',
    '|---|---|---|',
    ...ruleRows(rules),
    '',
    '## Exceptions and inline suppressions',
    '',
    'An exception accepts one rule\'s findings under some paths, with a reason and an expiry date. When the date',
    'has passed it stops applying and `policy/expired-exception` reports it. One line of a text file can be',
    'waived where it stands with a comment: `# ai-gate: ignore[rule-id] reason`. Excepted and suppressed',
    'findings stay in every report, marked and counted.',
    '',
  ].join('\n');
}
