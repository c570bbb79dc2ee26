/**
 * The reports of `mmcheck run`: JUnit XML (checked by parsing it with a
 * small XML 1.0 well-formedness checker below), the Markdown summary, the
 * HTML index and pages, and the progress display.
 */
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, test } from 'vitest';
import { main } from '../cli/main.js';
import { MODELS } from '../model/registry.js';
import { junitXml } from './junit.js';
import { clock, Progress } from './progress.js';
import type { RunReport } from './results.js';
import { summaryMarkdown } from './summary.js';

/** An element of a parsed XML document. */
interface El {
  readonly name: string;
  readonly attrs: Record<string, string>;
  readonly children: El[];
  text: string;
}

const NAME = /^[A-Za-z_:][-A-Za-z0-9_.:]*/;
const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

/** Decodes character data, refusing a bare `&`, an unknown entity or a `<`. */
function chars(s: string, at: number): string {
  if (s.includes('<')) throw new Error(`'<' in character data at ${at}`);
  return s.replace(/&([^;]*);?/g, (m, e: string) => {
    if (!m.endsWith(';')) throw new Error(`bare '&' at ${at}`);
    if (e in ENTITIES) return ENTITIES[e] ?? '';
    const n = /^#x([0-9a-fA-F]+)$/.exec(e) ? parseInt(e.slice(2), 16) : /^#(\d+)$/.exec(e) ? Number(e.slice(1)) : Number.NaN;
    if (!(n === 0x9 || n === 0xa || n === 0xd || (n >= 0x20 && n <= 0xd7ff) || (n >= 0xe000 && n <= 0xfffd) || (n >= 0x10000 && n <= 0x10ffff))) throw new Error(`bad entity &${e}; at ${at}`);
    return String.fromCodePoint(n);
  });
}

/** Parses a document, throwing on anything not well-formed; returns its root element. */
function parseXml(doc: string): El {
  // eslint-disable-next-line no-control-regex
  const badChar = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/.exec(doc);
  if (badChar) throw new Error(`invalid character U+${badChar[0].charCodeAt(0).toString(16)} at ${badChar.index}`);
  let i = 0;
  const ws = (): void => {
    while (i < doc.length && /\s/.test(doc[i] ?? '')) i++;
  };
  const misc = (): void => {
    for (;;) {
      ws();
      if (doc.startsWith('<!--', i)) {
        const end = doc.indexOf('-->', i + 4);
        if (end < 0) throw new Error('unterminated comment');
        i = end + 3;
      } else return;
    }
  };
  if (doc.startsWith('<?xml')) {
    const end = doc.indexOf('?>');
    if (end < 0) throw new Error('unterminated XML declaration');
    i = end + 2;
  }
  const element = (): El => {
    if (doc[i] !== '<') throw new Error(`expected '<' at ${i}`);
    i++;
    const name = NAME.exec(doc.slice(i))?.[0];
    if (!name) throw new Error(`bad element name at ${i}`);
    i += name.length;
    const el: El = { name, attrs: {}, children: [], text: '' };
    for (;;) {
      const before = i;
      ws();
      if (doc.startsWith('/>', i)) {
        i += 2;
        return el;
      }
      if (doc[i] === '>') {
        i++;
        break;
      }
      if (i === before) throw new Error(`expected whitespace before an attribute at ${i}`);
      const an = NAME.exec(doc.slice(i))?.[0];
      if (!an) throw new Error(`bad attribute name at ${i}`);
      i += an.length;
      ws();
      if (doc[i] !== '=') throw new Error(`expected '=' at ${i}`);
      i++;
      ws();
      const q = doc[i];
      if (q !== '"' && q !== "'") throw new Error(`unquoted attribute ${an} at ${i}`);
      const end = doc.indexOf(q, i + 1);
      if (end < 0) throw new Error(`unterminated attribute ${an}`);
      if (an in el.attrs) throw new Error(`duplicate attribute ${an} on ${name}`);
      el.attrs[an] = chars(doc.slice(i + 1, end), i);
      i = end + 1;
    }
    for (;;) {
      const lt = doc.indexOf('<', i);
      if (lt < 0) throw new Error(`element ${name} is not closed`);
      el.text += chars(doc.slice(i, lt), i);
      i = lt;
      if (doc.startsWith('</', i)) {
        i += 2;
        if (!doc.startsWith(name, i)) throw new Error(`</${doc.slice(i, i + 20)} closes <${name}> at ${i}`);
        i += name.length;
        ws();
        if (doc[i] !== '>') throw new Error(`bad end tag of ${name}`);
        i++;
        return el;
      }
      if (doc.startsWith('<!--', i)) {
        const end = doc.indexOf('-->', i);
        if (end < 0) throw new Error('unterminated comment');
        i = end + 3;
        continue;
      }
      el.children.push(element());
    }
  };
  misc();
  const root = element();
  misc();
  if (i !== doc.length) throw new Error(`content after the root element at ${i}`);
  return root;
}

