import { readBounded } from '../../detect/cards.js';
import { defineRule } from '../../engine/rule.js';
import type { Severity } from '../../engine/severity.js';
import { FormatError } from '../../formats/errors.js';
import { isObj, parseManifests, type Manifests, type PodSpec, type Resource } from '../../formats/k8s.js';

/** Images of common model servers and notebook/demo UIs that have no authentication of their own by default. */
const MODEL_SERVER = /vllm|text-generation-inference|tgi|tritonserver|triton|torchserve|tensorflow\/serving|tfserving|ollama|llama[.-]?cpp|localai|mlflow|bentoml|seldon|kserve|ray-ml|rayproject|gradio|streamlit|jupyter|lmdeploy|sglang|xinference|infinity-emb|text-embeddings-inference/i;
const AUTH_SIDECAR = /oauth2-proxy|pomerium|authelia|keycloak-gatekeeper|istio\/proxyv2|envoyproxy|kube-rbac-proxy/i;
/** Ingress annotations that put authentication in front (ingress-nginx, Traefik, AWS ALB, GCE IAP, Contour). */
const AUTH_ANNOTATION = /auth-url|auth-type|auth-signin|auth-secret|auth-tls-verify-client|oauth|forward-?auth|router\.middlewares|alb\.ingress\.kubernetes\.io\/auth|beta\.cloud\.google\.com\/backend-config|iap/i;
/** KServe: the label that keeps an InferenceService off the ingress gateway, and annotations that turn auth on. */
const CLUSTER_LOCAL = ['networking.kserve.io/visibility', 'serving.knative.dev/visibility'];
const KSERVE_AUTH = /^(security\.opendatahub\.io|serving\.kserve\.io)\/enable-auth$/;
const LOWER: Record<Severity, Severity> = { critical: 'high', high: 'medium', medium: 'low', low: 'low' };

interface File { path: string; m: Manifests }
/** A model server pod, the labels its pods carry and the Service names its operator creates for it. */
interface Target { pod: PodSpec; path: string; labels: Record<string, string>; services: string[] }

