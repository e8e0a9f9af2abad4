/**
 * Optional online lookup of PyPI packages in OSV (https://osv.dev) through its batch API
 * (`POST /v1/querybatch`, documented at https://google.github.io/osv.dev/post-v1-querybatch/). Off by default;
 * a rule calls it only when the policy enables it. The response is size-capped and validated; every failure
 * (network, timeout, status, shape) is an OsvError, which the caller reports as "not checked online".
 */
export const OSV_DEFAULT_URL = 'https://api.osv.dev';
/** OSV accepts up to 1000 queries per batch. */
const MAX_BATCH = 1000;
const MAX_RESPONSE_BYTES = 8 * 1024 * 1024;

export interface OsvQuery { name: string; version: string }
export interface OsvVuln { id: string }

export class OsvError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'OsvError';
  }
}

export interface OsvOptions {
  /** Base URL (no trailing `/v1/…`); tests point it at a server on 127.0.0.1. */
  url?: string;
  timeoutMs?: number;
  fetchImpl?: typeof fetch;
}

/** One list of vulnerability ids per query, in query order. */
export async function queryOsv(queries: readonly OsvQuery[], opts: OsvOptions = {}): Promise<OsvVuln[][]> {
  const out: OsvVuln[][] = [];
  for (let i = 0; i < queries.length; i += MAX_BATCH) out.push(...(await batch(queries.slice(i, i + MAX_BATCH), opts)));
  return out;
}

async function batch(queries: readonly OsvQuery[], opts: OsvOptions): Promise<OsvVuln[][]> {
  const url = `${(opts.url ?? OSV_DEFAULT_URL).replace(/\/+$/, '')}/v1/querybatch`;
  const body = JSON.stringify({ queries: queries.map((q) => ({ package: { name: q.name, ecosystem: 'PyPI' }, version: q.version })) });
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), opts.timeoutMs ?? 15_000);
  let text: string;
  try {
    const res = await (opts.fetchImpl ?? fetch)(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body, signal: controller.signal });
    if (!res.ok) throw new OsvError(`OSV answered HTTP ${res.status}`);
    text = await readCapped(res);
  } catch (error) {
    if (error instanceof OsvError) throw error;
    throw new OsvError(`OSV lookup failed: ${(error as Error)?.name === 'AbortError' ? 'timed out' : (error as Error)?.message ?? String(error)}`);
  } finally {
    clearTimeout(timer);
  }
  let parsed: unknown;
  try { parsed = JSON.parse(text); } catch { throw new OsvError('OSV answered with something that is not JSON'); }
  const results = (parsed as { results?: unknown })?.results;
  if (!Array.isArray(results) || results.length !== queries.length) throw new OsvError('OSV answered with an unexpected shape');
  return results.map((r) => {
    const vulns = (r as { vulns?: unknown })?.vulns;
    if (!Array.isArray(vulns)) return [];
    return vulns.flatMap((v) => (typeof (v as OsvVuln)?.id === 'string' && /^[A-Za-z0-9._:-]{1,64}$/.test((v as OsvVuln).id) ? [{ id: (v as OsvVuln).id }] : []));
  });
}

async function readCapped(res: Response): Promise<string> {
  if (!res.body) return res.text();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
    size += chunk.byteLength;
    if (size > MAX_RESPONSE_BYTES) throw new OsvError(`OSV answer larger than ${MAX_RESPONSE_BYTES} bytes`);
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}
