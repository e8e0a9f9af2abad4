/**
 * Puts a report on GitHub's surfaces, each degrading on its own: the check run (created in progress on the
 * head commit, annotations 50 per request, then completed), workflow-command annotations when the check run
 * is refused (a fork PR's read-only token) or asked for, the job summary, and the sticky PR comment. What a
 * surface cannot hold goes to the next one, and the summary says where.
 */
import type { Logger } from '../engine/logger.js';
import { workflowCommands } from '../report/annotations.js';
import { toCheckOutput } from '../report/checks.js';
import { isGateComment, shouldComment, toComment, type CommentMode } from '../report/comment.js';
import type { LinkContext } from '../report/markdown.js';
import { toJobSummary } from '../report/summary.js';
import type { Report } from '../report/types.js';
import { describeError, statusOf, type GitHubClient } from './client.js';
import type { GateEvent } from './event.js';

export type AnnotationMode = 'check-run' | 'workflow-commands' | 'both';

export interface Surfaces {
  /** Writes one line to the log as is (workflow commands must be live). */
  command(line: string): void;
  /** Appends Markdown to the job summary; undefined when the runner gives no summary file. */
  summary?: (markdown: string) => Promise<void>;
}

export interface PublishContext {
  client?: GitHubClient;
  ev: GateEvent;
  logger: Logger;
  surfaces: Surfaces;
  checkName: string;
  annotations: AnnotationMode;
  comment: CommentMode;
  neutralWhenReported: boolean;
  /** Where the complete lists are, for "did not fit" lines. */
  fullReport: string;
}

function links(ev: GateEvent): LinkContext {
  return { repoUrl: `${ev.serverUrl}/${ev.owner}/${ev.repo}`, sha: ev.headSha };
}

/** Creates the check run in progress; undefined (with the reason logged) when GitHub refuses it. */
export async function startCheckRun(ctx: PublishContext): Promise<{ id?: number; refused?: string }> {
  if (ctx.annotations === 'workflow-commands') return {};
  if (!ctx.client) return { refused: 'no token was given' };
  if (!ctx.ev.headSha || !ctx.ev.owner) return { refused: 'the commit or repository is unknown (GITHUB_SHA, GITHUB_REPOSITORY)' };
  try {
    const { data } = await ctx.client.rest.checks.create({
      owner: ctx.ev.owner, repo: ctx.ev.repo, name: ctx.checkName, head_sha: ctx.ev.headSha, status: 'in_progress',
      started_at: new Date().toISOString(),
    });
    ctx.logger.info(`Check run "${ctx.checkName}" created on ${ctx.ev.headSha.slice(0, 7)} (id ${data.id}).`);
    return { id: data.id };
  } catch (error) {
    const status = statusOf(error);
    const why = status === 403 || status === 404
      ? `the token may not create check runs (${describeError(error)}; a pull request from a fork gets a read-only token)`
      : `creating it failed (${describeError(error)})`;
    ctx.logger.warning(`No check run: ${why}. Annotations go to the log as workflow commands, and the report to the job summary.`);
    return { refused: why };
  }
}

/** Sends the output and annotations, then completes the run. Returns the reason when it could not finish. */
async function finishCheckRun(ctx: PublishContext, id: number, report: Report, notes: string[]): Promise<string | undefined> {
  const client = ctx.client!;
  const out = toCheckOutput(report, {
    links: links(ctx.ev), runUrl: ctx.ev.runUrl, fullReport: ctx.fullReport, notes,
    neutralWhenReported: ctx.neutralWhenReported || report.policy.conclusionWhenReported === 'neutral',
  });
  const base = { owner: ctx.ev.owner, repo: ctx.ev.repo, check_run_id: id };
  const output = { title: out.title, summary: out.summary };
  const batches = out.batches.length ? out.batches : [[]];
  let sent = 0;
  try {
    for (let i = 0; i < batches.length - 1; i++) {
      await client.rest.checks.update({ ...base, output: { ...output, annotations: batches[i] } });
      sent += batches[i].length;
    }
    const last = batches[batches.length - 1];
    await client.rest.checks.update({
      ...base, status: 'completed', conclusion: out.conclusion, completed_at: new Date().toISOString(),
      output: { ...output, ...(last.length ? { annotations: last } : {}) },
    });
    sent += last.length;
    ctx.logger.info(`Check run completed: ${out.conclusion}, ${sent} annotations in ${out.batches.length} request(s).`);
    return undefined;
  } catch (error) {
    const why = `updating the check run failed after ${sent} annotations (${describeError(error)})`;
    ctx.logger.warning(`${why}; every annotation goes to the log as workflow commands instead.`);
    await client.rest.checks.update({ ...base, status: 'completed', conclusion: out.conclusion, output })
      .catch((e: unknown) => ctx.logger.warning(`completing the check run failed too (${describeError(e)})`));
    return why;
  }
}

/** Completes a check run that was started when the scan itself failed (a policy error, a bug). */
export async function failCheckRun(ctx: PublishContext, id: number | undefined, title: string, text: string): Promise<void> {
  if (id === undefined || !ctx.client) return;
  await ctx.client.rest.checks.update({
    owner: ctx.ev.owner, repo: ctx.ev.repo, check_run_id: id, status: 'completed', conclusion: 'failure',
    completed_at: new Date().toISOString(), output: { title: title.slice(0, 255), summary: text.slice(0, 65_000) },
  }).catch((e: unknown) => ctx.logger.warning(`completing the check run failed (${describeError(e)})`));
}

