import { defineRule } from '../../engine/rule.js';
import { FormatError } from '../../formats/errors.js';
import { isObj, manifestsOf, type Manifests, type PodSpec, type Resource } from '../../formats/k8s.js';

/** Images of common model servers and notebook/demo UIs that have no authentication of their own by default. */
const MODEL_SERVER = /vllm|text-generation-inference|tgi|tritonserver|triton|torchserve|tensorflow\/serving|tfserving|ollama|llama[.-]?cpp|localai|mlflow|bentoml|seldon|kserve|ray-ml|rayproject|gradio|streamlit|jupyter|lmdeploy|sglang|xinference|infinity-emb|text-embeddings-inference/i;
const AUTH_SIDECAR = /oauth2-proxy|pomerium|authelia|keycloak-gatekeeper|istio\/proxyv2|envoyproxy|kube-rbac-proxy/i;
/** Ingress annotations that put authentication in front (ingress-nginx, Traefik, AWS ALB, GCE IAP, Contour). */
const AUTH_ANNOTATION = /auth-url|auth-type|auth-signin|auth-secret|auth-tls-verify-client|oauth|forward-?auth|router\.middlewares|alb\.ingress\.kubernetes\.io\/auth|beta\.cloud\.google\.com\/backend-config|iap/i;

export default defineRule({
  meta: {
    id: 'k8s/exposed-model-server',
    description: 'A model server is exposed outside the cluster (LoadBalancer, NodePort or Ingress) with no authentication in front of it.',
    help: [
      'Inference servers such as vLLM, TGI, Triton, TorchServe, Ollama and MLflow serve their API without',
      'authentication by default, and several can load models or run code through that API (model management',
      'endpoints, MLflow artifact paths, Ollama pulls). Published on a LoadBalancer, NodePort or an Ingress without',
      'an auth layer, they hand out free GPU time, the model itself, and sometimes remote code execution. The rule',
      'looks at the manifests in one file: a Service whose selector matches a model-server pod, and Ingresses that',
      'route to such a Service, with no source-range restriction, auth annotation or auth sidecar.',
      '',
      '**Remediation**: keep the Service `ClusterIP` and publish through an Ingress or gateway that authenticates',
      '(oauth2-proxy, IAP, an API gateway with keys); at least restrict `loadBalancerSourceRanges`, and enable the',
      'server\'s own API key where it has one (e.g. vLLM `--api-key`).',
    ].join('\n'),
    defaultSeverity: 'high',
    kinds: ['k8s'],
    options: { type: 'object', properties: {}, additionalProperties: false },
    defaultOptions: {},
  },
  async checkFile(ctx) {
    const m = await manifestsOf(ctx);
    if (m instanceof FormatError) return;
    const services = m.resources.filter((r) => r.kind === 'Service' && !r.apiVersion.includes('knative'));
    const servedBy = new Map<string, PodSpec>();
    for (const svc of services) {
      const pod = modelServerBehind(m, svc);
      if (pod) servedBy.set(svc.name, pod);
    }
    for (const svc of services) {
      const pod = servedBy.get(svc.name);
      const spec = isObj(svc.value.spec) ? svc.value.spec : {};
      if (!pod || !['LoadBalancer', 'NodePort'].includes(String(spec.type))) continue;
      if (Array.isArray(spec.loadBalancerSourceRanges) && spec.loadBalancerSourceRanges.length > 0) continue;
      if (hasAuthAnnotation(svc)) continue;
      ctx.report({
        message: `Service/${svc.name} (type ${String(spec.type)}) publishes the model server ${pod.resource} (${imageOf(pod)}) outside the cluster with no authentication in front of it: keep it ClusterIP behind an authenticating ingress, or restrict loadBalancerSourceRanges.`,
        ...m.at(svc.doc, `${svc.pointer}/spec/type`), fingerprintKey: `Service/${svc.name}`,
      });
    }
    for (const ing of m.resources.filter((r) => r.kind === 'Ingress')) {
      if (hasAuthAnnotation(ing)) continue;
      for (const [name, pointer] of backends(ing)) {
        const pod = servedBy.get(name);
        if (!pod) continue;
        ctx.report({
          message: `Ingress/${ing.name} routes to Service/${name}, the model server ${pod.resource} (${imageOf(pod)}), with no authentication annotation: put an authenticating proxy (oauth2-proxy, IAP, an API gateway) in front of it.`,
          ...m.at(ing.doc, pointer), fingerprintKey: `Ingress/${ing.name}\0${name}`,
        });
      }
    }
  },
});

function images(pod: PodSpec): string[] {
  return pod.containers.map((c) => String(c.value.image ?? ''));
}

function imageOf(pod: PodSpec): string {
  return images(pod).find((i) => MODEL_SERVER.test(i)) ?? pod.kind;
}

function modelServerBehind(m: Manifests, svc: Resource): PodSpec | undefined {
  const spec = isObj(svc.value.spec) ? svc.value.spec : {};
  const selector = isObj(spec.selector) ? Object.entries(spec.selector).map(([k, v]) => [k, String(v)]) : [];
  if (selector.length === 0) return undefined;
  return m.pods.find((pod) => selector.every(([k, v]) => pod.labels[k] === v)
    && images(pod).some((i) => MODEL_SERVER.test(i)) && !images(pod).some((i) => AUTH_SIDECAR.test(i)));
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