const all = (e: El, name: string): El[] => [...(e.name === name ? [e] : []), ...e.children.flatMap((c) => all(c, name))];

describe('the XML checker itself', () => {
  test.each([
    ['<a><b></a></b>', /closes/],
    ['<a x="1" x="2"/>', /duplicate/],
    ['<a>1 & 2</a>', /bare '&'/],
    ['<a x="<"/>', /'<'/],
    ['<a/><b/>', /after the root/],
    ['<a>&bogus;</a>', /bad entity/],
    ['<a x=1/>', /unquoted/],
    ['<a>\u0001</a>', /invalid character/],
  ])('refuses %s', (doc, why) => expect(() => parseXml(doc)).toThrow(why));
  test('reads attributes and text with their entities', () => {
    const r = parseXml('<?xml version="1.0"?>\n<a x="&quot;1&#10;2&quot;"><!-- c --><b>&lt;&amp;&gt;</b></a>');
    expect(r.attrs.x).toBe('"1\n2"');
    expect(r.children[0]?.text).toBe('<&>');
  });
});

describe('JUnit of a hand-made report', () => {
  const nasty = 'a "quoted" <tag> & \u0001 control\nline';
  const report: RunReport = {
    seed: 5,
    runsPerVariant: 10,
    outcomes: [
      {
        model: 'toy', variant: 'bad', summary: nasty, expect: { kind: 'holds' },
        properties: [{ name: 'deadlock', kind: 'builtin' }, { name: 'P<1>', kind: 'always' }, { name: 'S', kind: 'sometimes' }],
        seed: 5, runs: 3, budget: 10, ms: 12, witnesses: new Map([['S', 0]]),
        counterexample: {
          found: { model: 'toy', variant: 'bad', engine: 'random', seed: 5, path: '1:2', config: {}, property: 'P<1>', trace: { init: {}, steps: [{ action: { type: 'x' }, label: 'x', info: { ctx: 'A', step: 'A1', fn: 'f' }, state: {} }], violations: [{ property: 'P<1>', message: nasty }] } },
          message: nasty, replay: 'npx mmcheck repro out/toy-bad-random-seed5.json', files: { json: 'out/toy-bad-random-seed5.json', txt: 't', itf: 'i' },
        },
      },
    ],
  };
  test('escapes every nasty character and still parses', () => {
    const root = parseXml(junitXml(report));
    const failure = all(root, 'failure')[0];
    expect(failure?.attrs.message).toContain('a "quoted" <tag> & \uFFFD control\nline');
    expect(failure?.attrs.type).toBe('violation');
    expect(all(root, 'testcase').map((c) => c.attrs.name)).toEqual(['deadlock', 'P<1>', 'S']);
    expect(all(root, 'skipped')).toHaveLength(1);
  });
});

