/**
 * The JSON Schema of the policy file, generated from the rule registry: the one place where the policy's
 * options, their descriptions and their defaults are written down. The loader validates against it and reads
 * defaults from it; policies/policy.schema.json is a generated copy for editors.
 */
import type { AnyRule } from '../engine/rule.js';
import { SEVERITIES } from '../engine/severity.js';
import { REPO_URL, ruleDocsUrl } from '../meta.js';
import { BUILTIN_POLICIES } from './types.js';

/** Where editors can fetch the schema (`# yaml-language-server: $schema=<this>`). */
export const POLICY_SCHEMA_ID = `${REPO_URL.replace('https://github.com/', 'https://raw.githubusercontent.com/')}/main/policies/policy.schema.json`;

export type JsonSchema = Record<string, unknown>;

/** The schema of the policy file for these rules (their ids become the only keys `rules` accepts). */
export function buildPolicySchema(rules: readonly AnyRule[]): JsonSchema {
  const sorted = [...rules].sort((a, b) => a.meta.id.localeCompare(b.meta.id));
  const ruleIds = sorted.map((r) => r.meta.id);
  return {
    $schema: 'http://json-schema.org/draft-07/schema#',
    $id: POLICY_SCHEMA_ID,
    title: 'ai-pipeline-gate policy',
    description: 'What the gate checks in a pull request and what fails it. Default location: .github/ai-gate.yml.',
    type: 'object',
    additionalProperties: false,
    properties: {
      extends: {
        description: 'The built-in policy this file starts from. `recommended` and `strict` enable every rule '
          + 'at its default severity unless changed here; `none` enables only the rules this file names (and the '
          + '`policy/` rules, which report on the gate itself, unless turned off).',
        enum: [...BUILTIN_POLICIES],
        default: 'recommended',
      },
      'fail-on': {
        description: 'The lowest severity that fails the gate. `high` fails on high and critical findings; '
          + 'lower ones are reported without blocking. The `--fail-on` flag overrides it.',
        enum: [...SEVERITIES],
        default: 'high',
      },
      scope: {
        description: '`changed`: scan the files the pull request adds or changes. `all`: scan the whole tree.',
        enum: ['changed', 'all'],
        default: 'changed',
      },
      paths: {
        description: 'Which paths the scan skips.',
        type: 'object',
        additionalProperties: false,
        properties: {
          ignore: {
            description: 'Glob patterns (picomatch syntax, relative to the repository root) of paths never scanned. '
              + 'Added to the ignores of the policy this file extends.',
            type: 'array',
            items: { type: 'string', minLength: 1 },
            default: [],
          },
        },
      },
      rules: {
        description: 'Per-rule settings: `off`, a severity (enables the rule at that severity), or a mapping with '
          + 'an optional `severity` and the rule\'s own options. Settings merge over those of the extended policy.',
        type: 'object',
        additionalProperties: false,
        properties: Object.fromEntries(sorted.map((rule) => [rule.meta.id, ruleSettingSchema(rule)])),
      },
      exceptions: {
        description: 'Findings the team has accepted, each for some paths, with a reason and an expiry date. '
          + 'An expired exception stops applying and is itself reported.',
        type: 'array',
        default: [],
        items: {
          type: 'object',
          additionalProperties: false,
          required: ['rule', 'paths', 'reason', 'expires'],
          properties: {
            rule: {
              description: 'The id of the rule whose findings are excepted.',
              type: 'string',
              ...(ruleIds.length > 0 ? { enum: ruleIds } : {}),
            },
            paths: {
              description: 'Glob patterns of the paths where the exception applies.',
              type: 'array',
              minItems: 1,
              items: { type: 'string', minLength: 1 },
            },
            reason: {
              description: 'Why the finding is accepted, for reviewers (e.g. a link to the discussion).',
              type: 'string',
              minLength: 1,
              pattern: '\\S',
            },
            expires: {
              description: 'The last day the exception applies, YYYY-MM-DD.',
              type: 'string',
              format: 'date',
            },
          },
        },
      },
      limits: {
        description: 'How much the scan reads; past a limit the file is reported as partly scanned, never skipped silently.',
        type: 'object',
        additionalProperties: false,
        properties: {
          'max-file-bytes': {
            description: 'Bytes read from any one file (hashing and model parsing stop there).',
            type: 'integer',
            minimum: 1,
            default: 4 * 1024 ** 3,
          },
          'max-text-bytes': {
            description: 'Bytes of a file read as text (secrets, YAML, CSV and other text rules).',
            type: 'integer',
            minimum: 1,
            default: 64 * 1024 ** 2,
          },
        },
      },
      report: {
        description: 'How the gate reports its verdict on GitHub.',
        type: 'object',
        additionalProperties: false,
        properties: {
          'conclusion-when-reported': {
            description: 'The check run conclusion when the gate passes but reports non-blocking findings: `success`, or `neutral` to mark the PR as "passed with findings" (branch protection accepts both).',
            enum: ['success', 'neutral'],
            default: 'success',
          },
        },
      },
    },
  };
}

/** A rule's entry under `rules`: `off`, a severity, or `{severity?, ...options}`. */
function ruleSettingSchema(rule: AnyRule): JsonSchema {
  const { id, description, defaultSeverity, options, defaultOptions } = rule.meta;
  const optionProps = (options?.properties ?? {}) as Record<string, JsonSchema>;
  const defaults = (defaultOptions ?? {}) as Record<string, unknown>;
  const properties: Record<string, JsonSchema> = {
    severity: { description: `Severity of this rule's findings (default ${defaultSeverity}).`, enum: [...SEVERITIES], default: defaultSeverity },
  };
  for (const [name, schema] of Object.entries(optionProps)) {
    properties[name] = {
      // Editors show a description on hover; a rule that gives none still points at its docs.
      ...(schema.description ? {} : { description: `Option of ${id}; see ${ruleDocsUrl(id)}` }),
      ...schema,
      ...(name in defaults && !('default' in schema) ? { default: defaults[name] } : {}),
    };
  }
  const { properties: _p, type: _t, additionalProperties: _a, ...restOfOptions } = options ?? {};
  return {
    description: `${description} Default severity: ${defaultSeverity}. Docs: ${ruleDocsUrl(id)}`,
    anyOf: [
      { type: 'string', enum: ['off', ...SEVERITIES] },
      { ...restOfOptions, type: 'object', additionalProperties: false, properties },
    ],
  };
}

/** The `default` of the property at `path` (e.g. `['limits', 'max-file-bytes']`); it must exist. */
export function schemaDefault<T>(schema: JsonSchema, path: readonly string[]): T {
  let node: JsonSchema | undefined = schema;
  for (const key of path) node = (node?.properties as Record<string, JsonSchema> | undefined)?.[key];
  if (!node || !('default' in node)) throw new Error(`policy schema: no default for ${path.join('.')}`);
  return structuredClone(node.default) as T;
}
