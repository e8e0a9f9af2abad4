import typescript from '@rollup/plugin-typescript';
import json from '@rollup/plugin-json';
import { nodeResolve } from '@rollup/plugin-node-resolve';
import commonjs from '@rollup/plugin-commonjs';

// AI_GATE_DIST builds elsewhere (a private bundle for local checks); CI and commits always use dist/.
const out = process.env.AI_GATE_DIST ?? 'dist';

// Two self-contained ES bundles: the action entry and the CLI. Each carries every dependency, so a
// fresh clone runs them without `npm ci`.
const plugins = () => [
  typescript({ tsconfig: './tsconfig.json', include: ['src/**/*.ts'], noEmit: false, outDir: out, declaration: false, sourceMap: false }),
  json(),
  nodeResolve({ preferBuiltins: true, exportConditions: ['node'] }),
  commonjs(),
];
const onwarn = (warning, warn) => {
  if (warning.code === 'CIRCULAR_DEPENDENCY' && /node_modules/.test(warning.message)) return;
  if (warning.code === 'THIS_IS_UNDEFINED') return;
  warn(warning);
};

export default [
  { input: 'src/index.ts', output: { file: `${out}/index.js`, format: 'es', inlineDynamicImports: true }, plugins: plugins(), onwarn },
  {
    input: 'src/cli.ts',
    output: { file: `${out}/cli.js`, format: 'es', banner: '#!/usr/bin/env node', inlineDynamicImports: true },
    plugins: plugins(),
    onwarn,
  },
];
