/**
 * A pull request's reviews and the team membership of its reviewers, for governance/required-review. Reads
 * only (GET); the rule asks lazily, so a PR that touches no protected path costs no request.
 *
 * GitHub's semantics (https://docs.github.com/rest/pulls/reviews): reviews come oldest first; a reviewer's
 * state is their latest APPROVED or CHANGES_REQUESTED review (a COMMENTED review does not replace it); a
 * DISMISSED review withdraws what it was. Team membership is `GET /orgs/{org}/teams/{team_slug}/memberships/{username}`
 * (404 when not a member; it needs a token that may read the organization's members, which the workflow's
 * GITHUB_TOKEN may not: then membership is unknown, never assumed).
 */
import type { ReviewLookup, ReviewerState } from '../engine/rule.js';
import { statusOf, type GitHubClient } from './client.js';

export interface RawReview { login?: string; state: string; commitId?: string }

/** The latest state per reviewer, in the order reviewers first appeared. */
export function latestStates(reviews: readonly RawReview[]): ReviewerState[] {
  const byLogin = new Map<string, ReviewerState>();
  for (const r of reviews) {
    if (!r.login) continue;
    const key = r.login.toLowerCase();
    if (r.state === 'APPROVED' || r.state === 'CHANGES_REQUESTED') byLogin.set(key, { login: r.login, state: r.state, ...(r.commitId ? { commitId: r.commitId } : {}) });
    else if (r.state === 'DISMISSED') byLogin.delete(key);
  }
  return [...byLogin.values()];
}

/** Every review of a pull request (paginated, 100 a page). */
export async function listReviews(client: GitHubClient, ref: { owner: string; repo: string; pullNumber: number }): Promise<RawReview[]> {
  const reviews = await client.paginate(client.rest.pulls.listReviews, { owner: ref.owner, repo: ref.repo, pull_number: ref.pullNumber, per_page: 100 });
  return reviews.map((r) => ({ login: r.user?.login, state: r.state, ...(r.commit_id ? { commitId: r.commit_id } : {}) }));
}

/** True for an active member, false for none (404 or pending), undefined when the token may not read it. */
export async function teamMembership(client: GitHubClient, team: string, login: string): Promise<boolean | undefined> {
  const [org, slug] = team.replace(/^@/, '').split('/');
  if (!org || !slug) return undefined;
  try {
    const { data } = await client.rest.teams.getMembershipForUserInOrg({ org, team_slug: slug, username: login });
    return data.state === 'active';
  } catch (error) {
    if (statusOf(error) === 404) return false;
    if (statusOf(error) === 403 || statusOf(error) === 401) return undefined;
    throw error;
  }
}

/** The lookup handed to the rule through ChangeBase.reviews; each answer is fetched once. */
export function reviewLookup(client: GitHubClient, ref: { owner: string; repo: string; pullNumber: number; headSha: string }): ReviewLookup {
  let latest: Promise<ReviewerState[]> | undefined;
  const memberships = new Map<string, Promise<boolean | undefined>>();
  return {
    headSha: ref.headSha,
    latest: () => (latest ??= listReviews(client, ref).then(latestStates)),
    isTeamMember: (team, login) => {
      const key = `${team.toLowerCase()}\0${login.toLowerCase()}`;
      if (!memberships.has(key)) memberships.set(key, teamMembership(client, team, login));
      return memberships.get(key)!;
    },
  };
}