export default defineRule({
  meta: {
    id: 'k8s/exposed-model-server',
    description: 'A model server is exposed outside the cluster (LoadBalancer, NodePort, Ingress, Istio gateway, KServe) with no authentication in front of it.',
    help: [
      'Inference servers such as vLLM, TGI, Triton, TorchServe, Ollama and MLflow serve their API without',
      'authentication by default, and several can load models or run code through that API (model management',
      'endpoints, MLflow artifact paths, Ollama pulls). Published on a LoadBalancer, NodePort, an Ingress or an Istio',
      'gateway without an auth layer, they hand out free GPU time, the model itself, and sometimes remote code',
      'execution. The rule reads every manifest of the scan together: Services whose selector matches a model-server',
      'pod (Seldon deployments included), Ingresses and Istio VirtualServices that route to them, and KServe',
      'InferenceServices, which KServe publishes on the cluster gateway unless they are labelled cluster-local. Source',
      'ranges, auth annotations, auth sidecars and Istio RequestAuthentication/AuthorizationPolicy count as',
      'authentication. With `scope: changed` it sees only the manifests the change touches.',
      '',
      '**Remediation**: keep the Service `ClusterIP` and publish through an Ingress or gateway that authenticates',
      '(oauth2-proxy, IAP, an API gateway with keys); at least restrict `loadBalancerSourceRanges`, and enable the',
      'server\'s own API key where it has one (e.g. vLLM `--api-key`). Label an InferenceService',
      '`networking.kserve.io/visibility: cluster-local` unless it must be public, and then enable auth for it.',
    ].join('\n'),
    defaultSeverity: 'high',
    docs: {
      examples: {
        bad: [
          {
            title: 'A LoadBalancer Service publishes vLLM with nothing in front of it',
            lang: 'yaml',
            file: 'k8s/llm.yaml',
            code: [
              'apiVersion: apps/v1',
              'kind: Deployment',
              'metadata:',
              '  name: llm-server',
              'spec:',
              '  template:',
              '    metadata:',
              '      labels: { app: llm }',
              '    spec:',
              '      containers:',
              '        - name: server',
              '          image: vllm/vllm-openai:v0.6.3',
              '---',
              'apiVersion: v1',
              'kind: Service',
              'metadata:',
              '  name: llm',
              'spec:',
              '  type: LoadBalancer',
              '  selector: { app: llm }',
              '  ports: [{ port: 80, targetPort: 8000 }]',
            ].join('\n'),
          },
        ],
        good: [
          {
            title: 'The model server stays ClusterIP, reachable inside the cluster only',
            lang: 'yaml',
            file: 'k8s/llm.yaml',
            code: [
              'apiVersion: apps/v1',
              'kind: Deployment',
              'metadata:',
              '  name: llm-server',
              'spec:',
              '  template:',
              '    metadata:',
              '      labels: { app: llm }',
              '    spec:',
              '      containers:',
              '        - name: server',
              '          image: vllm/vllm-openai:v0.6.3',
              '---',
              'apiVersion: v1',
              'kind: Service',
              'metadata:',
              '  name: llm',
              'spec:',
              '  type: ClusterIP',
              '  selector: { app: llm }',
              '  ports: [{ port: 80, targetPort: 8000 }]',
            ].join('\n'),
          },
        ],
      },
      references: [
        { title: 'Kubernetes: Service types', url: 'https://kubernetes.io/docs/concepts/services-networking/service/' },
      ],
    },
    kinds: [],
    options: { type: 'object', properties: {}, additionalProperties: false },
    defaultOptions: {},
  },
  async checkRun(ctx) {
    const files: File[] = [];
    for (const f of ctx.files.filter((x) => x.kind === 'k8s')) {
      const bytes = await readBounded(f.absPath, ctx.policy.limits.maxTextBytes);
      if (!bytes) continue;
      try {
        files.push({ path: f.path, m: parseManifests(bytes.toString('utf8'), f.path) });
      } catch (e) {
        if (!(e instanceof FormatError)) throw e; // an unparseable manifest is reported by the rules that read it per file
      }
    }
    const all = files.flatMap((f) => f.m.resources.map((r) => ({ r, f })));
    const meshAuth = all.some(({ r }) => r.apiVersion.startsWith('security.istio.io') && ['RequestAuthentication', 'AuthorizationPolicy'].includes(r.kind));
    const targets = files.flatMap((f) => f.m.pods.flatMap((pod) => targetOf(pod, f.path)));
    const servedBy = new Map<string, Target>();
    for (const { r } of all.filter(({ r }) => r.kind === 'Service' && !r.apiVersion.includes('knative'))) {
      const t = behind(targets, r);
      if (t) servedBy.set(r.name, t);
    }
    for (const t of targets) for (const s of t.services) if (!servedBy.has(s)) servedBy.set(s, t);
    const what = (t: Target, from: string) => `the model server ${t.pod.resource} (${imageOf(t.pod)})${t.path === from ? '' : ` in ${t.path}`}`;

    for (const { r: svc, f } of all.filter(({ r }) => r.kind === 'Service' && servedBy.has(r.name))) {
      const spec = isObj(svc.value.spec) ? svc.value.spec : {};
      if (!['LoadBalancer', 'NodePort'].includes(String(spec.type)) || hasAuthAnnotation(svc)) continue;
      if (Array.isArray(spec.loadBalancerSourceRanges) && spec.loadBalancerSourceRanges.length > 0) continue;
      ctx.report({
        path: f.path, ...f.m.at(svc.doc, `${svc.pointer}/spec/type`), fingerprintKey: `Service/${svc.name}`,
        message: `Service/${svc.name} (type ${String(spec.type)}) publishes ${what(servedBy.get(svc.name)!, f.path)} outside the cluster with no authentication in front of it: keep it ClusterIP behind an authenticating ingress, or restrict loadBalancerSourceRanges.`,
      });
    }
    for (const { r: ing, f } of all.filter(({ r }) => r.kind === 'Ingress' && !hasAuthAnnotation(r))) {
      for (const [name, pointer] of backends(ing)) {
        const t = servedBy.get(name);
        if (t) ctx.report({ path: f.path, ...f.m.at(ing.doc, pointer), fingerprintKey: `Ingress/${ing.name}\0${name}`, message: `Ingress/${ing.name} routes to Service/${name}, ${what(t, f.path)}, with no authentication annotation: put an authenticating proxy (oauth2-proxy, IAP, an API gateway) in front of it.` });
      }
    }
    if (meshAuth) return;
    for (const { r: vs, f } of all.filter(({ r }) => r.kind === 'VirtualService' && r.apiVersion.startsWith('networking.istio.io'))) {
      const spec = isObj(vs.value.spec) ? vs.value.spec : {};
      const gateways = Array.isArray(spec.gateways) ? spec.gateways.map(String) : [];
      if (!gateways.some((g) => g !== 'mesh')) continue; // only routes inside the mesh
      for (const [host, pointer] of destinations(vs)) {
        const t = servedBy.get(host.split('.')[0]);
        if (t) ctx.report({ path: f.path, ...f.m.at(vs.doc, pointer), fingerprintKey: `VirtualService/${vs.name}\0${host}`, message: `VirtualService/${vs.name} publishes ${what(t, f.path)} on gateway ${gateways.filter((g) => g !== 'mesh').join(', ')} and no Istio RequestAuthentication or AuthorizationPolicy is in the manifests: require authentication at the gateway.` });
      }
    }
    for (const { r: isvc, f } of all.filter(({ r }) => r.kind === 'InferenceService' && r.apiVersion.startsWith('serving.kserve.io'))) {
      const meta = isObj(isvc.value.metadata) ? isvc.value.metadata : {};
      const annotations = isObj(meta.annotations) ? meta.annotations : {};
      if (CLUSTER_LOCAL.some((l) => isvc.labels[l] === 'cluster-local') || String(annotations['serving.kserve.io/deploymentMode']) === 'RawDeployment') continue;
      if (Object.entries(annotations).some(([k, v]) => KSERVE_AUTH.test(k) && String(v) === 'true')) continue;
      ctx.report({
        path: f.path, ...f.m.at(isvc.doc, `${isvc.pointer}/metadata/name`), fingerprintKey: `InferenceService/${isvc.name}`, severity: LOWER[ctx.severity],
        message: `InferenceService/${isvc.name} is published on the cluster's ingress gateway (KServe's default without the networking.kserve.io/visibility: cluster-local label) and the manifests show no authentication for it: label it cluster-local, or enable auth (security.opendatahub.io/enable-auth, an Istio RequestAuthentication and AuthorizationPolicy).`,
      });
    }
  },
});

