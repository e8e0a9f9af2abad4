import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { checkRequest } from './openapi.js';

/**
 * A stand-in for api.github.com on 127.0.0.1, for the action's end-to-end tests. Every request is checked
 * against GitHub's OpenAPI description (method, path, parameters, body) and against the limits GitHub
 * enforces beyond the schema (50 annotations per request, comment size, an existing check run); answers have
 * the shapes GitHub gives. Faults (5xx, 403 for a fork's read-only token) are injected per operation.
 */
export interface PullFile { filename: string; status: 'added' | 'removed' | 'modified' | 'renamed' | 'copied' | 'changed'; previous_filename?: string }

export interface Fault { operationId: string; status: number; times: number; message?: string }

export interface RecordedRequest {
  method: string;
  path: string;
  query: Record<string, string>;
  body: any;
  operationId?: string;
  authorization?: string;
  accept?: string;
  status: number;
  errors: string[];
}

export interface CheckRunState { id: number; name: string; head_sha: string; status: string; conclusion?: string; output?: any; annotations: any[] }
export interface CommentState { id: number; body: string; user: { login: string; type: 'Bot' | 'User' } }

export interface FakeState {
  owner: string;
  repo: string;
  pullFiles: PullFile[];
  /** ref → path → text */
  contents: Record<string, Record<string, string>>;
  /** Operations that answer 403 "Resource not accessible by integration" (a fork PR's read-only token). */
  forbidden: string[];
  faults: Fault[];
  checkRuns: CheckRunState[];
  comments: CommentState[];
  /** The PR's reviews, oldest first (pulls/list-reviews). */
  reviews?: FakeReview[];
  /** `org/team-slug` → members (teams/get-membership-for-user-in-org); `pending` for an invitation not accepted. */
  teams?: Record<string, Array<{ login: string; state?: 'active' | 'pending' }>>;
  /**
   * The token's own login, as the GraphQL API's `viewer` gives it (default github-actions[bot], the Actions
   * token's bot); the fake answers only that query. `graphql` in `forbidden` makes it answer 403.
   */
  viewer?: string;
}

export interface FakeReview { login: string; state: 'APPROVED' | 'CHANGES_REQUESTED' | 'COMMENTED' | 'DISMISSED' | 'PENDING'; commit_id?: string }

const LIMITS = { annotationsPerRequest: 50, commentChars: 65_536, summaryChars: 65_535, pullFilesCap: 3000 };

export class FakeGitHub {
  readonly requests: RecordedRequest[] = [];
  state: FakeState;
  private server?: Server;
  private nextId = 1000;
  private url = '';

  constructor(partial: Partial<FakeState> = {}) {
    this.state = {
      owner: 'octo-org', repo: 'ml-repo', pullFiles: [], contents: {}, forbidden: [], faults: [], checkRuns: [], comments: [], ...partial,
    };
  }

  async start(): Promise<string> {
    this.server = createServer((req, res) => { void this.handle(req, res); });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this.url;
  }

  async stop(): Promise<void> {
    if (!this.server) return;
    const closed = new Promise<void>((resolve) => this.server!.close(() => resolve()));
    this.server.closeAllConnections();
    await closed;
    this.server = undefined;
  }

  /** Problems found in any request (an empty list when every request was valid). */
  invalid(): string[] {
    return this.requests.flatMap((r) => r.errors.map((e) => `${r.method} ${r.path}: ${e}`));
  }

  ops(): string[] {
    return this.requests.map((r) => `${r.status} ${r.operationId ?? `${r.method} ${r.path}`}`);
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const raw = Buffer.concat(chunks).toString('utf8');
    const url = new URL(req.url ?? '/', 'http://x');
    let body: any;
    const errors: string[] = [];
    if (raw) {
      try { body = JSON.parse(raw); } catch { errors.push('body is not JSON'); }
    }
    const method = req.method ?? 'GET';
    if (method === 'POST' && url.pathname === '/graphql') return this.graphql(req, res, body);
    const checked = checkRequest(method, url.pathname, url.searchParams, body);
    errors.push(...checked.errors);
    const auth = req.headers.authorization;
    if (!auth || !/^(token|bearer) \S+$/i.test(auth)) errors.push('no Authorization header');
    const record: RecordedRequest = {
      method, path: url.pathname, query: Object.fromEntries(url.searchParams), body, operationId: checked.operationId,
      authorization: auth, accept: req.headers.accept, status: 0, errors,
    };
    this.requests.push(record);
    const send = (status: number, data: unknown, headers: Record<string, string> = {}) => {
      record.status = status;
      const text = typeof data === 'string' ? data : JSON.stringify(data);
      res.writeHead(status, { 'content-type': typeof data === 'string' ? 'application/vnd.github.raw; charset=utf-8' : 'application/json; charset=utf-8', ...headers });
      res.end(text);
    };
    if (errors.length && !checked.operationId) return send(404, { message: 'Not Found', documentation_url: 'https://docs.github.com/rest' });
    const id = checked.operationId!;
    const fault = this.state.faults.find((f) => f.operationId === id && f.times > 0);
    if (fault) {
      fault.times--;
      return send(fault.status, fault.status >= 500 ? '<html>Bad gateway</html>' : { message: fault.message ?? 'fault' }, { 'content-type': 'text/html' });
    }
    if (this.state.forbidden.includes(id)) {
      return send(403, { message: 'Resource not accessible by integration', documentation_url: 'https://docs.github.com/rest', status: '403' });
    }
    try {
      const [status, data, headers] = this.answer(id, checked.params, url.searchParams, body, record);
      send(status, data, headers);
    } catch (e) {
      record.errors.push(`fake failed: ${(e as Error).message}`);
      send(500, { message: 'fake failed' });
    }
  }

