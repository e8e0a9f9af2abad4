/** Merging a policy over the one it extends, rule by rule. */
import { describe, expect, it } from '@jest/globals';
import { EMPTY_LAYER, emptyMerged, mergeLayers, resolveRules, type PolicyLayer } from '../../src/policy/extends.js';
import { fakeRules } from './fake-rules.js';

const layer = (over: Partial<PolicyLayer>): PolicyLayer => ({ ...EMPTY_LAYER, ...over });

const base = mergeLayers(emptyMerged(), layer({
  failOn: 'medium',
  scope: 'all',
  ignore: ['vendor/**'],
  limits: { maxTextBytes: 1000 },
  rules: {
    'model/serialization-format': { severity: 'high', allow: ['pickle'] },
    'data/pii': { entities: ['email'], 'min-count': 3 },
    'workflow/unpinned-action': 'off',
  },
}));

describe('mergeLayers', () => {
  it("keeps the base's severity when the file gives only options, and replaces only the options it names", () => {
    const merged = mergeLayers(base, layer({ rules: { 'data/pii': { entities: ['iban'] }, 'model/serialization-format': { allow: ['joblib'] } } }));
    expect(merged.rules['model/serialization-format']).toEqual({ enabled: true, severity: 'high', options: { allow: ['joblib'] } });
    expect(merged.rules['data/pii']).toEqual({ enabled: true, severity: undefined, options: { entities: ['iban'], 'min-count': 3 } });
  });

  it("keeps the base's options when the file gives a severity or off", () => {
    const merged = mergeLayers(base, layer({ rules: { 'model/serialization-format': 'low', 'data/pii': 'off' } }));
    expect(merged.rules['model/serialization-format']).toEqual({ enabled: true, severity: 'low', options: { allow: ['pickle'] } });
    expect(merged.rules['data/pii']).toEqual({ enabled: false, options: { entities: ['email'], 'min-count': 3 } });
  });

  it('re-enables a rule the base turned off when the file configures it', () => {
    expect(mergeLayers(base, layer({ rules: { 'workflow/unpinned-action': {} } })).rules['workflow/unpinned-action'])
      .toEqual({ enabled: true, severity: undefined, options: {} });
    expect(mergeLayers(base, layer({ rules: { 'workflow/unpinned-action': 'critical' } })).rules['workflow/unpinned-action'])
      .toEqual({ enabled: true, severity: 'critical', options: {} });
  });

  it('replaces scalars the file sets, adds ignores, and keeps limits the file does not set', () => {
    const merged = mergeLayers(base, layer({ failOn: 'low', ignore: ['tests/**', 'vendor/**'], limits: { maxFileBytes: 10 } }));
    expect(merged).toMatchObject({ failOn: 'low', scope: 'all', ignore: ['vendor/**', 'tests/**'], limits: { maxFileBytes: 10, maxTextBytes: 1000 } });
  });

  it('leaves the base untouched', () => {
    mergeLayers(base, layer({ rules: { 'data/pii': { entities: ['iban'] } } }));
    expect(base.rules['data/pii'].options).toEqual({ entities: ['email'], 'min-count': 3 });
  });
});

describe('resolveRules', () => {
  it('fills every registered rule: named ones as merged, others at their defaults', () => {
    const rules = resolveRules(base, fakeRules, 'recommended');
    expect(rules).toEqual({
      'model/unsafe-pickle': { enabled: true, severity: 'critical', options: {} },
      'model/serialization-format': { enabled: true, severity: 'high', options: { allow: ['pickle'] } },
      'data/pii': { enabled: true, severity: 'high', options: { entities: ['email'], 'min-count': 3 } },
      'workflow/unpinned-action': { enabled: false, severity: 'medium', options: {} },
      'policy/expired-exception': { enabled: true, severity: 'medium', options: {} },
    });
  });

  it('under none, leaves unnamed rules off except the policy/ ones', () => {
    const rules = resolveRules(emptyMerged(), fakeRules, 'none');
    expect(Object.entries(rules).filter(([, s]) => s.enabled).map(([id]) => id)).toEqual(['policy/expired-exception']);
  });
});
