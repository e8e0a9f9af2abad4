import { describe, expect, it } from '@jest/globals';
import { classify } from '../../src/discovery/classify.js';
import { KFP_KIND, parseManifests } from '../../src/formats/k8s.js';
import { ARGO_CRON, ARGO_WORKFLOW, kfpPipeline } from '../helpers/k8s-pipelines.js';

describe('k8s manifests: Argo Workflows', () => {
  it('turns every container-running template into a pod, with exact container pointers', () => {
    const m = parseManifests(ARGO_WORKFLOW, 'wf.yaml');
    expect(m.pods.map((p) => p.resource)).toEqual(['Workflow/train- (template prep)', 'Workflow/train- (template train)']);
    const [prep, train] = m.pods;
    expect(prep.containers.map((c) => [c.name, c.kind, c.pointer])).toEqual([['main', 'container', '/spec/templates/1/script']]);
    expect(train.containers.map((c) => [c.name, c.kind, c.pointer])).toEqual([
      ['main', 'container', '/spec/templates/2/container'],
      ['fetch', 'initContainer', '/spec/templates/2/initContainers/0'],
      ['tensorboard', 'container', '/spec/templates/2/sidecars/0'],
    ]);
    expect(m.at(train.doc, train.containers[0].pointer, true)).toEqual({ line: 26, column: 7, keyPath: '/spec/templates/2/container' });
  });
  it('lets templates inherit the workflow securityContext and volumes, pointing at where the workflow states them', () => {
    const m = parseManifests(ARGO_WORKFLOW, 'wf.yaml');
    const prep = m.pods[0];
    expect(prep.spec.securityContext).toEqual({ runAsNonRoot: true, runAsUser: 8737 });
    expect(m.at(prep.doc, `${prep.pointer}/securityContext/runAsNonRoot`, true)).toEqual({ line: 8, column: 5, keyPath: '/spec/securityContext/runAsNonRoot' });
    expect(prep.spec.volumes).toEqual([{ name: 'docker', hostPath: { path: '/var/run/docker.sock' } }]);
    expect(m.at(prep.doc, `${prep.pointer}/volumes/0/hostPath/path`)).toMatchObject({ line: 12, keyPath: '/spec/volumes/0/hostPath/path' });
  });
  it('reads CronWorkflow templates under spec.workflowSpec, containerSet containers included', () => {
    const m = parseManifests(ARGO_CRON, 'cron.yaml');
    expect(m.pods).toHaveLength(1);
    const pod = m.pods[0];
    expect(pod.resource).toBe('CronWorkflow/nightly-eval (template eval)');
    expect(pod.spec.hostNetwork).toBe(true);
    expect(m.at(pod.doc, `${pod.pointer}/hostNetwork`, true)).toMatchObject({ line: 9, column: 5 });
    expect(pod.containers.map((c) => [c.name, c.pointer])).toEqual([
      ['download', '/spec/workflowSpec/templates/0/containerSet/containers/0'],
      ['score', '/spec/workflowSpec/templates/0/containerSet/containers/1'],
    ]);
  });
  it('ignores argoproj kinds from other API groups and workflows without templates', () => {
    expect(parseManifests('apiVersion: example.com/v1\nkind: Workflow\nmetadata: { name: x }\nspec:\n  templates: [{ name: a, container: { image: a } }]\n', 'x.yaml').pods).toEqual([]);
    expect(parseManifests('apiVersion: argoproj.io/v1alpha1\nkind: Workflow\nmetadata: { name: x }\nspec: { workflowTemplateRef: { name: t } }\n', 'x.yaml').pods).toEqual([]);
  });
});

describe('k8s manifests: compiled Kubeflow Pipelines v2', () => {
  it('is classified as a k8s manifest although it has no apiVersion/kind', () => {
    expect(classify('pipelines/train.yaml', Buffer.from(kfpPipeline()), 900)).toEqual({ kind: 'k8s', format: 'yaml' });
    expect(classify('conf/app.yaml', Buffer.from('components:\n  web: { port: 80 }\n'), 30)).toEqual({ kind: 'config', format: 'yaml' });
  });
  it('turns every executor into a pod, mapping cpuLimit/memoryLimit onto resources.limits', () => {
    const m = parseManifests(kfpPipeline(), 'train.yaml');
    expect(m.resources.map((r) => `${r.kind}/${r.name}`)).toEqual([`${KFP_KIND}/train-pipeline`]);
    expect(m.pods).toHaveLength(1);
    const [pod] = m.pods;
    expect(pod.resource).toBe('PipelineSpec/train-pipeline (executor exec-train)');
    expect(pod.containers[0].pointer).toBe('/deploymentSpec/executors/exec-train/container');
    expect(pod.containers[0].value.resources).toEqual({ limits: { cpu: 4, memory: 16 } });
    expect(m.at(pod.doc, `${pod.containers[0].pointer}/image`)).toMatchObject({ line: 15, column: 16 });
  });
  it('reads a PipelineJob-style wrapper under pipelineSpec', () => {
    const text = `pipelineSpec:\n${kfpPipeline().split('\n').filter((l) => !l.startsWith('#')).map((l) => (l ? `  ${l}` : l)).join('\n')}`;
    const m = parseManifests(text, 'job.yaml');
    expect(m.pods.map((p) => p.containers[0].pointer)).toEqual(['/pipelineSpec/deploymentSpec/executors/exec-train/container']);
  });
});
