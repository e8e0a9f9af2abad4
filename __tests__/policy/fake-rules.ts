/** A small registry for the policy tests, independent of the real rules. */
import { defineRule, type AnyRule } from '../../src/engine/rule.js';

const rule = (id: string, defaultSeverity: 'critical' | 'high' | 'medium' | 'low', extra: Partial<AnyRule['meta']> = {}) =>
  defineRule({
    meta: { id, description: `${id} (test rule).`, help: 'Help.', defaultSeverity, kinds: ['model'], defaultOptions: {}, ...extra },
    checkFile() {},
  });

export const unsafePickle = rule('model/unsafe-pickle', 'critical');
export const serializationFormat = rule('model/serialization-format', 'medium', {
  options: {
    type: 'object',
    properties: {
      allow: { type: 'array', items: { enum: ['pickle', 'pytorch-zip', 'joblib', 'safetensors', 'onnx'] }, uniqueItems: true },
    },
    additionalProperties: false,
  },
  defaultOptions: { allow: ['safetensors', 'onnx'] },
});
export const pii = rule('data/pii', 'high', {
  options: {
    type: 'object',
    properties: {
      entities: { type: 'array', items: { enum: ['email', 'phone', 'us-ssn', 'credit-card', 'iban'] }, minItems: 1 },
      'min-count': { type: 'integer', minimum: 1 },
    },
  },
  defaultOptions: { entities: ['email', 'phone'], 'min-count': 1 },
});
export const unpinnedAction = rule('workflow/unpinned-action', 'medium');
export const expiredException = rule('policy/expired-exception', 'medium', { kinds: [] });

export const fakeRules: AnyRule[] = [unsafePickle, serializationFormat, pii, unpinnedAction, expiredException];
