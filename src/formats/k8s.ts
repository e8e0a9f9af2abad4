/**
 * Kubernetes manifests (multi-document YAML) as workloads: every pod spec (Pods, Deployments, StatefulSets,
 * DaemonSets, ReplicaSets, Jobs, CronJobs, Knative Services, KServe InferenceService components, Seldon
 * predictors, Argo Workflow/WorkflowTemplate/ClusterWorkflowTemplate/CronWorkflow templates, compiled Kubeflow
 * Pipelines v2 executors) with its containers, each addressed by JSON pointer so findings point at the exact key.
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

/** Argo kinds whose templates run pods (CronWorkflow nests the workflow spec under spec.workflowSpec). */
const ARGO_SPEC: Record<string, string> = { Workflow: '/spec', WorkflowTemplate: '/spec', ClusterWorkflowTemplate: '/spec', CronWorkflow: '/spec/workflowSpec' };
/** Pod-level fields an Argo template inherits from its workflow spec when it does not set them itself. */
const ARGO_INHERITED = ['securityContext', 'hostNetwork', 'automountServiceAccountToken', 'serviceAccountName'];
/** The synthetic kind given to a compiled Kubeflow Pipelines v2 spec (it has no apiVersion/kind of its own). */
export const KFP_KIND = 'PipelineSpec';

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
  // Pointers under a pod that really live elsewhere (fields an Argo template inherits from its workflow spec).
  const aliases = new Map<YamlDocument, Array<[string, string]>>();
  for (const doc of docs) {
    const v = doc.value;
    const items = isObj(v) && v.kind === 'List' && Array.isArray(v.items) ? v.items.map((item, i) => [item, `/items/${i}`] as const) : [[v, ''] as const];
    for (const [value, base] of items) {
      if (!isObj(value)) continue;
      const kfp = typeof value.kind === 'string' ? undefined : kfpSpecPointer(value);
      if (typeof value.kind !== 'string' && kfp === undefined) continue;
      const meta = isObj(value.metadata) ? value.metadata : {};
      const info = isObj(get(value, `${kfp ?? ''}/pipelineInfo`)) ? get(value, `${kfp ?? ''}/pipelineInfo`) as Obj : {};
      const name = str(meta.name) || str(meta.generateName) || str(info.name) || '(unnamed)';
      const r: Resource = { doc, pointer: base, kind: kfp === undefined ? str(value.kind) : KFP_KIND, apiVersion: str(value.apiVersion), name, value, labels: strMap(meta.labels) };
      resources.push(r);
      if (kfp !== undefined) pods.push(...kfpPods(r, base + kfp));
      else if (ARGO_SPEC[r.kind] && r.apiVersion.startsWith('argoproj.io')) {
        for (const { pod, alias } of argoPods(r, base)) {
          pods.push(pod);
          aliases.set(doc, [...(aliases.get(doc) ?? []), ...alias]);
        }
      } else {
        for (const [pointer, spec, labels] of podSpecsOf(r, base)) {
          pods.push({ doc, resource: `${r.kind}/${r.name}`, kind: r.kind, pointer, spec, containers: containersOf(pointer, spec, r.kind), labels });
        }
      }
    }
  }
  const resolve = (doc: YamlDocument, pointer: string) => {
    for (const [from, to] of aliases.get(doc) ?? []) if (pointer === from || pointer.startsWith(`${from}/`)) return to + pointer.slice(from.length);
    return pointer;
  };
  return {
    resources, pods,
    at(doc, pointer, key = false) {
      const real = resolve(doc, pointer);
      const p: YamlPosition | undefined = doc.positionOf(real, key ? 'key' : 'value');
      return { line: p?.line ?? 1, column: p?.column ?? 1, keyPath: real };
    },
  };
}

/** Where a compiled Kubeflow Pipelines v2 spec sits in a document ('' or /pipelineSpec), if it is one. */
function kfpSpecPointer(value: Obj): string | undefined {
  if (isObj(value.deploymentSpec) && isObj(value.deploymentSpec.executors)) return '';
  if (isObj(value.pipelineSpec) && isObj(value.pipelineSpec.deploymentSpec) && isObj(value.pipelineSpec.deploymentSpec.executors)) return '/pipelineSpec';
  return undefined;
}