describe('mmcheck run --junit --summary --html', () => {
  const dir = mkdtempSync(join(tmpdir(), 'mmcheck-run-'));
  const out: string[] = [];
  let code = -1;
  const memcg = MODELS.find((m) => m.name === 'memcg');
  if (!memcg) throw new Error('memcg is not registered');
  beforeAll(async () => {
    code = await main(
      ['run', 'memcg', '--seed', '3', '--runs', '300', '--out', join(dir, 'ce'), '--junit', join(dir, 'junit.xml'), '--summary', join(dir, 'summary.md'), '--html', join(dir, 'html')],
      (s) => out.push(s),
      (s) => out.push(`ERR ${s}`),
      null,
    );
  });

  test('the JUnit file is well-formed, with one case per (variant, property) and stable names', () => {
    expect(code).not.toBe(2);
    const root = parseXml(readFileSync(join(dir, 'junit.xml'), 'utf8'));
    expect(root.name).toBe('testsuites');
    const suites = all(root, 'testsuite');
    expect(suites.map((s) => s.attrs.name)).toEqual(memcg.variants.map((v) => `memcg.${v.name}`));
    for (const s of suites) {
      const cases = all(s, 'testcase');
      const names = cases.map((c) => c.attrs.name ?? '');
      expect(new Set(names).size).toBe(names.length);
      expect(names).toEqual(expect.arrayContaining(['deadlock', 'lock-discipline', 'sleep-in-atomic', ...memcg.propertyNames]));
      expect(cases.every((c) => c.attrs.classname === s.attrs.name)).toBe(true);
      expect(Number(s.attrs.tests)).toBe(cases.length);
      expect(Number(s.attrs.failures)).toBe(all(s, 'failure').length);
      for (const n of names) expect(n).not.toMatch(/seed/);
    }
    const failures = all(root, 'failure');
    expect(failures.length).toBeGreaterThan(0);
    expect(Number(root.attrs.failures)).toBe(failures.length);
    for (const f of failures) {
      const file = /file: (\S+)/.exec(f.attrs.message ?? '')?.[1] ?? '';
      expect(f.attrs.message).toMatch(/replay: npx mmcheck repro \S+\.json/);
      expect(existsSync(file)).toBe(true);
      expect(f.text).toContain(file);
    }
    // a declared bug found is marked as expected
    const v2 = suites.find((s) => s.attrs.name === 'memcg.V2');
    expect(all(v2 ?? root, 'failure')[0]?.attrs.type).toBe('expected-violation');
  });

  test('another seed gives the same test names', async () => {
    const other = join(dir, 'junit2.xml');
    await main(['run', 'memcg', '--seed', '4', '--runs', '50', '--out', join(dir, 'ce2'), '--junit', other], () => undefined, () => undefined, null);
    const key = (f: string): string[] => all(parseXml(readFileSync(f, 'utf8')), 'testcase').map((c) => `${c.attrs.classname}/${c.attrs.name}`);
    expect(key(other)).toEqual(key(join(dir, 'junit.xml')));
  });

  test('the Markdown summary has the table and a lane table per counterexample', () => {
    const md = readFileSync(join(dir, 'summary.md'), 'utf8');
    expect(md).toMatch(/^\| model \| variant \| expected \| found \| verdict \| runs \| time \| counterexample \|$/m);
    expect(out.join('\n')).toMatch(/^memcg\s+V2\s+M2\s+M2\s/m);
    const sections = md.split('\n### ').slice(1);
    expect(sections.length).toBe(all(parseXml(readFileSync(join(dir, 'junit.xml'), 'utf8')), 'failure').length);
    for (const s of sections) {
      expect(s).toMatch(/^memcg \S+ — violates \S+/);
      expect(s).toMatch(/Replay: `npx mmcheck repro \S+\.json`/);
      // every row of a table has as many cells as its header (escaped pipes do not count)
      const rows = s.split('\n').filter((l) => l.startsWith('|'));
      const cells = (l: string): number => l.replace(/\\\|/g, '').split('|').length;
      expect(rows.length).toBeGreaterThan(2);
      for (const r of rows) expect(cells(r)).toBe(cells(rows[0] ?? ''));
    }
  });

  test('the HTML folder has one page per counterexample and an index linking them', () => {
    const index = readFileSync(join(dir, 'html', 'index.html'), 'utf8');
    const links = [...index.matchAll(/href="([^"]+)"/g)].map((x) => x[1] ?? '');
    expect(links.length).toBe(all(parseXml(readFileSync(join(dir, 'junit.xml'), 'utf8')), 'failure').length);
    for (const l of links) {
      expect(existsSync(join(dir, 'html', l))).toBe(true);
      const page = readFileSync(join(dir, 'html', l), 'utf8');
      expect(page).not.toMatch(/https?:\/\/|<link|\ssrc=|@import|url\((?!#)/);
    }
    for (const v of memcg.variants) expect(index).toContain(`<td>${v.name}</td>`);
    expect(out).toContain(`wrote ${join(dir, 'html', 'index.html')}`);
  });
});

describe('progress', () => {
  const fake = (tty: boolean) => {
    let t = 0;
    const lines: string[] = [];
    const p = new Progress({ tty, write: (s) => void lines.push(s) }, 2000, { now: () => t, intervalMs: 1000, redrawMs: 100, width: 10 });
    return { p, lines, advance: (ms: number) => void (t += ms) };
  };
  test('on a terminal: one bar redrawn in place, throttled, cleared at the end', () => {
    const { p, lines, advance } = fake(true);
    p.begin('m V1', 1000);
    for (let i = 0; i < 500; i++) {
      advance(1);
      p.tick();
    }
    expect(lines.length).toBe(5);
    expect(lines.at(-1)).toMatch(/^\r\x1b\[2K\[###-{7}\]\s+25% 500 runs, 0:00 elapsed, 0 counterexamples \(m V1\)$/);
    p.end(600, true);
    advance(200);
    p.begin('m V2', 1000);
    expect(lines.at(-1)).toMatch(/\[#####-----\]\s+50% 600 runs, 0:00 elapsed, 1 counterexample \(m V2\)/);
    p.finish();
    expect(lines.at(-1)).toBe('\r\x1b[2K');
  });
  test('in a log: a plain line per interval, none for a short run', () => {
    const { p, lines, advance } = fake(false);
    p.begin('m V1', 1000);
    p.tick();
    p.end(1, false);
    p.finish();
    expect(lines).toEqual([]);
    const b = fake(false);
    b.p.begin('m V1', 1000);
    for (let i = 0; i < 2500; i++) {
      b.advance(1);
      b.p.tick();
    }
    expect(b.lines).toEqual([
      'progress: 50% of work, 1000 runs, 0:01 elapsed, 0 counterexamples (m V1)\n',
      'progress: 50% of work, 2000 runs, 0:02 elapsed, 0 counterexamples (m V1)\n',
    ]);
    b.p.finish();
    expect(b.lines.at(-1)).toMatch(/^progress: done, 2500 runs/);
    expect(b.lines.every((l) => !l.includes('\r') && !l.includes('\x1b'))).toBe(true);
    void advance;
  });
  test('mmcheck run draws the bar on a terminal and clears it before the table', async () => {
    const writes: string[] = [];
    const out: string[] = [];
    await main(['run', 'memcg', '--runs', '400', '--seed', '2', '--out', mkdtempSync(join(tmpdir(), 'mmcheck-progress-'))], (s) => out.push(s), () => undefined, { tty: true, write: (s) => void writes.push(s) });
    const bars = writes.filter((w) => w.startsWith('\r\x1b[2K['));
    expect(bars.length).toBeGreaterThan(0);
    for (const b of bars) expect(b).toMatch(/^\r\x1b\[2K\[[#-]{24}\]\s+\d+% \d+ runs, \d+:\d\d elapsed, \d+ counterexamples? \(memcg \S+\)$/);
    // the bar and the run count only ever grow
    for (const re of [/(\d+)%/, /(\d+) runs/]) {
      const xs = bars.map((b) => Number(re.exec(b)?.[1]));
      expect(xs).toEqual([...xs].sort((a, b) => a - b));
    }
    expect(writes.at(-1)).toBe('\r\x1b[2K');
    expect(out.join('\n')).not.toContain('\x1b');
  });
  test('clock', () => {
    expect(clock(61_000)).toBe('1:01');
    expect(clock(3_725_000)).toBe('1:02:05');
  });
});
