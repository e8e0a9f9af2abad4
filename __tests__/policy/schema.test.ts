/** The generated policy schema: its shape, its descriptions, and the rule options it carries. */
import { describe, expect, it } from '@jest/globals';
import { Ajv } from 'ajv';
import { buildPolicySchema, schemaDefault } from '../../src/policy/schema.js';
import { displayPath, policyValidator } from '../../src/policy/validate.js';
import { fakeRules } from './fake-rules.js';

const schema = buildPolicySchema(fakeRules) as any;

describe('buildPolicySchema', () => {
  it('takes exactly the documented top-level keys, and no others', () => {
    expect(Object.keys(schema.properties)).toEqual(['extends', 'fail-on', 'scope', 'paths', 'rules', 'exceptions', 'limits', 'report']);
    expect(schema.additionalProperties).toBe(false);
    expect(schema.$schema).toBe('http://json-schema.org/draft-07/schema#');
  });

  it('accepts exactly the registered rule ids under rules, sorted', () => {
    expect(Object.keys(schema.properties.rules.properties)).toEqual(fakeRules.map((r) => r.meta.id).sort());
    expect(schema.properties.rules.additionalProperties).toBe(false);
    expect(schema.properties.exceptions.items.properties.rule.enum).toEqual(fakeRules.map((r) => r.meta.id).sort());
  });

  it('describes every property, for editors', () => {
    const undescribed: string[] = [];
    const walk = (node: any, path: string) => {
      for (const [key, child] of Object.entries<any>(node.properties ?? {})) {
        if (!child.description) undescribed.push(`${path}.${key}`);
        walk(child, `${path}.${key}`);
        for (const branch of child.anyOf ?? []) walk(branch, `${path}.${key}`);
      }
      if (node.items) walk(node.items, `${path}[]`);
    };
    walk(schema, '');
    expect(undescribed).toEqual([]);
    expect(schema.properties.rules.properties['data/pii'].anyOf[1].properties['min-count'].description)
      .toMatch(/^Option of data\/pii; see https:.+data\/pii\.md$/);
  });

  it('carries the defaults of the policy options', () => {
    expect(schemaDefault(schema, ['extends'])).toBe('recommended');
    expect(schemaDefault(schema, ['fail-on'])).toBe('high');
    expect(schemaDefault(schema, ['scope'])).toBe('changed');
    expect(schemaDefault(schema, ['limits', 'max-file-bytes'])).toBe(4294967296);
    expect(schemaDefault(schema, ['limits', 'max-text-bytes'])).toBe(67108864);
    expect(() => schemaDefault(schema, ['rules'])).toThrow('policy schema: no default for rules');
  });

  it("gives each rule's setting the forms off | severity | {severity, ...its options}, with its defaults", () => {
    const setting = schema.properties.rules.properties['model/serialization-format'];
    expect(setting.description).toMatch(/^model\/serialization-format \(test rule\)\. Default severity: medium\. Docs: https:\/\/.+\/docs\/rules\/model\/serialization-format\.md$/);
    expect(setting.anyOf[0]).toEqual({ type: 'string', enum: ['off', 'critical', 'high', 'medium', 'low'] });
    expect(setting.anyOf[1]).toMatchObject({ type: 'object', additionalProperties: false });
    expect(Object.keys(setting.anyOf[1].properties)).toEqual(['severity', 'allow']);
    expect(setting.anyOf[1].properties.severity.default).toBe('medium');
    expect(setting.anyOf[1].properties.allow.default).toEqual(['safetensors', 'onnx']);
  });

  it('validates with a plain draft-07 ajv too (what editors and other tools do)', () => {
    const validate = new Ajv({ strict: false, validateFormats: false }).compile(schema);
    expect(validate({ extends: 'strict', rules: { 'data/pii': { entities: ['iban'] }, 'model/unsafe-pickle': 'off' } })).toBe(true);
    expect(validate({ rules: { 'data/pii': { entity: ['iban'] } } })).toBe(false);
    expect(validate({ limits: { 'max-file-bytes': 0 } })).toBe(false);
  });

  it('compiles once per registry', () => {
    expect(policyValidator(fakeRules)).toBe(policyValidator(fakeRules));
  });

  it('is built for an empty registry as well', () => {
    const empty = buildPolicySchema([]) as any;
    expect(empty.properties.rules.properties).toEqual({});
    expect(empty.properties.exceptions.items.properties.rule.enum).toBeUndefined();
  });
});

describe('displayPath', () => {
  it('renders pointers the way the messages name keys', () => {
    expect(displayPath('/rules/model~1serialization-format/allow/1')).toBe('rules.model/serialization-format.allow[1]');
    expect(displayPath('/exceptions/0')).toBe('exceptions[0]');
    expect(displayPath('')).toBe('');
  });
});
