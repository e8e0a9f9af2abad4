import { defineRule } from '../../engine/rule.js';
import type { Severity } from '../../engine/severity.js';
import { FormatError } from '../../formats/errors.js';
import { isObj, manifestsOf } from '../../formats/k8s.js';

const SOCKET = /(^|\/)(docker|containerd|crio|cri-dockerd|podman)\.sock$|^\/var\/run\/(docker|containerd)\/?$|^\/run\/containerd\/?$/;
const RAISE: Record<Severity, Severity> = { low: 'medium', medium: 'high', high: 'critical', critical: 'critical' };

export default defineRule({
  meta: {
    id: 'k8s/host-path',
    description: 'A pod mounts a path from the node (hostPath); the container runtime socket is the worst case.',
    help: [
      'A hostPath volume shares a directory of the node with the pod. Writable system paths let a compromised model',
      'server change the node; the container runtime socket (`/var/run/docker.sock`, containerd) lets it start a',
      'privileged container, which is root on the node: that one is reported one level above the configured',
      'severity (critical by default). ML workloads mount host paths to share model caches and datasets between',
      'pods; a PersistentVolume does the same safely.',
      '',
      '**Remediation**: use a PersistentVolumeClaim, an emptyDir or a CSI volume for caches and data; never mount',
      'the runtime socket into a workload (build images with rootless BuildKit or Kaniko instead).',
    ].join('\n'),
    defaultSeverity: 'high',
    docs: {
      examples: {
        bad: [
          {
            title: 'A model server with the Docker socket mounted',
            lang: 'yaml',
            file: 'k8s/pod.yaml',
            code: [
              'apiVersion: v1',
              'kind: Pod',
              'metadata:',
              '  name: model-server',
              'spec:',
              '  containers:',
              '    - name: server',
              '      image: ghcr.io/acme/model-server:1.4.2',
              '      volumeMounts:',
              '        - name: docker',
              '          mountPath: /var/run/docker.sock',
              '  volumes:',
              '    - name: docker',
              '      hostPath:',
              '        path: /var/run/docker.sock',
            ].join('\n'),
          },
        ],
        good: [
          {
            title: 'The model cache on a PersistentVolumeClaim',
            lang: 'yaml',
            file: 'k8s/pod.yaml',
            code: [
              'apiVersion: v1',
              'kind: Pod',
              'metadata:',
              '  name: model-server',
              'spec:',
              '  containers:',
              '    - name: server',
              '      image: ghcr.io/acme/model-server:1.4.2',
              '      volumeMounts:',
              '        - name: model-cache',
              '          mountPath: /models',
              '  volumes:',
              '    - name: model-cache',
              '      persistentVolumeClaim:',
              '        claimName: model-cache',
            ].join('\n'),
          },
        ],
      },
      references: [
        { title: 'Kubernetes: hostPath volumes (and their warning)', url: 'https://kubernetes.io/docs/concepts/storage/volumes/#hostpath' },
        { title: 'Kubernetes Pod Security Standards (baseline forbids hostPath)', url: 'https://kubernetes.io/docs/concepts/security/pod-security-standards/' },
      ],
    },
    kinds: ['k8s'],
    options: { type: 'object', properties: {}, additionalProperties: false },
    defaultOptions: {},
  },
  async checkFile(ctx) {
    const m = await manifestsOf(ctx);
    if (m instanceof FormatError) return;
    for (const pod of m.pods) {
      const volumes = Array.isArray(pod.spec.volumes) ? pod.spec.volumes : [];
      volumes.forEach((v, i) => {
        if (!isObj(v) || !isObj(v.hostPath)) return;
        const path = String(v.hostPath.path ?? '');
        const socket = SOCKET.test(path);
        const pointer = `${pod.pointer}/volumes/${i}/hostPath/path`;
        ctx.report({
          message: socket
            ? `${pod.resource} mounts the container runtime socket ${path} (volume ${String(v.name ?? i)}), which lets the pod start privileged containers and take over the node: remove this volume.`
            : `${pod.resource} mounts the node's ${path} (volume ${String(v.name ?? i)}) into the pod: use a PersistentVolumeClaim or emptyDir instead.`,
          severity: socket ? RAISE[ctx.severity] : ctx.severity,
          ...m.at(pod.doc, pointer), fingerprintKey: `${pod.resource}\0${path}`,
        });
      });
    }
  },
});
