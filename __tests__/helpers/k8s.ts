/** Small Kubernetes manifests for the k8s rule tests, as YAML text with predictable line numbers. */
export interface ContainerSpec { name?: string; image?: string; extra?: string[] }

/**
 * A Deployment whose pod spec starts on line 9 (`      containers:` is line 9, the first container item line 10),
 * with `podExtra` lines inserted before `containers:` (shifting the lines below by their count).
 */
export function deployment(containers: ContainerSpec[], podExtra: string[] = [], name = 'serve', labels = 'app: llm'): string {
  return [
    'apiVersion: apps/v1', //            1
    'kind: Deployment', //               2
    'metadata:', //                      3
    `  name: ${name}`, //                4
    'spec:', //                          5
    '  template:', //                    6
    `    metadata: { labels: { ${labels} } }`, // 7
    '    spec:', //                      8
    ...podExtra.map((l) => `      ${l}`),
    '      containers:', //              9
    ...containers.flatMap((c) => [
      `        - name: ${c.name ?? 'server'}`,
      `          image: ${c.image ?? 'vllm/vllm-openai:v0.6.3'}`,
      ...(c.extra ?? []).map((l) => `          ${l}`),
    ]),
    '',
  ].join('\n');
}

/** Everything a hardened container states, so a test can remove one thing at a time. */
export const HARDENED = [
  'securityContext: { allowPrivilegeEscalation: false, runAsNonRoot: true }',
  'resources: { limits: { cpu: "4", memory: 16Gi, nvidia.com/gpu: 1 } }',
];