function printCommands(ctx: PublishContext, report: Report, reason: string): string[] {
  const { lines, hidden } = workflowCommands(report);
  ctx.logger.info(`Annotating ${lines.length} findings with workflow commands (${reason}).`);
  for (const line of lines) ctx.surfaces.command(line);
  if (hidden === 0) return [];
  return [`GitHub shows at most 10 workflow-command annotations per level per step: ${hidden} of ${lines.length} findings are not annotated on the files. All are in the tables here, the log, the SARIF log and the JSON report.`];
}

/**
 * Finds the gate's own comment: the marker opens it, and the token's own identity wrote it (GraphQL's
 * `viewer`: the REST API has no "who am I" an Actions token may call). Another bot's comment that opens with the
 * marker (one that quotes it, or one made to look like ours) is never edited, nor read for what it says was
 * blocking before. Where the viewer cannot be asked (an API without GraphQL), any bot's marked comment is
 * taken, as before, and the log says so.
 */
async function findComment(client: GitHubClient, ev: GateEvent, logger: Logger): Promise<{ id: number; body: string } | undefined> {
  const comments = await client.paginate(client.rest.issues.listComments, {
    owner: ev.owner, repo: ev.repo, issue_number: ev.pullNumber!, per_page: 100,
  });
  const marked = comments.filter((c) => isGateComment(c.body) && c.user?.type === 'Bot');
  if (marked.length === 0) return undefined;
  const me = await viewerLogin(client).catch((error: unknown) => {
    logger.debug(`asking GraphQL for the token's login failed (${describeError(error)}); taking any bot's marked comment as ours`);
    return undefined;
  });
  const ours = me === undefined ? marked : marked.filter((c) => sameLogin(c.user?.login, me));
  return ours.length ? { id: ours[0].id, body: ours[0].body ?? '' } : undefined;
}

async function viewerLogin(client: GitHubClient): Promise<string> {
  const data = await client.graphql<{ viewer?: { login?: unknown } }>('query { viewer { login } }');
  const login = data?.viewer?.login;
  if (typeof login !== 'string' || login === '') throw new Error('no viewer login in the answer');
  return login;
}

/** Logins compared as GitHub spells a bot's in its two APIs: `name[bot]` in REST, often `name` in GraphQL. */
function sameLogin(a: string | undefined, b: string): boolean {
  const plain = (s: string) => s.toLowerCase().replace(/\[bot\]$/, '');
  return a !== undefined && plain(a) === plain(b);
}

async function publishComment(ctx: PublishContext, report: Report, notes: string[]): Promise<string | undefined> {
  if (ctx.ev.kind !== 'pull_request' || ctx.comment === 'never' || !ctx.client) return undefined;
  const client = ctx.client;
  try {
    const previous = await findComment(client, ctx.ev, ctx.logger);
    if (!shouldComment(ctx.comment, report, previous !== undefined)) return undefined;
    const { body } = toComment(report, { links: links(ctx.ev), runUrl: ctx.ev.runUrl, fullReport: ctx.fullReport, notes, previous: previous?.body });
    if (previous) {
      await client.rest.issues.updateComment({ owner: ctx.ev.owner, repo: ctx.ev.repo, comment_id: previous.id, body });
      ctx.logger.info(`PR comment updated (id ${previous.id}).`);
    } else {
      const { data } = await client.rest.issues.createComment({ owner: ctx.ev.owner, repo: ctx.ev.repo, issue_number: ctx.ev.pullNumber!, body });
      ctx.logger.info(`PR comment created (id ${data.id}).`);
    }
    return undefined;
  } catch (error) {
    const why = `The PR comment could not be written (${describeError(error)}); a pull request from a fork gets a read-only token. The report is in this summary.`;
    ctx.logger.warning(why);
    return why;
  }
}

/** Every surface, in order; returns the notes each degradation left, for the caller's log. */
export async function publish(ctx: PublishContext, report: Report, check: { id?: number; refused?: string }): Promise<string[]> {
  const notes: string[] = [];
  let commandsReason: string | undefined;
  if (ctx.annotations !== 'check-run') commandsReason = `annotations: ${ctx.annotations}`;
  if (check.refused) {
    notes.push(`No check run: ${check.refused}. Findings are annotated with workflow commands instead.`);
    commandsReason = 'no check run';
  }
  if (check.id !== undefined) {
    const failed = await finishCheckRun(ctx, check.id, report, []);
    if (failed) {
      notes.push(`The check run is incomplete: ${failed}. Findings are annotated with workflow commands instead.`);
      commandsReason = 'the check run could not take them';
    }
  }
  if (commandsReason) notes.push(...printCommands(ctx, report, commandsReason));
  const commentNote = await publishComment(ctx, report, []);
  if (commentNote) notes.push(commentNote);
  if (ctx.surfaces.summary) {
    const { text, omittedRows } = toJobSummary(report, { links: links(ctx.ev), runUrl: ctx.ev.runUrl, fullReport: ctx.fullReport, notes });
    await ctx.surfaces.summary(text);
    if (omittedRows) ctx.logger.warning(`${omittedRows} findings did not fit in the job summary (1 MiB); they are in ${ctx.fullReport}.`);
  } else {
    ctx.logger.warning('GITHUB_STEP_SUMMARY is not set: no job summary written.');
  }
  return notes;
}
