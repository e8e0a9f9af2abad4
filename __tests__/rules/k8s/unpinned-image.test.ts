import rule from '../../../src/rules/k8s/unpinned-image.js';
import { deployment } from '../../helpers/k8s.js';
import { testRule } from '../../helpers/rule-tester.js';
import { ARGO_WORKFLOW } from '../../helpers/k8s-pipelines.js';

testRule(rule, {
  valid: [{ name: 'tags and digests', files: { 'd.yaml': deployment([{ image: 'nvcr.io/nvidia/tritonserver:24.08-py3' }, { name: 'b', image: `x/y@sha256:${'d'.repeat(64)}` }]) } }],
  invalid: [
    {
      name: 'latest and untagged',
      files: { 'd.yaml': deployment([{ image: 'ollama/ollama:latest' }, { name: 'side', image: 'registry.local:5000/proxy' }]) },
      errors: [
        { line: 11, column: 18, severity: 'medium', message: 'Container server of Deployment/serve uses image ollama/ollama:latest with the moving :latest tag: pin a version tag and a digest (@sha256:…).' },
        { line: 13, column: 18, message: 'Container side of Deployment/serve uses image registry.local:5000/proxy without a tag: pin a version tag and a digest (@sha256:…).' },
      ],
    },
    {
      name: 'an Argo sidecar on :latest',
      files: { 'argo/train.yaml': ARGO_WORKFLOW },
      errors: [{ line: 35, column: 18, message: 'Container tensorboard of Workflow/train- (template train) uses image tensorflow/tensorflow:latest with the moving :latest tag: pin a version tag and a digest (@sha256:…).' }],
    },
  ],
});
