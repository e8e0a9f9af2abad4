/** Realistic Argo Workflows and compiled Kubeflow Pipelines v2 manifests for the k8s tests (line numbers in comments). */

/** An Argo Workflow: workflow-level securityContext and a hostPath volume; a DAG, a script step and a container step. */
export const ARGO_WORKFLOW = [
  'apiVersion: argoproj.io/v1alpha1', //                      1
  'kind: Workflow', //                                         2
  'metadata:', //                                              3
  '  generateName: train-', //                                 4
  'spec:', //                                                  5
  '  entrypoint: pipeline', //                                 6
  '  securityContext:', //                                     7
  '    runAsNonRoot: true', //                                 8
  '    runAsUser: 8737', //                                    9
  '  volumes:', //                                             10
  '    - name: docker', //                                     11
  '      hostPath: { path: /var/run/docker.sock }', //         12
  '  templates:', //                                           13
  '    - name: pipeline', //                                   14
  '      dag:', //                                             15
  '        tasks:', //                                         16
  '          - { name: prep, template: prep }', //             17
  '          - { name: train, template: train, dependencies: [prep] }', // 18
  '    - name: prep', //                                       19
  '      script:', //                                          20
  '        image: python:3.11', //                             21
  '        command: [python]', //                              22
  '        source: |', //                                      23
  '          print("prep")', //                                24
  '    - name: train', //                                      25
  '      container:', //                                       26
  '        image: pytorch/pytorch:2.3.0-cuda12.1-cudnn8-runtime', // 27
  '        command: [python, train.py]', //                    28
  '        securityContext: { privileged: true }', //          29
  '      initContainers:', //                                  30
  '        - name: fetch', //                                  31
  '          image: alpine:3.20', //                           32
  '      sidecars:', //                                        33
  '        - name: tensorboard', //                            34
  '          image: tensorflow/tensorflow:latest', //          35
  '',
].join('\n');

/** An Argo CronWorkflow (templates under spec.workflowSpec) with a containerSet and nothing hardened. */
export const ARGO_CRON = [
  'apiVersion: argoproj.io/v1alpha1', //                      1
  'kind: CronWorkflow', //                                     2
  'metadata:', //                                              3
  '  name: nightly-eval', //                                   4
  'spec:', //                                                  5
  '  schedule: "0 2 * * *"', //                                6
  '  workflowSpec:', //                                        7
  '    entrypoint: eval', //                                   8
  '    hostNetwork: true', //                                  9
  '    templates:', //                                         10
  '      - name: eval', //                                     11
  '        containerSet:', //                                  12
  '          containers:', //                                  13
  '            - name: download', //                           14
  '              image: curlimages/curl:8.8.0', //             15
  '            - name: score', //                              16
  '              image: ghcr.io/org/eval:1.4', //              17
  '              securityContext: { runAsUser: 0 }', //        18
  '',
].join('\n');

/** A compiled Kubeflow Pipelines v2 spec (no apiVersion/kind), as `kfp.compiler` writes it. */
export function kfpPipeline(resources: string[] = ['          cpuLimit: 4.0', '          memoryLimit: 16.0']): string {
  return [
    '# PIPELINE DEFINITION', //                                 1
    '# Name: train-pipeline', //                                2
    'components:', //                                           3
    '  comp-train:', //                                         4
    '    executorLabel: exec-train', //                         5
    '    inputDefinitions:', //                                 6
    '      parameters:', //                                     7
    '        lr: { parameterType: NUMBER_DOUBLE }', //          8
    'deploymentSpec:', //                                       9
    '  executors:', //                                          10
    '    exec-train:', //                                       11
    '      container:', //                                      12
    "        args: [--executor_input, '{{$}}', --function_to_execute, train]", // 13
    "        command: [sh, -c, 'python3 -m kfp.dsl.executor_main']", // 14
    '        image: python:3.9', //                             15
    ...(resources.length ? ['        resources:', ...resources] : []), // 16..
    'pipelineInfo:',
    '  name: train-pipeline',
    'root:',
    '  dag:',
    '    tasks:',
    '      train:',
    '        componentRef: { name: comp-train }',
    '        taskInfo: { name: train }',
    'schemaVersion: 2.1.0',
    'sdkVersion: kfp-2.7.0',
    '',
  ].join('\n');
}
