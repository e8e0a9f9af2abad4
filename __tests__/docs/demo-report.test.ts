/**
 * docs/demo-report.md is the demo repository's report rendered by the real renderers; this test re-renders it
 * and fails when it differs (`node scripts/render-demo-report.mjs` rewrites it).
 */
import { describe, expect, it } from '@jest/globals';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { demoComment, renderDemoReport, scanDemo, withReadmeExcerpt } from '../../src/docs/demo-report.js';

const repo = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const FILE = join(repo, 'docs', 'demo-report.md');

describe('docs/demo-report.md', () => {
  it('is the current rendering of a scan of examples/demo-repo', async () => {
    const report = await scanDemo(repo);
    const wanted = renderDemoReport(report);
    if (process.env.UPDATE_GENERATED === '1') writeFileSync(FILE, wanted);
    const current = existsSync(FILE) ? readFileSync(FILE, 'utf8') : '(missing)';
    if (current !== wanted) throw new Error('docs/demo-report.md is out of date: run `node scripts/render-demo-report.mjs`');
    // What the page must show, whatever else changes: a failing gate with the demo's planted critical finding.
    expect(report.verdict.passed).toBe(false);
    expect(current).toContain('<!-- ai-pipeline-gate:comment -->');
    expect(current).toContain('model/unsafe-pickle');
    expect(current).toContain(' in 1.2 s');
  });

  it('README.md shows the demo\'s PR comment between its markers, current', async () => {
    const readmeFile = join(repo, 'README.md');
    const wanted = withReadmeExcerpt(readFileSync(readmeFile, 'utf8'), demoComment(await scanDemo(repo)));
    if (wanted === undefined) throw new Error('README.md lost its demo-comment markers');
    if (process.env.UPDATE_GENERATED === '1') writeFileSync(readmeFile, wanted);
    if (readFileSync(readmeFile, 'utf8') !== wanted) throw new Error('README.md\'s demo comment is out of date: run `node scripts/render-demo-report.mjs`');
    expect(wanted).toContain('AI pipeline gate:');
  });

  it('renders deterministically (two scans give the same page)', async () => {
    expect(renderDemoReport(await scanDemo(repo))).toBe(renderDemoReport(await scanDemo(repo)));
  });
});
