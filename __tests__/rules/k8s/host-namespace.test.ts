import rule from '../../../src/rules/k8s/host-namespace.js';
import { deployment } from '../../helpers/k8s.js';
import { testRule } from '../../helpers/rule-tester.js';
import { ARGO_CRON } from '../../helpers/k8s-pipelines.js';

testRule(rule, {
  valid: [{ name: 'hostNetwork: false', files: { 'd.yaml': deployment([{}], ['hostNetwork: false']) } }],
  invalid: [
    {
      name: 'hostNetwork and hostIPC',
      files: { 'd.yaml': deployment([{}], ['hostNetwork: true', 'hostIPC: true']) },
      errors: [
        { line: 9, column: 7, severity: 'high', message: "Deployment/serve sets hostNetwork: true, sharing the node's network with the pod: remove it." },
        { line: 10, column: 7, message: "Deployment/serve sets hostIPC: true, sharing the node's IPC with the pod: remove it." },
      ],
    },
    {
      name: 'hostNetwork on an Argo CronWorkflow spec applies to its templates',
      files: { 'argo/cron.yaml': ARGO_CRON },
      errors: [{ line: 9, column: 5, message: "CronWorkflow/nightly-eval (template eval) sets hostNetwork: true, sharing the node's network with the pod: remove it." }],
    },
  ],
});
