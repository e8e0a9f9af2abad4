import { afterEach, describe, expect, it } from '@jest/globals';
import { OsvError, queryOsv } from '../../src/detect/osv.js';
import { startFakeOsv, type FakeOsv } from '../helpers/fake-osv.js';

describe('queryOsv (against a fake OSV on 127.0.0.1)', () => {
  let osv: FakeOsv | undefined;
  afterEach(async () => { await osv?.close(); osv = undefined; });

  it('sends one PyPI batch and returns ids per query, in order', async () => {
    osv = await startFakeOsv({ 'torch==2.1.0': ['GHSA-aaaa-bbbb-cccc', 'PYSEC-2025-1'] });
    const got = await queryOsv([{ name: 'numpy', version: '2.0.0' }, { name: 'torch', version: '2.1.0' }], { url: osv.url });
    expect(got).toEqual([[], [{ id: 'GHSA-aaaa-bbbb-cccc' }, { id: 'PYSEC-2025-1' }]]);
    expect(osv.requests).toEqual([{ queries: [
      { package: { name: 'numpy', ecosystem: 'PyPI' }, version: '2.0.0' }, { package: { name: 'torch', ecosystem: 'PyPI' }, version: '2.1.0' },
    ] }]);
  });
  it.each([['error', /HTTP 503/], ['garbage', /not JSON/], ['slow', /timed out/]] as const)('turns %s into an OsvError', async (behaviour, message) => {
    osv = await startFakeOsv({}, behaviour);
    await expect(queryOsv([{ name: 'x', version: '1' }], { url: osv.url, timeoutMs: 300 })).rejects.toThrow(OsvError);
    await expect(queryOsv([{ name: 'x', version: '1' }], { url: osv.url, timeoutMs: 300 })).rejects.toThrow(message);
  });
});