  /** GitHub's GraphQL endpoint, for the one query the gate makes: `viewer { login }`. */
  private graphql(req: IncomingMessage, res: ServerResponse, body: any): void {
    const record: RecordedRequest = {
      method: 'POST', path: '/graphql', query: {}, body, operationId: 'graphql', authorization: req.headers.authorization,
      accept: req.headers.accept, status: 0, errors: [],
    };
    this.requests.push(record);
    const send = (status: number, data: unknown) => {
      record.status = status;
      res.writeHead(status, { 'content-type': 'application/json; charset=utf-8' });
      res.end(JSON.stringify(data));
    };
    if (!/^(token|bearer) \S+$/i.test(req.headers.authorization ?? '')) record.errors.push('no Authorization header');
    if (this.state.forbidden.includes('graphql')) return send(403, { message: 'Resource not accessible by integration' });
    if (typeof body?.query !== 'string' || !/^\s*(?:query\s*)?\{\s*viewer\s*\{\s*login\s*\}\s*\}\s*$/.test(body.query)) {
      record.errors.push(`the fake answers only the viewer query, not ${JSON.stringify(body?.query)}`);
      return send(200, { errors: [{ message: 'not implemented by the fake' }] });
    }
    send(200, { data: { viewer: { login: this.state.viewer ?? 'github-actions[bot]' } } });
  }

  private answer(id: string, p: Record<string, string>, q: URLSearchParams, body: any, record: RecordedRequest): [number, unknown, Record<string, string>?] {
    const { owner, repo } = this.state;
    if (p.owner !== undefined && (p.owner !== owner || p.repo !== repo)) return [404, { message: 'Not Found' }];
    const now = new Date().toISOString();
    switch (id) {
      case 'pulls/list-files': {
        const capped = this.state.pullFiles.slice(0, LIMITS.pullFilesCap);
        return this.page(capped.map((f, i) => ({
          sha: (i + 1).toString(16).padStart(40, '0'), filename: f.filename, status: f.status, additions: 1, deletions: 0, changes: 1,
          blob_url: `https://github.com/${owner}/${repo}/blob/x/${f.filename}`, raw_url: `https://github.com/${owner}/${repo}/raw/x/${f.filename}`,
          contents_url: `https://api.github.com/repos/${owner}/${repo}/contents/${f.filename}`,
          ...(f.previous_filename ? { previous_filename: f.previous_filename } : {}),
        })), q, `/repos/${owner}/${repo}/pulls/${p.pull_number}/files`);
      }
      case 'repos/get-content': {
        const text = this.state.contents[q.get('ref') ?? 'main']?.[p.path];
        if (text === undefined) return [404, { message: 'Not Found', documentation_url: 'https://docs.github.com/rest/repos/contents#get-repository-content', status: '404' }];
        if (/raw/.test(record.accept ?? '')) return [200, text];
        return [200, { type: 'file', encoding: 'base64', size: Buffer.byteLength(text), name: p.path.split('/').pop(), path: p.path, content: Buffer.from(text).toString('base64'), sha: 'a'.repeat(40) }];
      }
      case 'checks/create': {
        const run: CheckRunState = { id: this.nextId++, name: body.name, head_sha: body.head_sha, status: body.status ?? 'queued', annotations: [] };
        this.applyCheckUpdate(run, body, record);
        this.state.checkRuns.push(run);
        return [201, this.checkRunJson(run, now)];
      }
      case 'checks/update': {
        const run = this.state.checkRuns.find((r) => r.id === Number(p.check_run_id));
        if (!run) return [404, { message: 'Not Found' }];
        this.applyCheckUpdate(run, body, record);
        return [200, this.checkRunJson(run, now)];
      }
      case 'issues/list-comments':
        return this.page(this.state.comments.map((c) => this.commentJson(c, now)), q, `/repos/${owner}/${repo}/issues/${p.issue_number}/comments`);
      case 'issues/create-comment': {
        if (body.body.length > LIMITS.commentChars) { record.errors.push(`comment body is ${body.body.length} characters`); return [422, { message: 'Validation Failed' }]; }
        const c: CommentState = { id: this.nextId++, body: body.body, user: { login: this.state.viewer ?? 'github-actions[bot]', type: 'Bot' } };
        this.state.comments.push(c);
        return [201, this.commentJson(c, now)];
      }
      case 'issues/update-comment': {
        const c = this.state.comments.find((x) => x.id === Number(p.comment_id));
        if (!c) return [404, { message: 'Not Found' }];
        if (body.body.length > LIMITS.commentChars) { record.errors.push(`comment body is ${body.body.length} characters`); return [422, { message: 'Validation Failed' }]; }
        c.body = body.body;
        return [200, this.commentJson(c, now)];
      }
      case 'pulls/list-reviews':
        return this.page((this.state.reviews ?? []).map((r, i) => this.reviewJson(r, i + 1, Number(p.pull_number), now)), q, `/repos/${owner}/${repo}/pulls/${p.pull_number}/reviews`);
      case 'teams/get-membership-for-user-in-org': {
        const member = this.state.teams?.[`${p.org}/${p.team_slug}`]?.find((m) => m.login.toLowerCase() === p.username.toLowerCase());
        if (!member) return [404, { message: 'Not Found', documentation_url: 'https://docs.github.com/rest/teams/members#get-team-membership-for-a-user', status: '404' }];
        return [200, { url: `https://api.github.com/organizations/1/team/2/memberships/${member.login}`, role: 'member', state: member.state ?? 'active' }];
      }
      default:
        record.errors.push(`the fake does not implement ${id}`);
        return [501, { message: 'not implemented by the fake' }];
    }
  }

