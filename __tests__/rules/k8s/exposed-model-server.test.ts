import rule from '../../../src/rules/k8s/exposed-model-server.js';
import { deployment } from '../../helpers/k8s.js';
import { testRule } from '../../helpers/rule-tester.js';

const svc = (type: string, extra = '') => `---\napiVersion: v1\nkind: Service\nmetadata: { name: llm${extra} }\nspec:\n  type: ${type}\n  selector: { app: llm }\n  ports: [{ port: 80, targetPort: 8000 }]\n`;
const ingress = (annotations = '') => `---\napiVersion: networking.k8s.io/v1\nkind: Ingress\nmetadata:\n  name: api${annotations}\nspec:\n  rules:\n    - http:\n        paths:\n          - path: /\n            pathType: Prefix\n            backend:\n              service: { name: llm, port: { number: 80 } }\n`;
const base = deployment([{}]);
const isvc = (labels = '', annotations = '') => `apiVersion: serving.kserve.io/v1beta1\nkind: InferenceService\nmetadata:\n  name: llama${labels}${annotations}\nspec:\n  predictor:\n    model:\n      modelFormat: { name: huggingface }\n      storageUri: hf://meta-llama/Llama-3.1-8B-Instruct\n`;
const MESH_AUTH = '---\napiVersion: security.istio.io/v1\nkind: RequestAuthentication\nmetadata: { name: jwt }\nspec:\n  jwtRules: [{ issuer: "https://issuer.example" }]\n';
const SELDON = [
  'apiVersion: machinelearning.seldon.io/v1', //      1
  'kind: SeldonDeployment', //                        2
  'metadata: { name: fraud }', //                     3
  'spec:', //                                         4
  '  predictors:', //                                 5
  '    - name: default', //                           6
  '      graph: { name: classifier, type: MODEL }', // 7
  '      componentSpecs:', //                         8
  '        - spec:', //                               9
  '            containers:', //                       10
  '              - name: classifier', //              11
  '                image: registry.example/fraud-model:2.1', // 12
  '',
].join('\n');
const VIRTUAL_SERVICE = [
  'apiVersion: networking.istio.io/v1', //            1
  'kind: VirtualService', //                          2
  'metadata: { name: fraud }', //                     3
  'spec:', //                                         4
  '  hosts: ["fraud.example.com"]', //                5
  '  gateways: [istio-system/public-gateway]', //     6
  '  http:', //                                       7
  '    - route:', //                                  8
  '        - destination: { host: fraud-default.models.svc.cluster.local, port: { number: 8000 } }', // 9
  '',
].join('\n');
const lines = base.split('\n').length - 1; // the Service document starts after these lines

testRule(rule, {
  valid: [
    { name: 'a ClusterIP service', files: { 'd.yaml': base + svc('ClusterIP') } },
    { name: 'a LoadBalancer for a non-model app', files: { 'd.yaml': deployment([{ image: 'nginx:1.27' }]) + svc('LoadBalancer') } },
    { name: 'a LoadBalancer restricted by source ranges', files: { 'd.yaml': `${base}${svc('LoadBalancer')}  loadBalancerSourceRanges: [10.0.0.0/8]\n` } },
    { name: 'a KServe InferenceService labelled cluster-local', files: { 'isvc.yaml': isvc('\n  labels: { networking.kserve.io/visibility: cluster-local }') } },
    { name: 'a KServe InferenceService with auth enabled', files: { 'isvc.yaml': isvc('', '\n  annotations: { security.opendatahub.io/enable-auth: "true" }') } },
    { name: 'a KServe InferenceService and an Istio RequestAuthentication in another file', files: { 'serving/isvc.yaml': isvc(), 'mesh/auth.yaml': MESH_AUTH } },
    { name: 'a Seldon deployment only routed inside the mesh', files: { 'seldon.yaml': SELDON, 'vs.yaml': VIRTUAL_SERVICE.replace('[istio-system/public-gateway]', '[mesh]') } },
    { name: 'an Ingress with oauth2-proxy auth annotations', files: { 'd.yaml': base + svc('ClusterIP') + ingress('\n  annotations: { nginx.ingress.kubernetes.io/auth-url: "https://auth/oauth2/auth" }') } },
  ],
  invalid: [
    {
      name: 'a LoadBalancer in front of vLLM',
      files: { 'd.yaml': base + svc('LoadBalancer') },
      errors: [{ line: lines + 6, column: 9, severity: 'high', message: 'Service/llm (type LoadBalancer) publishes the model server Deployment/serve (vllm/vllm-openai:v0.6.3) outside the cluster with no authentication in front of it: keep it ClusterIP behind an authenticating ingress, or restrict loadBalancerSourceRanges.' }],
    },
    {
      name: 'an Ingress without auth to the model server',
      files: { 'd.yaml': base + svc('ClusterIP') + ingress() },
      errors: [{ line: lines + 21, column: 32, message: 'Ingress/api routes to Service/llm, the model server Deployment/serve (vllm/vllm-openai:v0.6.3), with no authentication annotation: put an authenticating proxy (oauth2-proxy, IAP, an API gateway) in front of it.' }],
    },
    {
      name: 'the Deployment, the Service and the Ingress in three different files',
      files: { 'k8s/deploy.yaml': base, 'k8s/service.yaml': svc('NodePort').slice(4), 'k8s/ingress.yaml': ingress().slice(4) },
      errors: [
        { path: 'k8s/ingress.yaml', line: 12, column: 32, message: 'Ingress/api routes to Service/llm, the model server Deployment/serve (vllm/vllm-openai:v0.6.3) in k8s/deploy.yaml, with no authentication annotation: put an authenticating proxy (oauth2-proxy, IAP, an API gateway) in front of it.' },
        { path: 'k8s/service.yaml', line: 5, column: 9, message: /^Service\/llm \(type NodePort\) publishes the model server Deployment\/serve \(vllm\/vllm-openai:v0\.6\.3\) in k8s\/deploy\.yaml outside the cluster/ },
      ],
    },
    {
      name: 'a KServe InferenceService on the public gateway (medium: it depends on the cluster gateway)',
      files: { 'serving/isvc.yaml': isvc() },
      errors: [{ line: 4, column: 9, severity: 'medium', message: "InferenceService/llama is published on the cluster's ingress gateway (KServe's default without the networking.kserve.io/visibility: cluster-local label) and the manifests show no authentication for it: label it cluster-local, or enable auth (security.opendatahub.io/enable-auth, an Istio RequestAuthentication and AuthorizationPolicy)." }],
    },
    {
      name: 'a Seldon deployment published through an Istio gateway, and through an Ingress to the Service Seldon creates',
      files: { 'models/seldon.yaml': SELDON, 'mesh/vs.yaml': VIRTUAL_SERVICE, 'edge/ingress.yaml': ingress().slice(4).replace('name: llm', 'name: fraud-default') },
      errors: [
        { path: 'edge/ingress.yaml', line: 12, column: 32, message: /^Ingress\/api routes to Service\/fraud-default, the model server SeldonDeployment\/fraud \(SeldonDeployment\) in models\/seldon\.yaml/ },
        { path: 'mesh/vs.yaml', line: 9, column: 32, message: 'VirtualService/fraud publishes the model server SeldonDeployment/fraud (SeldonDeployment) in models/seldon.yaml on gateway istio-system/public-gateway and no Istio RequestAuthentication or AuthorizationPolicy is in the manifests: require authentication at the gateway.' },
      ],
    },
  ],
});
