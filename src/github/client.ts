/**
 * The REST client: @actions/github's Octokit with retries (5xx, 429: up to 3 times, with quadratic backoff)
 * and throttling (primary and secondary rate limits: wait as GitHub says, then retry, a bounded number of
 * times). The token goes only into the Authorization header; nothing here logs it or a request's headers.
 */
import { getOctokit } from '@actions/github';
import { retry } from '@octokit/plugin-retry';
import { throttling } from '@octokit/plugin-throttling';
import type { Logger } from '../engine/logger.js';

export type GitHubClient = ReturnType<typeof getOctokit>;

export interface ClientOptions {
  logger: Logger;
  /** The API root; by default GITHUB_API_URL (as @actions/github reads it). */
  baseUrl?: string;
  /** Retries after a rate limit; beyond it the request fails and the caller degrades. */
  rateLimitRetries?: number;
  /** Multiplier of the retry plugin's backoff, in ms (1, 4, 9 × this). */
  retryBaseMs?: number;
}

export function createClient(token: string, opts: ClientOptions): GitHubClient {
  const limit = opts.rateLimitRetries ?? 2;
  const onLimit = (kind: string) => (retryAfter: number, options: { method: string; url: string }, _octokit: unknown, retryCount: number) => {
    const retrying = retryCount < limit;
    opts.logger.warning(`GitHub ${kind} rate limit on ${options.method} ${options.url}; ${retrying ? `retrying after ${retryAfter} s` : 'giving up'}`);
    return retrying;
  };
  return getOctokit(
    token,
    {
      ...(opts.baseUrl ? { baseUrl: opts.baseUrl } : {}),
      retry: { retries: 3, doNotRetry: [400, 401, 403, 404, 410, 422, 451], retryAfterBaseValue: opts.retryBaseMs ?? 1000 },
      throttle: { onRateLimit: onLimit('primary'), onSecondaryRateLimit: onLimit('secondary') },
      log: { debug: () => {}, info: () => {}, warn: (m: string) => opts.logger.debug(m), error: (m: string) => opts.logger.debug(m) },
    },
    retry,
    throttling,
  );
}

/** The HTTP status of an Octokit error, or undefined for other errors. */
export function statusOf(error: unknown): number | undefined {
  const status = (error as { status?: unknown })?.status;
  return typeof status === 'number' ? status : undefined;
}

/** A short description of a failed request for the log: status and GitHub's message, never headers. */
export function describeError(error: unknown): string {
  const status = statusOf(error);
  const message = (error as { response?: { data?: { message?: unknown } } })?.response?.data?.message;
  const text = typeof message === 'string' ? message : (error as Error)?.message ?? String(error);
  return status ? `HTTP ${status}: ${text.slice(0, 300)}` : text.slice(0, 300);
}
