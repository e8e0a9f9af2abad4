import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A stand-in for OSV's `POST /v1/querybatch` on 127.0.0.1: answers from `known` (`name==version` → ids). */
export interface FakeOsv { url: string; requests: unknown[]; close(): Promise<void> }

export async function startFakeOsv(known: Record<string, string[]>, behaviour: 'ok' | 'error' | 'garbage' | 'slow' = 'ok'): Promise<FakeOsv> {
  const requests: unknown[] = [];
  const server: Server = createServer((req, res) => {
    let body = '';
    req.on('data', (c) => { body += c; });
    req.on('end', () => {
      if (req.method !== 'POST' || req.url !== '/v1/querybatch') { res.writeHead(404).end(); return; }
      const parsed = JSON.parse(body) as { queries: Array<{ package: { name: string; ecosystem: string }; version: string }> };
      requests.push(parsed);
      if (behaviour === 'error') { res.writeHead(503).end('unavailable'); return; }
      if (behaviour === 'garbage') { res.writeHead(200).end('<html>'); return; }
      if (behaviour === 'slow') return; // never answers: the client's timeout must fire
      const results = parsed.queries.map((q) => {
        const ids = known[`${q.package.name}==${q.version}`] ?? [];
        return ids.length ? { vulns: ids.map((id) => ({ id, modified: '2025-01-01T00:00:00Z' })) } : {};
      });
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ results }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`, requests,
    close: () => new Promise<void>((resolve) => { server.closeAllConnections(); server.close(() => resolve()); }),
  };
}
