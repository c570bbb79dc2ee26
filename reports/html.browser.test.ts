/**
 * The HTML trace view in a real browser: Debian's headless chromium driven
 * by playwright-core (no browser download; `scripts/install-browser.sh`
 * installs it). Opens a 20-step, 4-context page with locks and a real
 * counterexample of a registered model, steps through them with the keys,
 * the slider and clicks, and checks what is shown: every step present, the
 * highlighted step and the state diff follow the selection, no console
 * error, no network request. Screenshots go to `.vitest-out/`.
 */
import { existsSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { BrowserContext, Page } from 'playwright-core';
import { chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { lanesMachine, lanesTrace } from '../test/lanes.js';
import { MODELS } from '../model/registry.js';
import { randomSearch as randomCheck } from '../shrinkers/search.js';
import { saveCounterexample } from './counterexample.js';
import type { Found } from './counterexample.js';
import { pageData, traceHtml } from './html.js';
import { RunRecorder } from './run.js';

const CHROMIUM = '/usr/bin/chromium';
const OUT = resolve(import.meta.dirname, '..', '.vitest-out');
const dir = mkdtempSync(join(tmpdir(), 'mmcheck-browser-'));
let browser: BrowserContext | undefined;

/** A page with every console error, page error and request other than the page itself recorded. */
async function open(file: string, width = 1400, height = 900): Promise<{ page: Page; problems: string[] }> {
  if (!browser) throw new Error('no browser');
  const page = await browser.newPage();
  page.setDefaultTimeout(5000);
  await page.setViewportSize({ width, height });
  const problems: string[] = [];
  const url = pathToFileURL(file).href;
  page.on('console', (m) => void (m.type() === 'error' || m.type() === 'warning' ? problems.push(`console ${m.type()}: ${m.text()}`) : undefined));
  page.on('pageerror', (e) => void problems.push(`page error: ${e.message}`));
  page.on('request', (r) => void (r.url() !== url && !r.url().startsWith('file://') ? problems.push(`request: ${r.url()}`) : undefined));
  await page.goto(url);
  return { page, problems };
}

const selected = (page: Page): Promise<string[]> => page.$$eval('g.row.sel', (gs) => gs.map((g) => g.getAttribute('data-row') ?? ''));
const diffShown = (page: Page): Promise<string[]> => page.$$eval('#diff li', (lis) => lis.map((li) => li.textContent ?? ''));

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: run scripts/install-browser.sh`);
  mkdirSync(OUT, { recursive: true });
  browser = await chromium.launchPersistentContext(mkdtempSync(join(tmpdir(), 'mmcheck-chromium-')), {
    executablePath: CHROMIUM,
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
});

afterAll(async () => {
  await browser?.close();
});

describe('a 20-step trace with 4 contexts and locks', () => {
  const trace = lanesTrace();
  const found: Found = { model: 'toy', variant: 'abba', engine: 'random', seed: 1, path: '0:1', config: {}, trace, property: 'deadlock' };
  const page = { found, kernel: (s: unknown) => lanesMachine.kernel(s as never), replay: 'npx mmcheck repro toy.json', files: ['toy.json'] };
  const data = pageData(page);
  const file = join(OUT, 'html-lanes-20x4.html');

  test('every step shown; keys, slider and clicks move the highlight and the state diff; no console error', async () => {
    writeFileSync(file, traceHtml(page));
    const { page: p, problems } = await open(file);
    // every lane and every step is on the page, in its lane
    expect(await p.$$eval('#lanehead .lanename', (ts) => ts.map((t) => t.textContent))).toEqual(['C', 'A', 'D', 'B']);
    const rows = await p.$$eval('g.row.step', (gs) => gs.map((g) => ({ row: g.getAttribute('data-row'), ctx: g.getAttribute('data-ctx'), text: g.querySelector('text.cell')?.textContent ?? '' })));
    expect(rows).toHaveLength(20);
    rows.forEach((r, i) => {
      expect(r.row).toBe(String(i + 1));
      expect(r.ctx).toBe(trace.steps[i]?.info.ctx);
      expect(r.text.startsWith(trace.steps[i]?.info.step ?? '?')).toBe(true);
    });
    // it opens on the violating step, highlighted
    expect(await selected(p)).toEqual(['20']);
    expect(await p.isVisible('#violation')).toBe(true);
    expect(await p.textContent('#banner')).toContain('violates deadlock after step 20');

    await p.keyboard.press('Home');
    expect(await selected(p)).toEqual(['0']);
    expect(await p.isVisible('#violation')).toBe(false);
    let before = await diffShown(p);
    for (let i = 1; i <= 20; i++) {
      await p.keyboard.press(i % 2 ? 'ArrowRight' : 'ArrowDown');
      expect(await selected(p)).toEqual([String(i)]);
      const shown = await diffShown(p);
      expect(shown).toEqual(data.diffs[i]);
      expect(shown).not.toEqual(before);
      before = shown;
      expect(await p.textContent('#step-title')).toContain(trace.steps[i - 1]?.info.step);
      expect(await p.inputValue('#slider')).toBe(String(i));
    }
    await p.keyboard.press('ArrowRight'); // past the end: stays
    expect(await selected(p)).toEqual(['20']);
    await p.keyboard.press('ArrowLeft');
    expect(await selected(p)).toEqual(['19']);

    // the slider steps by itself (once per key, not twice)
    await p.focus('#slider');
    await p.keyboard.press('ArrowLeft');
    expect(await selected(p)).toEqual(['18']);
    // a click on a row, and the buttons
    await p.click('g.row.step[data-row="3"] text.cell');
    expect(await selected(p)).toEqual(['3']);
    expect(await diffShown(p)).toEqual(data.diffs[3]);
    const blank = await p.locator('rect.rowbg[data-row="5"]').boundingBox();
    if (!blank) throw new Error('no row 5');
    await p.mouse.click(blank.x + blank.width - 12, blank.y + blank.height / 2);
    expect(await selected(p)).toEqual(['5']);
    await p.click('g.row.step[data-row="3"] text.cell');
    await p.click('#next');
    expect(await selected(p)).toEqual(['4']);
    // step 7: B queues on map_sem behind the waiting writer D; the lock table says so
    for (let i = 0; i < 3; i++) await p.keyboard.press('ArrowRight');
    expect(await selected(p)).toEqual(['7']);
    const mapSem = await p.$$eval('#locks tr', (trs) => trs.map((tr) => [...tr.querySelectorAll('td')].map((td) => td.textContent)).find((r) => r[0] === 'map_sem'));
    expect(mapSem).toEqual(['map_sem', 'rwsem', 'C (read)', 'D (write), B (read)']);
    await p.screenshot({ path: join(OUT, 'html-lanes-20x4.png'), fullPage: true });
    expect(problems).toEqual([]);
    await p.close();
  });
});

describe('a counterexample of a registered model, from a run with an index page', () => {
  test('the index links to the page; the page steps through the real trace without errors', async () => {
    const m = MODELS.find((x) => x.variants.some((v) => v.expect.kind === 'violates'));
    if (!m) throw new Error('no model with a buggy variant');
    const recorder = new RunRecorder(3, 300, { html: join(dir, 'html') });
    let shownTrace: Found['trace'] | undefined;
    for (const v of m.variants) {
      const r = randomCheck(m, v.name, { seed: 3, runs: v.expect.kind === 'violates' ? 300 : 20 });
      const saved = r.failure
        ? saveCounterexample(join(dir, 'ce'), { model: m.name, variant: v.name, engine: 'random', seed: 3, path: r.failure.path, config: r.failure.config, trace: r.failure.trace, property: r.failure.property, spec: m.spec })
        : undefined;
      recorder.add(m, v.name, r, saved);
      shownTrace ??= r.failure?.trace;
    }
    recorder.finish();
    if (!shownTrace) throw new Error(`no variant of ${m.name} caught`);

    const { page: p, problems } = await open(join(dir, 'html', 'index.html'), 1400, 700);
    expect(await p.$$eval('table.index tbody tr', (trs) => trs.length)).toBe(m.variants.length);
    await p.click('table.index a >> nth=0');
    await p.waitForSelector('#lanes');
    const n = shownTrace.steps.length;
    expect(await p.$$eval('g.row.step', (gs) => gs.length)).toBe(n);
    expect(await selected(p)).toEqual([String(n)]);
    await p.keyboard.press('Home');
    for (let i = 1; i <= n; i++) {
      await p.keyboard.press('ArrowRight');
      expect(await selected(p)).toEqual([String(i)]);
    }
    await p.screenshot({ path: join(OUT, `html-${m.name}.png`), fullPage: true });
    expect(problems).toEqual([]);
    await p.close();
  });
});
