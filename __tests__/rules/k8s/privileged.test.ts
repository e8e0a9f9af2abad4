import rule from '../../../src/rules/k8s/privileged.js';
import { deployment, HARDENED } from '../../helpers/k8s.js';
import { testRule } from '../../helpers/rule-tester.js';
import { ARGO_WORKFLOW } from '../../helpers/k8s-pipelines.js';

testRule(rule, {
  valid: [
    { name: 'a hardened container', files: { 'k8s/serve.yaml': deployment([{ extra: HARDENED }]) } },
    { name: 'privileged: false and harmless capabilities', files: { 'k8s/serve.yaml': deployment([{ extra: ['securityContext: { privileged: false, capabilities: { add: [NET_BIND_SERVICE] } }'] }]) } },
    { name: 'a Helm template is not reported as broken YAML', files: { 'chart/templates/d.yaml': 'apiVersion: apps/v1\nkind: Deployment\n{{- if .Values.x }}\nmetadata: {{ .Values.name }}\n{{- end }}\n' } },
  ],
  invalid: [
    {
      name: 'privileged on the container and SYS_ADMIN added',
      files: { 'k8s/serve.yaml': deployment([{ extra: ['securityContext:', '  privileged: true', '  capabilities: { add: ["SYS_ADMIN"] }'] }]) },
      errors: [
        { line: 13, column: 13, severity: 'high', message: 'Container server of Deployment/serve runs privileged (privileged: true), which is root on the node: remove it and request devices through the device plugin.' },
        { line: 14, column: 29, message: 'Container server of Deployment/serve adds capabilities SYS_ADMIN, which are close to root on the node: drop them (capabilities: { drop: [ALL] }).' },
      ],
    },
    {
      name: 'privileged in the second document of a stream, on a Pod',
      files: { 'pods.yml': 'apiVersion: v1\nkind: ConfigMap\nmetadata: { name: c }\n---\napiVersion: v1\nkind: Pod\nmetadata: { name: p }\nspec:\n  containers:\n    - name: gpu\n      image: x:1\n      securityContext: { privileged: true }\n' },
      errors: [{ line: 12, column: 26, message: /^Container gpu of Pod\/p runs privileged/ }],
    },
    {
      name: 'a manifest that is not valid YAML is reported',
      files: { 'bad.yaml': 'apiVersion: v1\nkind: Pod\nspec: [\n' },
      errors: [{ message: /^This Kubernetes manifest could not be parsed/ }],
    },
    {
      name: 'privileged on the container of an Argo Workflow template',
      files: { 'argo/train.yaml': ARGO_WORKFLOW },
      errors: [{ line: 29, column: 28, message: 'Container main of Workflow/train- (template train) runs privileged (privileged: true), which is root on the node: remove it and request devices through the device plugin.' }],
    },
  ],
});
