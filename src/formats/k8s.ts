/**
 * Kubernetes manifests (multi-document YAML) as workloads: every pod spec (Pods, Deployments, StatefulSets,
 * DaemonSets, ReplicaSets, Jobs, CronJobs, Knative Services, KServe InferenceService components, Seldon
 * predictors) with its containers, each addressed by JSON pointer so findings point at the exact key.
 */
import { FormatError } from './errors.js';
import { parsedOnce } from './parse-cache.js';
import { joinPointer, parseYamlDocumentsWithPositions, type YamlDocument, type YamlPosition } from './yaml-positions.js';

export type Obj = Record<string, unknown>;

export interface Container { pointer: string; value: Obj; name: string; kind: 'container' | 'initContainer' | 'ephemeralContainer' }

export interface PodSpec {
  doc: YamlDocument;
  /** `Deployment/serve` */
  resource: string;
  kind: string;
  pointer: string;
  spec: Obj;
  containers: Container[];
  /** The labels its pods carry (for Service selectors). */
  labels: Record<string, string>;
}

export interface Resource { doc: YamlDocument; /** JSON pointer of the resource in its document ('' or /items/N). */ pointer: string; kind: string; apiVersion: string; name: string; value: Obj; labels: Record<string, string> }

export interface Manifests {
  resources: Resource[];
  pods: PodSpec[];
  /** Position of the node at `pointer` in `doc` (its key when `key`), for findings. */
  at(doc: YamlDocument, pointer: string, key?: boolean): { line: number; column: number; keyPath: string };
}

const TEMPLATE: Record<string, string> = {
  Deployment: '/spec/template', StatefulSet: '/spec/template', DaemonSet: '/spec/template', ReplicaSet: '/spec/template',
  ReplicationController: '/spec/template', Job: '/spec/template', CronJob: '/spec/jobTemplate/spec/template',
};
/** KServe model-format shorthands: container-like objects under a predictor. */
const KSERVE_FORMATS = ['model', 'sklearn', 'xgboost', 'tensorflow', 'pytorch', 'triton', 'onnx', 'huggingface', 'lightgbm', 'paddle', 'pmml', 'mlflow'];

export function isObj(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

const str = (v: unknown) => (typeof v === 'string' ? v : v === undefined || v === null ? '' : String(v));
const strMap = (v: unknown): Record<string, string> => (isObj(v) ? Object.fromEntries(Object.entries(v).map(([k, x]) => [k, str(x)])) : {});

export function parseManifests(text: string, filename: string): Manifests {
  const docs = parseYamlDocumentsWithPositions(text, filename);
  const resources: Resource[] = [];
  const pods: PodSpec[] = [];
  for (const doc of docs) {
    const v = doc.value;
    const items = isObj(v) && v.kind === 'List' && Array.isArray(v.items) ? v.items.map((item, i) => [item, `/items/${i}`] as const) : [[v, ''] as const];
    for (const [value, base] of items) {
      if (!isObj(value) || typeof value.kind !== 'string') continue;
      const meta = isObj(value.metadata) ? value.metadata : {};
      const r: Resource = { doc, pointer: base, kind: value.kind, apiVersion: str(value.apiVersion), name: str(meta.name) || '(unnamed)', value, labels: strMap(meta.labels) };
      resources.push(r);
      for (const [pointer, spec, labels] of podSpecsOf(r, base)) {
        pods.push({ doc, resource: `${r.kind}/${r.name}`, kind: r.kind, pointer, spec, containers: containersOf(pointer, spec, r.kind), labels });
      }
    }
  }
  return {
    resources, pods,
    at(doc, pointer, key = false) {
      const p: YamlPosition | undefined = doc.positionOf(pointer, key ? 'key' : 'value');
      return { line: p?.line ?? 1, column: p?.column ?? 1, keyPath: pointer };
    },
  };
}

function get(value: unknown, pointer: string): unknown {
  let cur = value;
  for (const seg of pointer.split('/').slice(1)) cur = isObj(cur) ? cur[seg] : Array.isArray(cur) ? cur[Number(seg)] : undefined;
  return cur;
}

function podSpecsOf(r: Resource, base: string): Array<[string, Obj, Record<string, string>]> {
  const out: Array<[string, Obj, Record<string, string>]> = [];
  const add = (templatePointer: string | undefined, specPointer: string) => {
    const spec = get(r.value, specPointer);
    if (!isObj(spec)) return;
    const template = templatePointer ? get(r.value, templatePointer) : r.value;
    const labels = isObj(template) && isObj(template.metadata) ? strMap(template.metadata.labels) : {};
    out.push([base + specPointer, spec, labels]);
  };
  if (r.kind === 'Pod') add(undefined, '/spec');
  else if (TEMPLATE[r.kind]) add(TEMPLATE[r.kind], `${TEMPLATE[r.kind]}/spec`);
  else if (r.kind === 'Service' && r.apiVersion.startsWith('serving.knative.dev')) add('/spec/template', '/spec/template/spec');
  else if (r.kind === 'InferenceService') for (const c of ['predictor', 'transformer', 'explainer']) add(undefined, `/spec/${c}`);
  else if (r.kind === 'SeldonDeployment') {
    const predictors = get(r.value, '/spec/predictors');
    if (Array.isArray(predictors)) predictors.forEach((p, i) => {
      if (isObj(p) && Array.isArray(p.componentSpecs)) p.componentSpecs.forEach((_, j) => add(`/spec/predictors/${i}/componentSpecs/${j}`, `/spec/predictors/${i}/componentSpecs/${j}/spec`));
    });
  }
  return out;
}

function containersOf(pointer: string, spec: Obj, kind: string): Container[] {
  const out: Container[] = [];
  for (const [key, ck] of [['containers', 'container'], ['initContainers', 'initContainer'], ['ephemeralContainers', 'ephemeralContainer']] as const) {
    const list = spec[key];
    if (!Array.isArray(list)) continue;
    list.forEach((c, i) => { if (isObj(c)) out.push({ pointer: joinPointer(joinPointer(pointer, key), i), value: c, name: str(c.name) || `#${i}`, kind: ck }); });
  }
  if (kind === 'InferenceService') {
    for (const f of KSERVE_FORMATS) if (isObj(spec[f])) out.push({ pointer: joinPointer(pointer, f), value: spec[f] as Obj, name: f, kind: 'container' });
  }
  return out;
}

export function manifestsOf(ctx: { reader: { text(): Promise<{ text: string; truncated: boolean }> }; file: { path: string } }): Promise<Manifests | FormatError> {
  return parsedOnce(ctx.reader, 'k8s', (text) => parseManifests(text, ctx.file.path));
}

/** A container's effective security setting: its own securityContext, else the pod's. */
export function securitySetting(pod: PodSpec, c: Container, key: string): { value: unknown; pointer?: string } {
  const own = isObj(c.value.securityContext) ? c.value.securityContext : {};
  if (key in own) return { value: own[key], pointer: `${c.pointer}/securityContext/${key}` };
  const podCtx = isObj(pod.spec.securityContext) ? pod.spec.securityContext : {};
  if (key in podCtx) return { value: podCtx[key], pointer: `${pod.pointer}/securityContext/${key}` };
  return { value: undefined };
}
