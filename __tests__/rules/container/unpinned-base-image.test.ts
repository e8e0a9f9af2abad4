import rule from '../../../src/rules/container/unpinned-base-image.js';
import { testRule } from '../../helpers/rule-tester.js';

const D = `sha256:${'b'.repeat(64)}`;
testRule(rule, {
  valid: [
    { name: 'tags, digests, scratch and earlier stages', files: { Dockerfile: `FROM python:3.12-slim AS build\nFROM ubuntu@${D}\nFROM build\nFROM scratch\n` } },
    { name: 'an ARG default that is tagged', files: { Dockerfile: 'ARG BASE=pytorch/pytorch:2.4.0-cuda12.1-cudnn9-runtime\nFROM ${BASE}\n' } },
    { name: 'a registry with a port and a tag', files: { Dockerfile: 'FROM registry.local:5000/ml/base:1.0\n' } },
  ],
  invalid: [
    {
      name: 'untagged and latest',
      files: { Dockerfile: 'FROM python AS b\nFROM --platform=linux/amd64 vllm/vllm-openai:latest\n' },
      errors: [
        { line: 1, column: 1, severity: 'medium', message: 'FROM python has no tag, so each build may get a different image: pin a version tag and a digest (@sha256:…).' },
        { line: 2, message: 'FROM vllm/vllm-openai:latest uses the moving :latest tag, so each build may get a different image: pin a version tag and a digest (@sha256:…).' },
      ],
    },
    {
      name: 'a tag without a digest when the policy requires digests',
      files: { Dockerfile: 'FROM python:3.12-slim\n' },
      options: { requireDigest: true },
      errors: [{ line: 1, message: 'FROM python:3.12-slim is pinned by tag (:3.12-slim) only, which can be re-pushed, so each build may get a different image: pin a version tag and a digest (@sha256:…).' }],
    },
    {
      name: 'an ARG default that is latest',
      files: { Dockerfile: 'ARG IMG=ollama/ollama:latest\nFROM $IMG\n' },
      errors: [{ line: 2, message: /^FROM ollama\/ollama:latest \(from \$IMG\) uses the moving :latest tag/ }],
    },
  ],
});
