import { afterEach, describe, expect, it } from '@jest/globals';
import { createClient } from '../../src/github/client.js';
import { latestStates, listReviews, reviewLookup, teamMembership } from '../../src/github/reviews.js';
import { silentLogger } from '../../src/engine/logger.js';
import { FakeGitHub, type FakeReview } from '../helpers/fake-github/server.js';

let fake: FakeGitHub | undefined;
afterEach(async () => { await fake?.stop(); fake = undefined; });

async function clientFor(state: ConstructorParameters<typeof FakeGitHub>[0]) {
  fake = new FakeGitHub(state);
  return createClient('t0ken', { logger: silentLogger, baseUrl: await fake.start(), retryBaseMs: 1 });
}

const ref = { owner: 'octo-org', repo: 'ml-repo', pullNumber: 7, headSha: 'a'.repeat(40) };

describe('latestStates', () => {
  it('keeps each reviewer\'s latest deciding review; a comment does not replace it, a dismissal withdraws it', () => {
    expect(latestStates([
      { login: 'alice', state: 'CHANGES_REQUESTED' }, { login: 'alice', state: 'APPROVED', commitId: 'c1' }, { login: 'alice', state: 'COMMENTED' },
      { login: 'bob', state: 'APPROVED' }, { login: 'bob', state: 'DISMISSED' },
      { login: 'carol', state: 'APPROVED' }, { login: 'Carol', state: 'CHANGES_REQUESTED' },
      { login: 'dan', state: 'COMMENTED' }, { state: 'APPROVED' },
    ])).toEqual([{ login: 'alice', state: 'APPROVED', commitId: 'c1' }, { login: 'Carol', state: 'CHANGES_REQUESTED' }]);
  });
});

describe('reviews through the API', () => {
  it('lists every page of reviews (more than 100), with valid requests', async () => {
    const reviews: FakeReview[] = Array.from({ length: 230 }, (_, i) => ({ login: `user${i % 120}`, state: i < 200 ? 'COMMENTED' : 'APPROVED', commit_id: 'b'.repeat(40) }));
    const client = await clientFor({ reviews });
    const listed = await listReviews(client, ref);
    expect(listed).toHaveLength(230);
    expect(fake!.ops()).toEqual(['200 pulls/list-reviews', '200 pulls/list-reviews', '200 pulls/list-reviews']);
    expect(fake!.invalid()).toEqual([]);
    expect(latestStates(listed).map((r) => r.login)).toEqual(Array.from({ length: 30 }, (_, i) => `user${80 + i}`).sort((a, b) => Number(a.slice(4)) - Number(b.slice(4))));
  });

  it('reads team membership: active, pending, absent', async () => {
    const client = await clientFor({ teams: { 'octo-org/ml-platform': [{ login: 'alice' }, { login: 'bob', state: 'pending' }] } });
    expect(await teamMembership(client, 'octo-org/ml-platform', 'alice')).toBe(true);
    expect(await teamMembership(client, '@octo-org/ml-platform', 'bob')).toBe(false);
    expect(await teamMembership(client, 'octo-org/ml-platform', 'mallory')).toBe(false);
    expect(fake!.invalid()).toEqual([]);
  });

  it('says membership is unknown when the token may not read it', async () => {
    const client = await clientFor({ forbidden: ['teams/get-membership-for-user-in-org'] });
    expect(await teamMembership(client, 'octo-org/ml-platform', 'alice')).toBeUndefined();
  });

  it('memoises: each answer is fetched once', async () => {
    const client = await clientFor({ reviews: [{ login: 'alice', state: 'APPROVED' }], teams: { 'octo-org/t': [{ login: 'alice' }] } });
    const lookup = reviewLookup(client, ref);
    await lookup.latest(); await lookup.latest();
    await lookup.isTeamMember('octo-org/t', 'alice'); await lookup.isTeamMember('octo-org/t', 'ALICE');
    expect(fake!.ops()).toEqual(['200 pulls/list-reviews', '200 teams/get-membership-for-user-in-org']);
  });
});
