import typescript from '@rollup/plugin-typescript';
import json from '@rollup/plugin-json';
import { nodeResolve } from '@rollup/plugin-node-resolve';
import commonjs from '@rollup/plugin-commonjs';

// Two self-contained ES bundles: the action entry and the CLI. Each carries every dependency, so a
// fresh clone runs them without `npm ci`.
const plugins = () => [
  typescript({ tsconfig: './tsconfig.json', include: ['src/**/*.ts'], noEmit: false, outDir: 'dist', declaration: false, sourceMap: false }),
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
  { input: 'src/index.ts', output: { file: 'dist/index.js', format: 'es', inlineDynamicImports: true }, plugins: plugins(), onwarn },
  {
    input: 'src/cli.ts',
    output: { file: 'dist/cli.js', format: 'es', banner: '#!/usr/bin/env node', inlineDynamicImports: true },
    plugins: plugins(),
    onwarn,
  },
];
