import rule from '../../../src/rules/k8s/resource-limits.js';
import { deployment, HARDENED } from '../../helpers/k8s.js';
import { testRule } from '../../helpers/rule-tester.js';
import { kfpPipeline } from '../../helpers/k8s-pipelines.js';

testRule(rule, {
  valid: [
    { name: 'cpu, memory and GPU limits', files: { 'd.yaml': deployment([{ extra: HARDENED }]) } },
    { name: 'a Kubeflow executor with cpuLimit and memoryLimit', files: { 'pipelines/train.yaml': kfpPipeline() } },
  ],
  invalid: [
    {
      name: 'no resources at all',
      files: { 'd.yaml': deployment([{}]) },
      errors: [{ line: 10, column: 11, severity: 'medium', message: 'Container server of Deployment/serve has no memory or cpu limit, so it can starve the node: set resources.limits.memory and resources.limits.cpu.' }],
    },
    {
      name: 'a GPU in requests only, and no cpu limit',
      files: { 'd.yaml': deployment([{ extra: ['resources:', '  requests: { nvidia.com/gpu: 2 }', '  limits: { memory: 8Gi }'] }]) },
      errors: [
        { line: 12, column: 11, message: 'Container server of Deployment/serve has no cpu limit, so it can starve the node: set resources.limits.cpu.' },
        { line: 12, column: 11, message: 'Container server of Deployment/serve requests nvidia.com/gpu without a matching limit; GPUs are allocated through limits only: move them to resources.limits.' },
      ],
    },
    {
      name: 'a KServe predictor model container',
      files: { 'isvc.yaml': 'apiVersion: serving.kserve.io/v1beta1\nkind: InferenceService\nmetadata: { name: llm }\nspec:\n  predictor:\n    model:\n      modelFormat: { name: huggingface }\n      storageUri: hf://org/model\n' },
      errors: [{ line: 6, column: 5, message: /^Container model of InferenceService\/llm has no memory or cpu limit/ }],
    },
    {
      name: 'a Kubeflow executor with only a cpu limit, and one with none',
      files: { 'pipelines/a.yaml': kfpPipeline(['          cpuLimit: 2.0']), 'pipelines/b.yaml': kfpPipeline([]) },
      errors: [
        { path: 'pipelines/a.yaml', line: 16, column: 9, message: 'Container exec-train of PipelineSpec/train-pipeline (executor exec-train) has no memory limit, so it can starve the node: set resources.limits.memory.' },
        { path: 'pipelines/b.yaml', line: 12, column: 7, message: /^Container exec-train of PipelineSpec\/train-pipeline \(executor exec-train\) has no memory or cpu limit/ },
      ],
    },
  ],
});
