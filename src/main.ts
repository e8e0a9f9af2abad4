import * as core from '@actions/core';
import { randomUUID } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { ConfigurationError } from './engine/errors.js';
import type { Logger } from './engine/logger.js';
import { isSeverity, SEVERITIES, type Severity } from './engine/severity.js';
import { toConsole } from './report/console.js';
import { toJson } from './report/json.js';
import { toSarif } from './report/sarif.js';
import { scan } from './scan.js';

const coreLogger: Logger = { debug: core.debug, info: core.info, warning: core.warning, error: core.error };

/**
 * The action: inputs → scan → outputs and exit status. The GitHub surfaces (check run, annotations, summary,
 * comment) build on this in src/github/.
 */
export async function run(): Promise<void> {
  try {
    const workspace = process.env.GITHUB_WORKSPACE ?? process.cwd();
    const policyInput = core.getInput('policy');
    const failOnInput = core.getInput('fail-on');
    if (failOnInput && !isSeverity(failOnInput)) {
      throw new ConfigurationError(`input fail-on "${failOnInput}" is not a severity; expected one of ${SEVERITIES.join(', ')}`);
    }
    const report = await scan({
      root: '.',
      cwd: workspace,
      policyFile: policyInput || '.github/ai-gate.yml',
      policyExplicit: Boolean(policyInput),
      failOn: (failOnInput || undefined) as Severity | undefined,
      logger: coreLogger,
    });
    logUntrusted(toConsole(report, { color: false }));
    const sarifFile = core.getInput('sarif-file') || 'ai-gate.sarif';
    await writeFile(`${workspace}/${sarifFile}`, `${JSON.stringify(toSarif(report), null, 2)}\n`);
    const reportFile = 'ai-gate-report.json';
    await writeFile(`${workspace}/${reportFile}`, toJson(report));
    core.setOutput('result', report.verdict.passed ? 'pass' : 'fail');
    core.setOutput('findings', String(report.findings.length));
    core.setOutput('blocking', String(report.verdict.counts.blocking));
    core.setOutput('sarif-file', sarifFile);
    core.setOutput('report-file', reportFile);
    if (!report.verdict.passed) core.setFailed(`AI pipeline gate: ${report.verdict.counts.blocking} blocking findings`);
  } catch (error) {
    if (error instanceof ConfigurationError) {
      for (const line of error.problems) core.error(line);
      core.setFailed(error.message);
    } else {
      core.setFailed(`internal error (a bug, please report it): ${(error as Error)?.stack ?? error}`);
    }
  }
}

/**
 * Prints text that holds PR-controlled strings (file names, matched text) to the log with workflow commands
 * switched off, so that a file named `::error::…` or `::add-mask::…` cannot act as a command.
 */
function logUntrusted(text: string): void {
  const token = randomUUID();
  process.stdout.write(`::stop-commands::${token}\n${text.endsWith('\n') ? text : `${text}\n`}::${token}::\n`);
}
