import rule from '../../../src/rules/k8s/host-path.js';
import { deployment } from '../../helpers/k8s.js';
import { testRule } from '../../helpers/rule-tester.js';
import { ARGO_WORKFLOW } from '../../helpers/k8s-pipelines.js';

testRule(rule, {
  valid: [{ name: 'emptyDir and a PVC', files: { 'd.yaml': deployment([{}], ['volumes: [{ name: c, emptyDir: {} }, { name: m, persistentVolumeClaim: { claimName: models } }]']) } }],
  invalid: [
    {
      name: 'the docker socket is critical, a model cache high',
      files: { 'd.yaml': deployment([{}], ['volumes:', '  - name: sock', '    hostPath: { path: /var/run/docker.sock }', '  - name: cache', '    hostPath:', '      path: /data/hf-cache']) },
      errors: [
        { line: 11, column: 29, severity: 'critical', message: 'Deployment/serve mounts the container runtime socket /var/run/docker.sock (volume sock), which lets the pod start privileged containers and take over the node: remove this volume.' },
        { line: 14, column: 19, severity: 'high', message: "Deployment/serve mounts the node's /data/hf-cache (volume cache) into the pod: use a PersistentVolumeClaim or emptyDir instead." },
      ],
    },
    {
      name: 'a workflow-level hostPath volume reaches every Argo template that runs a container',
      files: { 'argo/train.yaml': ARGO_WORKFLOW },
      errors: [
        { line: 12, column: 25, severity: 'critical', message: /^Workflow\/train- \(template prep\) mounts the container runtime socket \/var\/run\/docker\.sock/ },
        { line: 12, column: 25, severity: 'critical', message: /^Workflow\/train- \(template train\) mounts the container runtime socket/ },
      ],
    },
  ],
});
