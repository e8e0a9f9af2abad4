import type { Severity } from '../engine/severity.js';

/**
 * THE one mapping from our severities to every surface's levels. Every reporter reads this table; no other
 * file maps severities.
 */
export const SEVERITY_TABLE: Record<
  Severity,
  { sarif: 'error' | 'warning' | 'note'; annotation: 'failure' | 'warning' | 'notice'; icon: string; securitySeverity: string }
> = {
  critical: { sarif: 'error', annotation: 'failure', icon: '🔴', securitySeverity: '9.5' },
  high: { sarif: 'error', annotation: 'failure', icon: '🟠', securitySeverity: '8.0' },
  medium: { sarif: 'warning', annotation: 'warning', icon: '🟡', securitySeverity: '5.5' },
  low: { sarif: 'note', annotation: 'notice', icon: '🔵', securitySeverity: '2.0' },
};