/**
 * One pod per KFP executor (`deploymentSpec.executors.<name>.container`). KFP states limits as `cpuLimit`/`memoryLimit`
 * (or `resourceCpuLimit`/`resourceMemoryLimit`); they are mapped to `resources.limits` so the rules read them as usual.
 */
function kfpPods(r: Resource, specPointer: string): PodSpec[] {
  const executors = get(r.value, `${specPointer}/deploymentSpec/executors`);
  if (!isObj(executors)) return [];
  const out: PodSpec[] = [];
  for (const [name, exec] of Object.entries(executors)) {
    if (!isObj(exec) || !isObj(exec.container)) continue;
    const pointer = joinPointer(`${specPointer}/deploymentSpec/executors`, name);
    const c = exec.container;
    const res = isObj(c.resources) ? c.resources : undefined;
    const limits: Obj = {};
    const cpu = res?.cpuLimit ?? res?.resourceCpuLimit;
    const memory = res?.memoryLimit ?? res?.resourceMemoryLimit;
    if (cpu !== undefined) limits.cpu = cpu;
    if (memory !== undefined) limits.memory = memory;
    const value = res ? { ...c, resources: { limits } } : c;
    out.push({ doc: r.doc, resource: `${KFP_KIND}/${r.name} (executor ${name})`, kind: KFP_KIND, pointer, spec: exec, labels: {},
      containers: [{ pointer: `${pointer}/container`, value, name, kind: 'container' }] });
  }
  return out;
}

/**
 * One pod per Argo template that runs containers (`container`, `script`, `containerSet.containers[]`, plus its
 * `initContainers` and `sidecars`). A template inherits pod-level fields and volumes from the workflow spec; those are
 * merged into its spec, and their pointers are aliased back to where the workflow spec states them.
 */
function argoPods(r: Resource, base: string): Array<{ pod: PodSpec; alias: Array<[string, string]> }> {
  const wfPointer = base + ARGO_SPEC[r.kind];
  const wf = get(r.value, ARGO_SPEC[r.kind]);
  if (!isObj(wf) || !Array.isArray(wf.templates)) return [];
  const out: Array<{ pod: PodSpec; alias: Array<[string, string]> }> = [];
  wf.templates.forEach((t, i) => {
    if (!isObj(t)) return;
    const pointer = `${wfPointer}/templates/${i}`;
    const containers: Container[] = [];
    const one = (key: 'container' | 'script') => { if (isObj(t[key])) containers.push({ pointer: `${pointer}/${key}`, value: t[key] as Obj, name: str((t[key] as Obj).name) || 'main', kind: 'container' }); };
    one('container');
    one('script');
    const list = (items: unknown, at: string, kind: Container['kind']) => {
      if (Array.isArray(items)) items.forEach((c, j) => { if (isObj(c)) containers.push({ pointer: `${at}/${j}`, value: c, name: str(c.name) || `#${j}`, kind }); });
    };
    if (isObj(t.containerSet)) list(t.containerSet.containers, `${pointer}/containerSet/containers`, 'container');
    list(t.initContainers, `${pointer}/initContainers`, 'initContainer');
    list(t.sidecars, `${pointer}/sidecars`, 'container');
    if (containers.length === 0) return; // steps, dag, resource and suspend templates run no container of their own
    const spec: Obj = { ...t };
    const alias: Array<[string, string]> = [];
    for (const key of ARGO_INHERITED) {
      if (key in t || !(key in wf)) continue;
      spec[key] = wf[key];
      alias.push([`${pointer}/${key}`, `${wfPointer}/${key}`]);
    }
    const own = Array.isArray(t.volumes) ? t.volumes : [];
    if (Array.isArray(wf.volumes) && wf.volumes.length > 0) {
      spec.volumes = [...own, ...wf.volumes];
      wf.volumes.forEach((_, j) => alias.push([`${pointer}/volumes/${own.length + j}`, `${wfPointer}/volumes/${j}`]));
    }
    const meta = isObj(t.metadata) ? t.metadata : {};
    out.push({ pod: { doc: r.doc, resource: `${r.kind}/${r.name} (template ${str(t.name) || `#${i}`})`, kind: r.kind, pointer, spec, containers, labels: strMap(meta.labels) }, alias });
  });
  return out;
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
