import rule from '../../../src/rules/container/root-user.js';
import { testRule } from '../../helpers/rule-tester.js';

testRule(rule, {
  valid: [
    { name: 'a non-root USER in the final stage', files: { Dockerfile: 'FROM python:3.12\nRUN useradd -u 10001 app\nUSER 10001\nCMD ["serve"]\n' } },
    { name: 'root in the build stage, non-root at the end', files: { Dockerfile: 'FROM python:3.12 AS b\nUSER root\nFROM python:3.12-slim\nUSER app\n' } },
    { name: 'a distroless nonroot base', files: { 'Containerfile': 'FROM gcr.io/distroless/python3:nonroot\n' } },
  ],
  invalid: [
    {
      name: 'no USER at all: points at the final FROM',
      files: { 'docker/Dockerfile.serve': 'FROM python:3.12 AS build\nUSER app\nFROM python:3.12-slim\nCMD ["python", "serve.py"]\n' },
      errors: [{ line: 3, column: 1, severity: 'medium', message: 'The final stage (FROM python:3.12-slim) sets no USER, so the container runs as root: add a non-root USER at the end of the Dockerfile.' }],
    },
    {
      name: 'USER root last',
      files: { Dockerfile: 'FROM nvidia/cuda:12.4.1-runtime-ubuntu22.04\nUSER app\nRUN x\nUSER 0:0\n' },
      errors: [{ line: 4, message: 'The final stage switches to USER 0:0, so the container runs as root: switch to an unprivileged user (e.g. USER 10001) after the steps that need root.' }],
    },
  ],
});