  private applyCheckUpdate(run: CheckRunState, body: any, record: RecordedRequest): void {
    if (body.status) run.status = body.status;
    if (body.conclusion) { run.conclusion = body.conclusion; run.status = 'completed'; }
    const annotations = body.output?.annotations ?? [];
    if (annotations.length > LIMITS.annotationsPerRequest) record.errors.push(`${annotations.length} annotations in one request (GitHub takes at most 50)`);
    if (body.output) run.output = { title: body.output.title, summary: body.output.summary };
    run.annotations.push(...annotations);
  }

  private page(items: unknown[], q: URLSearchParams, path: string): [number, unknown, Record<string, string>] {
    const perPage = Math.min(100, Number(q.get('per_page') ?? 30));
    const page = Number(q.get('page') ?? 1);
    const last = Math.max(1, Math.ceil(items.length / perPage));
    const headers: Record<string, string> = {};
    if (page < last) {
      const link = (n: number) => `<${this.url}${path}?per_page=${perPage}&page=${n}>`;
      headers.link = `${link(page + 1)}; rel="next", ${link(last)}; rel="last"`;
    }
    return [200, items.slice((page - 1) * perPage, page * perPage), headers];
  }

  private checkRunJson(run: CheckRunState, now: string): unknown {
    const { owner, repo } = this.state;
    return {
      id: run.id, head_sha: run.head_sha, node_id: `CR_${run.id}`, external_id: '', url: `https://api.github.com/repos/${owner}/${repo}/check-runs/${run.id}`,
      html_url: `https://github.com/${owner}/${repo}/runs/${run.id}`, details_url: null, status: run.status, conclusion: run.conclusion ?? null,
      started_at: now, completed_at: run.status === 'completed' ? now : null, name: run.name,
      output: { title: run.output?.title ?? null, summary: run.output?.summary ?? null, text: null, annotations_count: run.annotations.length, annotations_url: '' },
      check_suite: { id: 1 }, app: null, pull_requests: [],
    };
  }

  private reviewJson(r: FakeReview, id: number, pull: number, now: string): unknown {
    const { owner, repo } = this.state;
    return {
      id, node_id: `PRR_${id}`, user: { login: r.login, id: 1000 + id, type: 'User' }, body: '', state: r.state,
      html_url: `https://github.com/${owner}/${repo}/pull/${pull}#pullrequestreview-${id}`, pull_request_url: `https://api.github.com/repos/${owner}/${repo}/pulls/${pull}`,
      _links: { html: { href: '' }, pull_request: { href: '' } }, ...(r.state === 'PENDING' ? {} : { submitted_at: now }),
      commit_id: r.commit_id ?? 'f'.repeat(40), author_association: 'MEMBER',
    };
  }

  private commentJson(c: CommentState, now: string): unknown {
    const { owner, repo } = this.state;
    return {
      id: c.id, node_id: `IC_${c.id}`, url: `https://api.github.com/repos/${owner}/${repo}/issues/comments/${c.id}`,
      html_url: `https://github.com/${owner}/${repo}/pull/1#issuecomment-${c.id}`, body: c.body,
      user: { login: c.user.login, id: 41898282, type: c.user.type }, created_at: now, updated_at: now, author_association: 'NONE',
    };
  }
}