/** A pod is a model server target when an inference operator runs it, or its image is a known server without an auth sidecar. */
function targetOf(pod: PodSpec, path: string): Target[] {
  if (pod.kind === 'SeldonDeployment') {
    // Seldon Core labels the pods seldon-deployment-id / seldon-app and creates a Service <deployment>-<predictor>.
    const name = pod.resource.slice(pod.resource.indexOf('/') + 1);
    const predictorPointer = /^(.*\/spec\/predictors\/\d+)\//.exec(pod.pointer)?.[1];
    const predictor = predictorPointer ? at(pod.doc.value, predictorPointer) : undefined;
    const app = isObj(predictor) && typeof predictor.name === 'string' ? `${name}-${predictor.name}` : name;
    return [{ pod, path, labels: { ...pod.labels, 'seldon-deployment-id': name, 'seldon-app': app }, services: [app] }];
  }
  const images = pod.containers.map((c) => String(c.value.image ?? ''));
  if (pod.kind === 'InferenceService' || (images.some((i) => MODEL_SERVER.test(i)) && !images.some((i) => AUTH_SIDECAR.test(i)))) return [{ pod, path, labels: pod.labels, services: [] }];
  return [];
}

function at(value: unknown, pointer: string): unknown {
  let cur = value;
  for (const seg of pointer.split('/').slice(1)) cur = isObj(cur) ? cur[seg] : Array.isArray(cur) ? cur[Number(seg)] : undefined;
  return cur;
}

function imageOf(pod: PodSpec): string {
  return pod.containers.map((c) => String(c.value.image ?? '')).find((i) => MODEL_SERVER.test(i)) ?? pod.kind;
}

function behind(targets: Target[], svc: Resource): Target | undefined {
  const spec = isObj(svc.value.spec) ? svc.value.spec : {};
  const selector = isObj(spec.selector) ? Object.entries(spec.selector).map(([k, v]) => [k, String(v)]) : [];
  if (selector.length === 0) return undefined;
  return targets.find((t) => selector.every(([k, v]) => t.labels[k] === v));
}

function hasAuthAnnotation(r: Resource): boolean {
  const meta = isObj(r.value.metadata) ? r.value.metadata : {};
  return isObj(meta.annotations) && Object.keys(meta.annotations).some((k) => AUTH_ANNOTATION.test(k));
}

/** Backend service names of an Ingress (networking.k8s.io/v1 and the older serviceName form), with pointers. */
function backends(ing: Resource): Array<[string, string]> {
  const out: Array<[string, string]> = [];
  const spec = isObj(ing.value.spec) ? ing.value.spec : {};
  const visit = (b: unknown, pointer: string) => {
    if (!isObj(b)) return;
    if (isObj(b.service) && typeof b.service.name === 'string') out.push([b.service.name, `${pointer}/service/name`]);
    else if (typeof b.serviceName === 'string') out.push([b.serviceName, `${pointer}/serviceName`]);
  };
  visit(spec.defaultBackend ?? spec.backend, `${ing.pointer}/spec/${spec.defaultBackend ? 'defaultBackend' : 'backend'}`);
  (Array.isArray(spec.rules) ? spec.rules : []).forEach((rule, i) => {
    const paths = isObj(rule) && isObj(rule.http) && Array.isArray(rule.http.paths) ? rule.http.paths : [];
    paths.forEach((p, j) => visit(isObj(p) ? p.backend : undefined, `${ing.pointer}/spec/rules/${i}/http/paths/${j}/backend`));
  });
  return out;
}

/** Destination hosts of an Istio VirtualService's HTTP routes, with pointers. */
function destinations(vs: Resource): Array<[string, string]> {
  const spec = isObj(vs.value.spec) ? vs.value.spec : {};
  return (Array.isArray(spec.http) ? spec.http : []).flatMap((h, i) => (isObj(h) && Array.isArray(h.route) ? h.route : []).flatMap((r, j) =>
    isObj(r) && isObj(r.destination) && typeof r.destination.host === 'string' ? [[r.destination.host, `${vs.pointer}/spec/http/${i}/route/${j}/destination/host`] as [string, string]] : []));
}
