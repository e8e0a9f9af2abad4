import * as core from '@actions/core';
import { randomUUID } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ConfigurationError } from './engine/errors.js';
import type { Logger } from './engine/logger.js';
import { createClient } from './github/client.js';
import { readEvent } from './github/event.js';
import { readInputs } from './github/inputs.js';
import { planScan } from './github/plan.js';
import { failCheckRun, publish, startCheckRun, type PublishContext } from './github/publish.js';
import { toConsole } from './report/console.js';
import { toJson } from './report/json.js';
import { mergeReports } from './report/merge.js';
import { readShardReports } from './github/shard-reports.js';
import { md } from './report/markdown.js';
import { toSarif } from './report/sarif.js';
import { scan } from './scan.js';

/**
 * Prints text that may hold PR-controlled strings (file names, matched text) with workflow commands switched
 * off, so that a file named `::error::…` or `::add-mask::…` cannot act as a command.
 */
function logUntrusted(text: string): void {
  const token = randomUUID();
  process.stdout.write(`::stop-commands::${token}\n${text.endsWith('\n') ? text : `${text}\n`}::${token}::\n`);
}

const logger: Logger = {
  debug: core.debug,
  info: (m) => (/[\r\n]|::/.test(m) ? logUntrusted(m) : core.info(m)),
  warning: core.warning,
  error: core.error,
};

async function scanWorkspace(inputs: ReturnType<typeof readInputs>, client: ReturnType<typeof createClient> | undefined, ev: ReturnType<typeof readEvent>, workspace: string) {
  const plan = await planScan({ client, ev, workspace, policyInput: inputs.policy, logger });
  return scan({
    root: '.', cwd: workspace, logger, failOn: inputs.failOn, scope: inputs.scope, respectPolicyScope: true,
    // A pull request runs its own copy of the workflow, inputs included: they may tighten the policy, never loosen it.
    overridesOnlyTighten: ev.kind !== 'whole-tree',
    policyFile: plan.policyFile, policyExplicit: plan.policyExplicit, policyText: plan.policyText,
    changes: plan.changes, base: plan.base, baseLabel: plan.baseLabel, change: plan.change, notes: plan.notes,
    ...(inputs.shard ? { shard: inputs.shard } : {}),
  });
}

/** The action: inputs → event → policy and change → scan → reports and GitHub surfaces → exit status. */
export async function run(): Promise<void> {
  try {
    const inputs = readInputs((name) => core.getInput(name));
    // No core.setSecret: `::add-mask::` would print the token itself. The runner already masks
    // github.token and secrets; the gate never writes the token anywhere (the e2e tests check the log).
    const workspace = process.env.GITHUB_WORKSPACE ?? process.cwd();
    const payload = process.env.GITHUB_EVENT_PATH ? JSON.parse(await readFile(process.env.GITHUB_EVENT_PATH, 'utf8')) : {};
    const ev = readEvent(process.env.GITHUB_EVENT_NAME ?? '', payload, process.env);
    const client = inputs.token ? createClient(inputs.token, { logger }) : undefined;
    const ctx: PublishContext = {
      client, ev, logger, checkName: inputs.checkName, annotations: inputs.annotations, comment: inputs.comment,
      neutralWhenReported: false,
      fullReport: `the JSON report (${inputs.reportFile}) and the SARIF log (${inputs.sarifFile}) in the workspace`,
      surfaces: {
        command: (line) => process.stdout.write(`${line}\n`),
        ...(process.env.GITHUB_STEP_SUMMARY ? { summary: async (md: string) => { await core.summary.addRaw(md).write(); } } : {}),
      },
    };
    // A shard job leaves the check run, comment and verdict to the merge job, which sees every shard.
    const check = inputs.shard ? {} : await startCheckRun(ctx);
    try {
      const report = inputs.mode === 'merge'
        ? mergeReports(await readShardReports(workspace, inputs.reports), inputs.failOn)
        : await scanWorkspace(inputs, client, ev, workspace);
      logUntrusted(toConsole(report, { color: false }));
      await writeFile(join(workspace, inputs.sarifFile), `${JSON.stringify(toSarif(report, { srcRoot: workspace }), null, 2)}\n`);
      await writeFile(join(workspace, inputs.reportFile), toJson(report));
      if (inputs.shard) {
        core.setOutput('result', report.verdict.passed ? 'pass' : 'fail');
        core.setOutput('findings', String(report.findings.length));
        core.setOutput('blocking', String(report.verdict.counts.blocking));
        core.setOutput('report-file', inputs.reportFile);
        core.notice(`Shard ${inputs.shard.index}/${inputs.shard.total}: ${report.findings.length} findings, ${report.verdict.counts.blocking} blocking. Upload ${inputs.reportFile}; the merge job (mode: merge) gives the verdict.`);
        return;
      }
      for (const note of await publish(ctx, report, check)) core.notice(note);
      core.setOutput('result', report.verdict.passed ? 'pass' : 'fail');
      core.setOutput('findings', String(report.findings.length));
      core.setOutput('blocking', String(report.verdict.counts.blocking));
      core.setOutput('sarif-file', inputs.sarifFile);
      core.setOutput('report-file', inputs.reportFile);
      if (!report.verdict.passed) core.setFailed(`AI pipeline gate: ${report.verdict.counts.blocking} blocking findings`);
    } catch (error) {
      await failCheckRun(ctx, check.id, 'The gate could not run', error instanceof ConfigurationError
        ? [error.message, ...error.problems].map((l) => md(l)).join('\n\n') : 'Internal error; see the workflow log.');
      throw error;
    }
  } catch (error) {
    if (error instanceof ConfigurationError) {
      for (const line of error.problems) core.error(line);
      core.setFailed(error.message);
    } else {
      core.setFailed(`internal error (a bug, please report it): ${(error as Error)?.stack ?? error}`);
    }
  }
}
