import rule from '../../../src/rules/k8s/exposed-model-server.js';
import { deployment } from '../../helpers/k8s.js';
import { testRule } from '../../helpers/rule-tester.js';

const svc = (type: string, extra = '') => `---\napiVersion: v1\nkind: Service\nmetadata: { name: llm${extra} }\nspec:\n  type: ${type}\n  selector: { app: llm }\n  ports: [{ port: 80, targetPort: 8000 }]\n`;
const ingress = (annotations = '') => `---\napiVersion: networking.k8s.io/v1\nkind: Ingress\nmetadata:\n  name: api${annotations}\nspec:\n  rules:\n    - http:\n        paths:\n          - path: /\n            pathType: Prefix\n            backend:\n              service: { name: llm, port: { number: 80 } }\n`;
const base = deployment([{}]);
const lines = base.split('\n').length - 1; // the Service document starts after these lines

testRule(rule, {
  valid: [
    { name: 'a ClusterIP service', files: { 'd.yaml': base + svc('ClusterIP') } },
    { name: 'a LoadBalancer for a non-model app', files: { 'd.yaml': deployment([{ image: 'nginx:1.27' }]) + svc('LoadBalancer') } },
    { name: 'a LoadBalancer restricted by source ranges', files: { 'd.yaml': `${base}${svc('LoadBalancer')}  loadBalancerSourceRanges: [10.0.0.0/8]\n` } },
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
  ],
});
