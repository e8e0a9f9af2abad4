/**
 * The part of SARIF 2.1.0 that this tool writes (names and shapes as in the OASIS schema). Not a complete
 * model of the format: only what src/report/sarif.ts emits, so the compiler checks every property it sets.
 */

export type SarifLevel = 'none' | 'note' | 'warning' | 'error';
export type PropertyBag = Record<string, unknown> & { tags?: string[] };

export interface MultiformatMessageString {
  text: string;
  markdown?: string;
}

export interface SarifMessage {
  text: string;
}

export interface ReportingDescriptor {
  id: string;
  name?: string;
  shortDescription?: MultiformatMessageString;
  fullDescription?: MultiformatMessageString;
  help?: MultiformatMessageString;
  helpUri?: string;
  defaultConfiguration?: { enabled?: boolean; level?: SarifLevel };
  properties?: PropertyBag;
}

export interface ArtifactLocation {
  uri?: string;
  uriBaseId?: string;
  description?: SarifMessage;
}

export interface Region {
  startLine?: number;
  startColumn?: number;
  endLine?: number;
  endColumn?: number;
  byteOffset?: number;
  byteLength?: number;
}

export interface PhysicalLocation {
  artifactLocation: ArtifactLocation;
  region?: Region;
}

export interface LogicalLocation {
  name?: string;
  fullyQualifiedName?: string;
  kind?: string;
}

export interface SarifLocation {
  physicalLocation: PhysicalLocation;
  logicalLocations?: LogicalLocation[];
  message?: SarifMessage;
}

export interface SarifSuppression {
  kind: 'inSource' | 'external';
  status?: 'accepted' | 'underReview' | 'rejected';
  justification?: string;
  properties?: PropertyBag;
}

export interface SarifResult {
  ruleId: string;
  ruleIndex: number;
  level: SarifLevel;
  message: SarifMessage;
  locations: SarifLocation[];
  partialFingerprints: Record<string, string>;
  suppressions?: SarifSuppression[];
  properties?: PropertyBag;
}

export interface SarifNotification {
  level: SarifLevel;
  message: SarifMessage;
  descriptor?: { id: string };
}

export interface SarifInvocation {
  executionSuccessful: boolean;
  toolExecutionNotifications?: SarifNotification[];
}

export interface SarifRun {
  tool: {
    driver: {
      name: string;
      version: string;
      semanticVersion: string;
      informationUri: string;
      rules: ReportingDescriptor[];
    };
  };
  automationDetails?: { id: string };
  invocations: SarifInvocation[];
  originalUriBaseIds: Record<string, ArtifactLocation>;
  columnKind: 'utf16CodeUnits' | 'unicodeCodePoints';
  results: SarifResult[];
  properties?: PropertyBag;
}

export interface SarifLog {
  $schema: string;
  version: '2.1.0';
  runs: [SarifRun];
}
