/**
 * The HTML trace view without a browser: what the page is made of (lanes,
 * rows, lock bars, the violation), that it is self-contained and escapes
 * what it shows, and `mmcheck report FILE --html OUT` for both file formats.
 */
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { lanesMachine, lanesTrace } from '../test/lanes.js';
import { main } from '../cli/main.js';
import { MODELS } from '../model/registry.js';
import { randomSearch as randomCheck } from '../shrinkers/search.js';
import { saveCounterexample } from './counterexample.js';
import type { Found } from './counterexample.js';
import { pageData, traceHtml } from './html.js';

const trace = lanesTrace();
const found: Found = { model: 'toy', variant: 'abba', engine: 'random', seed: 1, path: '0:1', config: {}, trace, property: 'deadlock' };
const page = { found, kernel: (s: unknown) => lanesMachine.kernel(s as never) };

describe('page data of a 20-step, 4-context trace', () => {
  const d = pageData(page);
  test('one lane per context in order of first step, a lock list and a diff per state', () => {
    expect(trace.steps).toHaveLength(20);
    expect(trace.violations.map((v) => v.property)).toEqual(['deadlock']);
    expect(d.lanes).toEqual(['C', 'A', 'D', 'B']);
    expect(d.locks).toHaveLength(21);
    expect(d.diffs[0]).toEqual([]);
    expect(d.diffs.slice(1).every((x) => x.length > 0)).toBe(true);
    const last = d.locks[20]?.find((l) => l.name === 'cache_mutex');
    expect(last).toMatchObject({ holders: ['A'], waiters: ['C', 'B'] });
    expect(d.locks[7]?.find((l) => l.name === 'map_sem')).toMatchObject({ holders: ['C'], mode: 'read', waiters: ['D (write)', 'B (read)'] });
  });
});

describe('the page', () => {
  const html = traceHtml({ ...page, replay: 'npx mmcheck repro x.json' });
  test('a row per step, lock bars for holding and waiting, and the violation marked', () => {
    expect(html.match(/<g class="row step" data-row="\d+"/g)).toHaveLength(20);
    for (const [i, s] of trace.steps.entries()) expect(html).toContain(`<g class="row step" data-row="${i + 1}" data-ctx="${s.info.ctx}">`);
    expect(html.match(/class="lockbar held"/g)?.length).toBeGreaterThan(4);
    expect(html.match(/class="lockbar wait"/g)?.length).toBeGreaterThan(3);
    expect(html).toContain('<tspan class="waits">waits cache_mutex</tspan>');
    expect(html).toContain('<tspan class="acq" fill="#2563eb">+cache_mutex</tspan>');
    expect(html).toMatch(/<rect class="rowbg(?: odd)? viol" data-row="20"/);
    expect(html).toMatch(/class="violmark"[^>]*>✗ deadlock</);
    expect(html).toContain('violates <b>deadlock</b> after step 20');
  });
  test('self-contained: no network reference, a CSP that forbids any, data that cannot end its script', () => {
    expect(html).not.toMatch(/https?:\/\/|<link|\ssrc=|@import|url\((?!#)/);
    expect(html).toContain(`content="default-src 'none';`);
    const data = /<script type="application\/json" id="mm-data">([\s\S]*?)<\/script>/.exec(html)?.[1] ?? '';
    expect(JSON.parse(data)).toMatchObject({ lanes: ['C', 'A', 'D', 'B'] });
  });
  test('what the trace holds is escaped', () => {
    const evil = '</script><img src=x onerror=alert(1)>';
    const bad = traceHtml({ ...page, found: { ...found, variant: evil, trace: { ...trace, violations: [{ property: 'deadlock', message: evil }] } } });
    expect(bad).not.toContain('<img');
    expect(bad.match(/<\/script>/g)).toHaveLength(2);
  });
});

describe('mmcheck report FILE --html OUT', () => {
  const dir = mkdtempSync(join(tmpdir(), 'mmcheck-html-'));
  test('renders the replay file and its ITF twin into the same page; a folder gets <stem>.html', async () => {
    const m = MODELS.find((x) => x.name === 'memcg');
    if (!m) throw new Error('memcg is not registered');
    const r = randomCheck(m, 'V2', { seed: 3, runs: 300 });
    if (!r.failure) throw new Error('memcg V2 not caught');
    const saved = saveCounterexample(dir, { model: 'memcg', variant: 'V2', engine: 'random', seed: 3, path: r.failure.path, config: r.failure.config, trace: r.failure.trace, property: r.failure.property, spec: m.spec });
    const out: string[] = [];
    const cli = (...args: string[]): Promise<number> => main(args, (s) => out.push(s), (s) => out.push(`ERR ${s}`), null);
    expect(await cli('report', saved.json, '--html', join(dir, 'a.html'))).toBe(0);
    expect(await cli('report', saved.itf, '--html', join(dir, 'b.html'))).toBe(0);
    const strip = (f: string): string => readFileSync(join(dir, f), 'utf8').replaceAll(saved.itf, 'FILE').replaceAll(saved.json, 'FILE');
    expect(strip('b.html')).toBe(strip('a.html'));
    expect(await cli('report', saved.itf, '--html', `${dir}/`)).toBe(0);
    expect(existsSync(join(dir, 'memcg-V2-random-seed3.html'))).toBe(true);
    expect(out).toContain(`wrote ${join(dir, 'a.html')}`);
    expect(await cli('report', saved.json)).toBe(2);
    expect(out.at(-1)).toBe('ERR mmcheck: report needs --html OUT (a file, or a folder for <stem>.html)');
  });
});

describe('a liveness counterexample (a lasso) as a page', () => {
  test('the cycle is marked: its rows, a back edge from its last row to its first, the banner says it repeats; a stale loop writes nothing', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mmcheck-html-lasso-'));
    const out: string[] = [];
    const cli = (...args: string[]): Promise<number> => main(args, (s) => out.push(s), (s) => out.push(`ERR ${s}`), null);
    expect(await cli('explore', 'memcg', '--variant', 'V3', '--liveness', '--out', dir)).toBe(4);
    const json = join(dir, 'memcg-V3-liveness.json');
    const target = join(dir, 'lasso.html');
    expect(await cli('report', json, '--html', target)).toBe(0);
    const html = readFileSync(target, 'utf8');
    expect(html).toMatch(/violates <b>L1\+<\/b> on a lasso \(steps 1–3, then steps 4–9 repeated forever\)/);
    expect(html.match(/<path class="loopedge"/g)).toHaveLength(1);
    // the prefix rows are not the violation, the six cycle rows are
    expect(html.match(/<rect class="rowbg[^"]* viol"/g)).toHaveLength(6);
    expect(html).toMatch(/<text class="loopmark"[^>]*>↻ cycle<\/text>/);
    expect(html).toContain('(a cycle of 6)');
    // a loop index that no longer closes the cycle: judged again, nothing written
    const moved = join(dir, 'moved.json');
    writeFileSync(moved, JSON.stringify({ ...JSON.parse(readFileSync(json, 'utf8')), loop: 4 }));
    expect(await cli('report', moved, '--html', join(dir, 'stale.html'))).toBe(0);
    expect(out.at(-1)).toMatch(/^no longer reproduces: the cycle does not return to the state after step 4; nothing written/);
    expect(existsSync(join(dir, 'stale.html'))).toBe(false);
  });
});
