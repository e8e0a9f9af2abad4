import rule from '../../../src/rules/k8s/service-account-token.js';
import { deployment } from '../../helpers/k8s.js';
import { testRule } from '../../helpers/rule-tester.js';

testRule(rule, {
  valid: [
    { name: 'automount disabled on the pod', files: { 'd.yaml': deployment([{}], ['automountServiceAccountToken: false']) } },
    { name: 'automount disabled on the ServiceAccount in the same file', files: { 'd.yaml': `apiVersion: v1\nkind: ServiceAccount\nmetadata: { name: llm }\nautomountServiceAccountToken: false\n---\n${deployment([{}], ['serviceAccountName: llm'])}` } },
  ],
  invalid: [
    {
      name: 'the default token',
      files: { 'd.yaml': deployment([{}]) },
      errors: [{ line: 8, column: 5, severity: 'low', message: "Deployment/serve mounts the default service account's API token by default: set automountServiceAccountToken: false unless the workload calls the Kubernetes API." }],
    },
    {
      name: 'explicitly true',
      files: { 'd.yaml': deployment([{}], ['automountServiceAccountToken: true']) },
      errors: [{ line: 9, column: 7, message: /sets automountServiceAccountToken: true/ }],
    },
  ],
});
