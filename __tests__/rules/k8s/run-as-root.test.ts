import rule from '../../../src/rules/k8s/run-as-root.js';
import { deployment, HARDENED } from '../../helpers/k8s.js';
import { testRule } from '../../helpers/rule-tester.js';

testRule(rule, {
  valid: [
    { name: 'runAsNonRoot on the container', files: { 'd.yaml': deployment([{ extra: HARDENED }]) } },
    { name: 'runAsNonRoot on the pod', files: { 'd.yaml': deployment([{}], ['securityContext: { runAsNonRoot: true }']) } },
    { name: 'a non-zero runAsUser', files: { 'd.yaml': deployment([{ extra: ['securityContext: { runAsUser: 1000 }'] }]) } },
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
  ],
});
