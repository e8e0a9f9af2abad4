import { readFile, stat, writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { ConfigurationError } from '../engine/errors.js';
import { stderrLogger, type Logger } from '../engine/logger.js';
import { SEVERITIES, isSeverity, type Severity } from '../engine/severity.js';
import { parseShard } from '../engine/shard.js';
import { REPO_URL, TOOL_VERSION } from '../meta.js';
import { toConsole } from '../report/console.js';
import { toJson } from '../report/json.js';
import { mergeReports, parseShardReport } from '../report/merge.js';
import { toSarif } from '../report/sarif.js';
import { allRules } from '../rules/index.js';
import { initCommand } from './init.js';
import type { Report } from '../report/types.js';
import { scan } from '../scan.js';

export const HELP = `ai-gate ${TOOL_VERSION}: gate AI repositories (models, datasets, workflows, configs, secrets)

Usage:
  ai-gate scan [DIR] [options]   scan DIR (default: .) and exit 0 (passed), 1 (failed) or 2 (usage/policy error)
  ai-gate merge FILE... [options] combine the JSON reports of every shard (scan --shard i/n --json FILE) into one
                                 report and verdict; takes --format, --sarif, --json, --fail-on, --no-color
  ai-gate rules                  list every rule: id, default severity, what it checks
  ai-gate init [DIR] [--force]   write a starter .github/ai-gate.yml and .github/workflows/ai-gate.yml for DIR
                                 (from the models, datasets and workflows it holds; never overwrites without --force)
  ai-gate --help | --version

Scan options:
  --policy FILE        policy file (default: DIR/.github/ai-gate.yml, else the built-in "recommended")
  --fail-on SEVERITY   lowest severity that fails the gate: critical | high | medium | low (default: the policy's)
  --base REF           scan only files changed between git REF and the working tree (e.g. origin/main)
  --format FORMAT      what to print on stdout: text (default) | json | sarif
  --sarif FILE         also write SARIF 2.1.0 to FILE (for GitHub code scanning)
  --json FILE          also write the JSON report to FILE
  --shard I/N          check only shard I of N (files split by path hash), e.g. in a CI matrix; combine the
                       shards' --json reports with ai-gate merge
  --no-color           plain text even on a terminal (NO_COLOR is honoured too)

Examples:
  ai-gate scan examples/demo-repo
  ai-gate scan . --base origin/main --sarif gate.sarif
  ai-gate scan . --policy policies/strict.yml --format json > report.json

Suppress a finding on one line of a text file with a comment:  # ai-gate: ignore[rule-id] reason
Exceptions for whole paths go in the policy (rule, paths, reason, expires). Rules: ${REPO_URL}/blob/main/docs/rules/README.md
`;

export interface CliIo {
  stdout: NodeJS.WritableStream & { isTTY?: boolean };
  stderr: NodeJS.WritableStream & { isTTY?: boolean };
  cwd: string;
  env: NodeJS.ProcessEnv;
}

/** Runs the CLI and returns its exit code: 0 passed, 1 failed, 2 usage or configuration error. */
export async function runCli(argv: string[], io: CliIo): Promise<number> {
  const logger = stderrLogger(io.stderr);
  try {
    const [command, ...rest] = argv;
    if (command === undefined || command === '--help' || command === '-h' || command === 'help') {
      io.stdout.write(HELP);
      return command === undefined ? 2 : 0;
    }
    if (command === '--version' || command === '-v') {
      io.stdout.write(`${TOOL_VERSION}\n`);
      return 0;
    }
    if (command === 'rules') return listRules(io);
    if (command === 'init') return await initCommand(rest, io);
    if (command === 'scan') return await scanCommand(rest, io, logger);
    if (command === 'merge') return await mergeCommand(rest, io);
    throw new ConfigurationError(`unknown command "${command}"; expected scan, rules, init or merge (see ai-gate --help)`);
  } catch (error) {
    if (error instanceof ConfigurationError) {
      for (const line of error.problems) io.stderr.write(`${line}\n`);
      io.stderr.write(`ai-gate: ${error.message}\n`);
      return 2;
    }
    io.stderr.write(`ai-gate: internal error (a bug, please report it): ${(error as Error)?.stack ?? error}\n`);
    return 3;
  }
}

function parse(args: string[]) {
  try {
    return parseArgs({
      args,
      allowPositionals: true,
      options: {
        policy: { type: 'string' },
        'fail-on': { type: 'string' },
        base: { type: 'string' },
        format: { type: 'string', default: 'text' },
        sarif: { type: 'string' },
        json: { type: 'string' },
        shard: { type: 'string' },
        'no-color': { type: 'boolean', default: false },
        help: { type: 'boolean', short: 'h', default: false },
      },
    });
  } catch (error) {
    throw new ConfigurationError(`${(error as Error).message} (see ai-gate --help)`);
  }
}

async function scanCommand(args: string[], io: CliIo, logger: Logger): Promise<number> {
  const { values, positionals } = parse(args);
  if (values.help) {
    io.stdout.write(HELP);
    return 0;
  }
  if (positionals.length > 1) throw new ConfigurationError(`scan takes one folder, got ${positionals.length}: ${positionals.join(' ')}`);
  const format = values.format;
  if (!['text', 'json', 'sarif'].includes(format)) throw new ConfigurationError(`--format "${format}" is not one of text, json, sarif`);
  const failOn = values['fail-on'];
  if (failOn !== undefined && !isSeverity(failOn)) {
    throw new ConfigurationError(`--fail-on "${failOn}" is not a severity; expected one of ${SEVERITIES.join(', ')}`);
  }
  const root = positionals[0] ?? '.';
  const rootStat = await stat(resolve(io.cwd, root)).catch(() => undefined);
  if (!rootStat?.isDirectory()) throw new ConfigurationError(`${root} is not a folder to scan`);

  const shard = values.shard !== undefined ? parseShard(values.shard) : undefined;
  const progress = io.stderr.isTTY ? progressLine(io.stderr) : undefined;
  const report = await scan({
    root,
    cwd: io.cwd,
    policyFile: values.policy ?? `${root.replace(/\/+$/, '')}/.github/ai-gate.yml`,
    policyExplicit: values.policy !== undefined,
    base: values.base,
    failOn: failOn as Severity | undefined,
    logger,
    onProgress: progress?.update,
    ...(shard ? { shard } : {}),
  });
  progress?.clear();
  return writeOutputs(report, values, io);
}

/** `ai-gate merge FILE...`: the shards' JSON reports → one report, printed and written like a scan's. */
async function mergeCommand(args: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parse(args);
  if (values.help) {
    io.stdout.write(HELP);
    return 0;
  }
  if (values.shard !== undefined || values.base !== undefined || values.policy !== undefined) {
    throw new ConfigurationError('merge takes JSON reports and --format, --sarif, --json, --fail-on, --no-color only');
  }
  if (positionals.length === 0) throw new ConfigurationError('merge needs the JSON report of every shard: ai-gate merge shard-1.json shard-2.json ...');
  const failOn = values['fail-on'];
  if (failOn !== undefined && !isSeverity(failOn)) {
    throw new ConfigurationError(`--fail-on "${failOn}" is not a severity; expected one of ${SEVERITIES.join(', ')}`);
  }
  const inputs = [];
  for (const file of positionals) {
    const text = await readFile(resolve(io.cwd, file), 'utf8').catch((error: NodeJS.ErrnoException) => {
      throw new ConfigurationError(`cannot read report ${file} (${error.code ?? error.message})`);
    });
    inputs.push(parseShardReport(file, text));
  }
  const report = mergeReports(inputs, failOn as Severity | undefined);
  return writeOutputs(report, values, io);
}

async function writeOutputs(report: Report, values: ReturnType<typeof parse>['values'], io: CliIo): Promise<number> {
  if (!['text', 'json', 'sarif'].includes(values.format)) throw new ConfigurationError(`--format "${values.format}" is not one of text, json, sarif`);
  const format = values.format;

  const outputs: string[] = [];
  if (values.sarif) {
    await writeFile(values.sarif, `${JSON.stringify(toSarif(report), null, 2)}\n`);
    outputs.push(`SARIF: ${values.sarif}`);
  } else {
    outputs.push('SARIF: not written (--sarif FILE)');
  }
  if (values.json) {
    await writeFile(values.json, toJson(report));
    outputs.push(`JSON: ${values.json}`);
  }
  if (format === 'json') io.stdout.write(toJson(report));
  else if (format === 'sarif') io.stdout.write(`${JSON.stringify(toSarif(report), null, 2)}\n`);
  else {
    const color = Boolean(io.stdout.isTTY) && !values['no-color'] && !io.env.NO_COLOR;
    io.stdout.write(toConsole(report, { color, outputs }));
  }
  return report.verdict.passed ? 0 : 1;
}

function listRules(io: CliIo): number {
  const width = Math.max(...allRules.map((r) => r.meta.id.length));
  const lines = [...allRules]
    .sort((a, b) => (a.meta.id < b.meta.id ? -1 : 1))
    .map((r) => `${r.meta.id.padEnd(width)}  ${r.meta.id.split('/')[0].padEnd(10)}  ${r.meta.defaultSeverity.padEnd(8)}  ${r.meta.description}`);
  io.stdout.write(`${'rule'.padEnd(width)}  ${'area'.padEnd(10)}  ${'default'.padEnd(8)}  what it checks\n${lines.join('\n')}\n`);
  return 0;
}

/** A single updating line on a terminal, at most ten redraws a second. */
function progressLine(stream: NodeJS.WritableStream) {
  let last = 0;
  return {
    update: (done: number, total: number, path: string) => {
      const now = Date.now();
      if (now - last < 100 && done !== total) return;
      last = now;
      const name = path.length > 60 ? `…${path.slice(-59)}` : path;
      stream.write(`\r\u001b[2K[${done}/${total}] ${name.replace(/[\u0000-\u001f\u007f-\u009f]/g, '?')}`);
    },
    clear: () => stream.write('\r\u001b[2K'),
  };
}
