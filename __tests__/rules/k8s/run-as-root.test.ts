import rule from '../../../src/rules/k8s/run-as-root.js';
import { deployment, HARDENED } from '../../helpers/k8s.js';
import { testRule } from '../../helpers/rule-tester.js';
import { ARGO_CRON, ARGO_WORKFLOW, kfpPipeline } from '../../helpers/k8s-pipelines.js';

testRule(rule, {
  valid: [
    // The pipeline spec cannot set a security context per executor (KFP's platform config does): not actionable there.
    { name: 'a compiled Kubeflow pipeline executor', files: { 'pipelines/train.yaml': kfpPipeline() } },
    { name: 'runAsNonRoot on the container', files: { 'd.yaml': deployment([{ extra: HARDENED }]) } },
    { name: 'runAsNonRoot on the pod', files: { 'd.yaml': deployment([{}], ['securityContext: { runAsNonRoot: true }']) } },
    { name: 'a non-zero runAsUser', files: { 'd.yaml': deployment([{ extra: ['securityContext: { runAsUser: 1000 }'] }]) } },
      { name: 'Argo templates inherit the workflow securityContext', files: { 'argo/train.yaml': ARGO_WORKFLOW } },
],
  invalid: [
    {
      name: 'nothing set',
      files: { 'd.yaml': deployment([{}]) },
      errors: [{ line: 10, column: 11, severity: 'medium', message: 'Container server of Deployment/serve may run as root (no runAsNonRoot: true or non-zero runAsUser on it or its pod): set securityContext.runAsNonRoot: true.' }],
    },
    {
      name: 'runAsUser 0 on the pod, in a CronJob',
      files: { 'cron.yaml': 'apiVersion: batch/v1\nkind: CronJob\nmetadata: { name: retrain }\nspec:\n  jobTemplate:\n    spec:\n      template:\n        spec:\n          securityContext: { runAsUser: 0 }\n          containers: [{ name: t, image: "trainer:1" }]\n' },
      errors: [{ line: 9, column: 30, message: 'Container t of CronJob/retrain sets runAsUser: 0 (root): run it as an unprivileged UID and set runAsNonRoot: true.' }],
    },
    {
      name: 'runAsUser 0 in an Argo CronWorkflow containerSet, nothing on its sibling',
      files: { 'argo/cron.yaml': ARGO_CRON },
      errors: [
        { line: 14, column: 15, message: 'Container download of CronWorkflow/nightly-eval (template eval) may run as root (no runAsNonRoot: true or non-zero runAsUser on it or its pod): set securityContext.runAsNonRoot: true.' },
        { line: 18, column: 34, message: 'Container score of CronWorkflow/nightly-eval (template eval) sets runAsUser: 0 (root): run it as an unprivileged UID and set runAsNonRoot: true.' },
      ],
    },
  ],
});
