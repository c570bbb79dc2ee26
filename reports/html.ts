/**
 * Self-contained HTML trace views (no network, no external assets: the CSS,
 * the script and the data are inline, the diagram is inline SVG).
 *
 * One page per counterexample: an SVG swimlane diagram with one lane per
 * context and one row per step (row 0 is the initial state). Lock
 * ownership comes from the kernel slice of each state (`machine.kernel(s)`,
 * so it works for every model): a solid bar in a lock's colour beside a lane
 * while that context holds the lock, a hatched bar while it waits for it,
 * and `+lock` / `−lock` / `waits lock` on the step that changed it. The
 * selected step's state diff, its locks and its full state are shown beside
 * the diagram; the violated property is highlighted in the banner and on its
 * row. Arrow keys, the slider, the buttons or a click select a step.
 *
 * An index page lists every result of a run with links to the pages.
 */
import type { KernelState, LockState } from '../model/kernel/state.js';
import { holdersOf } from '../model/kernel/state.js';
import type { Trace } from '../properties/check.js';
import type { Found } from './counterexample.js';
import { diff } from './diff.js';
import type { RunReport } from './results.js';
import { expectationText } from '../model/contract.js';
import { seconds, verdictOf } from './results.js';
import { lanesOf, stepCell } from './lanes.js';

/** Escapes text for HTML (element content and quoted attributes). */
export function esc(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');
}

/** Inline JSON that cannot close its `<script>` element. */
function scriptJson(v: unknown): string {
  return JSON.stringify(v).replace(/</g, '\\u003c').replace(/\u2028/g, '\\u2028').replace(/\u2029/g, '\\u2029');
}

/** One lock in one state, as the page shows it. */
export interface LockView {
  readonly name: string;
  readonly kind: LockState['kind'];
  readonly holders: readonly string[];
  /** How an rwsem is held: `read` or `write` (absent for other locks, or when free). */
  readonly mode?: 'read' | 'write';
  /** Waiters in queue order; an rwsem's carry their mode, e.g. `B (write)`. */
  readonly waiters: readonly string[];
}

/** The locks of a kernel slice. */
export function lockViews(k: KernelState): LockView[] {
  return Object.entries(k.locks).map(([name, l]) => ({
    name,
    kind: l.kind,
    holders: holdersOf(l),
    ...(l.kind === 'rwsem' && holdersOf(l).length ? { mode: l.writer !== null ? ('write' as const) : ('read' as const) } : {}),
    waiters: l.kind === 'rwsem' ? l.waiters.map((w) => `${w.ctx} (${w.mode})`) : [...l.waiters],
  }));
}

const waiterCtx = (w: string): string => w.replace(/ \((read|write)\)$/, '');

/** What changed for one context's locks at one step. */
interface LockEvent {
  readonly ctx: string;
  readonly acquired: string[];
  readonly released: string[];
  readonly waits: string[];
}

function lockEvents(before: readonly LockView[], after: readonly LockView[], ctxs: readonly string[]): LockEvent[] {
  const held = (ls: readonly LockView[], c: string): Set<string> => new Set(ls.filter((l) => l.holders.includes(c)).map((l) => l.name));
  const waiting = (ls: readonly LockView[], c: string): Set<string> => new Set(ls.filter((l) => l.waiters.some((w) => waiterCtx(w) === c)).map((l) => l.name));
  return ctxs
    .map((ctx) => {
      const h0 = held(before, ctx);
      const h1 = held(after, ctx);
      const w0 = waiting(before, ctx);
      const w1 = waiting(after, ctx);
      return {
        ctx,
        acquired: [...h1].filter((n) => !h0.has(n)),
        released: [...h0].filter((n) => !h1.has(n)),
        waits: [...w1].filter((n) => !w0.has(n)),
      };
    })
    .filter((e) => e.acquired.length + e.released.length + e.waits.length > 0);
}

/** What a counterexample page is made of. */
export interface TracePage {
  readonly found: Found;
  /** The machine's kernel slice of a state (`machine.kernel`). */
  readonly kernel: (s: unknown) => KernelState;
  /** The command that replays the counterexample. */
  readonly replay?: string;
  /** Files of the counterexample, listed under the banner. */
  readonly files?: readonly string[];
  /** Link back to the run's index page. */
  readonly indexHref?: string;
}

const PALETTE = ['#2563eb', '#d97706', '#059669', '#db2777', '#7c3aed', '#0891b2', '#65a30d', '#b91c1c'];
const NUM_W = 46;
const STATUS_W = 110;
const HEAD_H = 34;
const ROW_H = 38;
const CHAR_W = 7.25;
const TRACK = 6;

function clip(s: string, n: number): string {
  return s.length <= n ? s : s.slice(0, Math.max(1, n - 1)) + '…';
}

/** The data the page's script reads; also what tests compare against. */
export interface PageData {
  readonly title: string;
  readonly lanes: readonly string[];
  readonly steps: readonly { readonly ctx: string; readonly step: string; readonly fn: string; readonly text: string; readonly label: string; readonly cell: string }[];
  /** Per state (initial first): its locks. */
  readonly locks: readonly (readonly LockView[])[];
  /** Per state (initial first): the changed fields (`diff` of the previous state; empty for the initial). */
  readonly diffs: readonly (readonly string[])[];
  readonly states: readonly unknown[];
  readonly violations: Trace['violations'];
  readonly property: string;
  /** A lasso's cycle: the 0-based index of its first step (its rows are `loop + 1` to the last). */
  readonly loop?: number;
  /** Height of a row of the diagram in pixels (the script maps clicks to rows). */
  readonly rowHeight: number;
}

/** Computes the page data of a counterexample. */
export function pageData(p: TracePage): PageData {
  const t = p.found.trace;
  const states = [t.init, ...t.steps.map((s) => s.state)];
  const locks = states.map((s) => lockViews(p.kernel(s)));
  const lanes = lanesOf(t);
  // a context that only ever appears in the locks (holding one from the start) still gets its lane
  for (const ls of locks) for (const l of ls) for (const c of [...l.holders, ...l.waiters.map(waiterCtx)]) if (!lanes.includes(c)) lanes.push(c);
  return {
    title: `${p.found.model} ${p.found.variant}`,
    lanes,
    steps: t.steps.map((s) => ({ ctx: s.info.ctx, step: s.info.step, fn: s.info.fn, text: s.info.text ?? '', label: s.label, cell: stepCell(s) })),
    locks,
    diffs: states.map((s, i) => (i === 0 ? [] : diff(states[i - 1], s))),
    states,
    violations: t.violations,
    property: p.found.property,
    ...(t.loop !== undefined ? { loop: t.loop } : {}),
    rowHeight: ROW_H,
  };
}

function svg(d: PageData): { head: string; body: string } {
  const lockNames = [...new Set(d.locks.flatMap((ls) => ls.map((l) => l.name)))];
  const color = (n: string): string => PALETTE[lockNames.indexOf(n) % PALETTE.length] ?? '#555';
  const tracks = lockNames.length * TRACK + (lockNames.length ? 6 : 0);
  const longest = new Map(d.lanes.map((l) => [l, l.length]));
  d.steps.forEach((s) => longest.set(s.ctx, Math.max(longest.get(s.ctx) ?? 0, Math.min(s.cell.length, 40))));
  const laneW = new Map(d.lanes.map((l) => [l, Math.max(150, Math.min(320, tracks + 26 + (longest.get(l) ?? 0) * CHAR_W))]));
  const laneX = new Map<string, number>();
  let x = NUM_W;
  for (const l of d.lanes) {
    laneX.set(l, x);
    x += laneW.get(l) ?? 150;
  }
  // a lasso's back edge gets a margin of its own right of the status column
  const width = x + STATUS_W + (d.loop !== undefined ? 30 : 0);
  const rows = d.steps.length + 1;
  const height = rows * ROW_H + 8;
  const rowY = (i: number): number => i * ROW_H;
  const out: string[] = [];
  // the lane names are a separate strip that stays on screen while the page scrolls
  const head: string[] = [`<svg id="lanehead" width="${width}" height="${HEAD_H}" viewBox="0 0 ${width} ${HEAD_H}" aria-hidden="true">`];
  for (const l of d.lanes) {
    const lx = laneX.get(l) ?? 0;
    const w = laneW.get(l) ?? 150;
    head.push(`<rect class="lanehead" x="${lx + 2}" y="3" width="${w - 4}" height="${HEAD_H - 6}" rx="4"/>`);
    head.push(`<text class="lanename" x="${lx + tracks + (w - tracks) / 2}" y="${HEAD_H / 2 + 5}" text-anchor="middle">${esc(l)}</text>`);
  }
  head.push(`<text class="colhead" x="${NUM_W / 2}" y="${HEAD_H / 2 + 4}" text-anchor="middle">#</text>`);
  head.push('</svg>');
  out.push(`<svg id="lanes" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" role="img" aria-label="swimlane diagram: one lane per context (${esc(d.lanes.join(', '))}), one row per step">`);
  out.push('<defs>');
  lockNames.forEach((n) => {
    const c = color(n);
    out.push(`<pattern id="hatch-${lockNames.indexOf(n)}" width="4" height="4" patternUnits="userSpaceOnUse" patternTransform="rotate(45)"><rect width="4" height="4" fill="#fff"/><rect width="2" height="4" fill="${c}"/></pattern>`);
  });
  out.push('</defs>');
  // row backgrounds, behind everything: selection and the violation row
  // a lasso's rows are all the violation: the cycle repeats forever
  const lasso = d.loop !== undefined && d.violations.length > 0;
  const inViolation = (i: number): boolean => (lasso ? i > (d.loop ?? 0) : i === d.steps.length && d.violations.length > 0);
  for (let i = 0; i < rows; i++) {
    const viol = inViolation(i) ? ' viol' : '';
    out.push(`<rect class="rowbg${i % 2 ? ' odd' : ''}${viol}" data-row="${i}" x="0" y="${rowY(i)}" width="${width}" height="${ROW_H}"/>`);
  }
  // lane lines
  for (const l of d.lanes) {
    const lx = laneX.get(l) ?? 0;
    const w = laneW.get(l) ?? 150;
    out.push(`<line class="laneline" x1="${lx + tracks + (w - tracks) / 2}" y1="0" x2="${lx + tracks + (w - tracks) / 2}" y2="${height - 4}"/>`);
    out.push(`<line class="lanesep" x1="${lx + w}" y1="0" x2="${lx + w}" y2="${height}"/>`);
  }
  // lock bars: one track per lock at the left of each lane; consecutive rows merge
  for (const l of d.lanes) {
    const lx = laneX.get(l) ?? 0;
    lockNames.forEach((n, j) => {
      const tx = lx + 4 + j * TRACK;
      const mode = (i: number): 'held' | 'wait' | '' => {
        const lv = d.locks[i]?.find((v) => v.name === n);
        if (!lv) return '';
        if (lv.holders.includes(l)) return 'held';
        return lv.waiters.some((w) => waiterCtx(w) === l) ? 'wait' : '';
      };
      let i = 0;
      while (i < rows) {
        const m = mode(i);
        if (!m) {
          i++;
          continue;
        }
        let k = i;
        while (k + 1 < rows && mode(k + 1) === m) k++;
        const fill = m === 'held' ? color(n) : `url(#hatch-${j})`;
        const tip = `${l} ${m === 'held' ? 'holds' : 'waits for'} ${n} (${m === 'held' ? 'after' : 'at'} step${i === k ? ` ${i}` : `s ${i}–${k}`})`;
        out.push(`<rect class="lockbar ${m}" x="${tx}" y="${rowY(i) + 3}" width="${TRACK - 1}" height="${(k - i + 1) * ROW_H - 6}" rx="2" fill="${fill}" stroke="${color(n)}"><title>${esc(tip)}</title></rect>`);
        i = k + 1;
      }
    });
  }
  // row 0: the initial state
  out.push(`<g class="row" data-row="0"><text class="num" x="${NUM_W / 2}" y="${rowY(0) + ROW_H / 2 + 4}" text-anchor="middle">0</text>`);
  out.push(`<text class="init" x="${NUM_W + 8}" y="${rowY(0) + ROW_H / 2 + 4}">initial state</text></g>`);
  // step rows
  d.steps.forEach((s, idx) => {
    const i = idx + 1;
    const lx = laneX.get(s.ctx) ?? 0;
    const w = laneW.get(s.ctx) ?? 150;
    const bx = lx + tracks + 6;
    const bw = w - tracks - 12;
    const y = rowY(i);
    const chars = Math.floor((bw - 12) / CHAR_W);
    const ev = lockEvents(d.locks[i - 1] ?? [], d.locks[i] ?? [], d.lanes);
    const mine = ev.find((e) => e.ctx === s.ctx);
    const chips: string[] = [];
    if (mine) {
      for (const n of mine.acquired) chips.push(`<tspan class="acq" fill="${color(n)}">+${esc(n)}</tspan>`);
      for (const n of mine.released) chips.push(`<tspan class="rel" fill="${color(n)}">−${esc(n)}</tspan>`);
      for (const n of mine.waits) chips.push(`<tspan class="waits">waits ${esc(n)}</tspan>`);
    }
    const chipText = mine ? [...mine.acquired.map((n) => `+${n}`), ...mine.released.map((n) => `−${n}`), ...mine.waits.map((n) => `waits ${n}`)].join(' ') : '';
    const rest = Math.max(0, chars - chipText.length - (chipText ? 1 : 0));
    const line2 = chips.join(' ') + (s.text && rest > 3 ? `${chips.length ? ' ' : ''}<tspan class="desc">${esc(clip(s.text, rest))}</tspan>` : '');
    const tip = `${i}. ${s.ctx}: ${s.step} ${s.fn}\n${s.label}${s.text ? `\n${s.text}` : ''}`;
    const stepName = clip(s.step, chars);
    const restCell = clip(s.cell.slice(s.step.length), Math.max(0, chars - stepName.length));
    out.push(`<g class="row step" data-row="${i}" data-ctx="${esc(s.ctx)}"><title>${esc(tip)}</title>`);
    out.push(`<text class="num" x="${NUM_W / 2}" y="${y + ROW_H / 2 + 4}" text-anchor="middle">${i}</text>`);
    out.push(`<rect class="box" x="${bx}" y="${y + 3}" width="${bw}" height="${ROW_H - 6}" rx="5"/>`);
    out.push(`<text class="cell" x="${bx + 6}" y="${y + (line2 ? 17 : ROW_H / 2 + 4)}"><tspan class="stepname">${esc(stepName)}</tspan>${esc(restCell)}</text>`);
    if (line2) out.push(`<text class="line2" x="${bx + 6}" y="${y + 31}">${line2}</text>`);
    // another context's locks changed by this step (e.g. a lock handed over)
    for (const e of ev.filter((e) => e.ctx !== s.ctx)) {
      const ox = (laneX.get(e.ctx) ?? 0) + tracks + 8;
      const txt = [...e.acquired.map((n) => `+${n}`), ...e.released.map((n) => `−${n}`), ...e.waits.map((n) => `waits ${n}`)].join(' ');
      out.push(`<text class="other" x="${ox}" y="${y + ROW_H / 2 + 4}">${esc(txt)}</text>`);
    }
    if (i === d.steps.length && d.violations.length) {
      out.push(`<text class="violmark" x="${x + 8}" y="${y + ROW_H / 2 + 4}">✗ ${esc(clip(d.violations.map((v) => v.property).join(', '), 16))}</text>`);
    }
    if (d.loop !== undefined && i === d.loop + 1) out.push(`<text class="loopmark" x="${x + 8}" y="${y + ROW_H / 2 + 4}">↻ cycle</text>`);
    out.push('</g>');
  });
  if (d.loop !== undefined && d.steps.length > 0) {
    // the back edge: from the cycle's last row up to its first, at the right edge
    const top = rowY(d.loop + 1) + ROW_H / 2;
    const bottom = rowY(d.steps.length) + ROW_H / 2;
    const ax = width - 10;
    const bx = width - 24;
    out.push(
      `<g class="loop"><title>${esc(`steps ${d.loop + 1}–${d.steps.length} repeat forever`)}</title>` +
        `<path class="loopedge" d="M ${bx} ${bottom} H ${ax} V ${top} H ${bx + 2}"/>` +
        `<path class="loophead" d="M ${bx + 8} ${top - 4} L ${bx} ${top} L ${bx + 8} ${top + 4} Z"/></g>`,
    );
  }
  out.push('</svg>');
  return { head: head.join('\n'), body: out.join('\n') };
}

const CSS = `
:root { --fg:#1f2328; --muted:#59636e; --line:#d1d9e0; --sel:#dbeafe; --selstroke:#2563eb; --bad:#b91c1c; --badbg:#fde8e8; }
* { box-sizing: border-box; }
body { margin: 0; font: 14px/1.45 system-ui, -apple-system, "Segoe UI", "DejaVu Sans", sans-serif; color: var(--fg); background: #f6f8fa; }
header { padding: 12px 18px 8px; background: #fff; border-bottom: 1px solid var(--line); }
h1 { font-size: 18px; margin: 0 0 6px; }
h1 .sub { color: var(--muted); font-weight: normal; font-size: 14px; }
.banner { background: var(--badbg); border: 1px solid #f5b5b5; border-left: 5px solid var(--bad); padding: 6px 10px; border-radius: 4px; margin: 6px 0; }
.banner b { color: var(--bad); }
.banner.ok { background: #e7f6ea; border-color: #a7dcb2; border-left-color: #1a7f37; }
.facts { color: var(--muted); font-size: 12.5px; }
.facts code, .panel code { font: 12px ui-monospace, "DejaVu Sans Mono", monospace; background: #eef1f4; padding: 0 3px; border-radius: 3px; }
.controls { display: flex; align-items: center; gap: 10px; margin-top: 8px; flex-wrap: wrap; }
.controls button { font: inherit; padding: 2px 10px; border: 1px solid var(--line); background: #fff; border-radius: 4px; cursor: pointer; }
#slider { width: 320px; }
#pos { font-weight: 600; min-width: 9em; }
.hint { color: var(--muted); font-size: 12px; }
.legend { display: flex; gap: 14px; flex-wrap: wrap; font-size: 12px; color: var(--muted); margin-top: 6px; }
.legend .sw { display: inline-block; width: 10px; height: 12px; border-radius: 2px; vertical-align: -2px; margin-right: 4px; }
main { display: flex; gap: 14px; padding: 12px 18px; align-items: flex-start; flex-wrap: wrap; }
.diagram { flex: 0 0 auto; background: #fff; border: 1px solid var(--line); border-radius: 6px; }
.diagram .stick { position: sticky; top: 0; z-index: 1; background: #fff; border-bottom: 1px solid var(--line); border-radius: 6px 6px 0 0; }
.diagram svg { display: block; }
.panel { flex: 1 1 320px; min-width: 300px; max-width: 640px; background: #fff; border: 1px solid var(--line); border-radius: 6px; padding: 10px 14px; position: sticky; top: 8px; max-height: calc(100vh - 16px); overflow: auto; }
.panel h2 { font-size: 15px; margin: 0 0 4px; }
.panel h3 { font-size: 13px; margin: 12px 0 4px; color: var(--muted); text-transform: uppercase; letter-spacing: .04em; }
#diff { margin: 0; padding-left: 18px; font: 12.5px/1.5 ui-monospace, "DejaVu Sans Mono", monospace; }
#diff li.none { list-style: none; margin-left: -18px; color: var(--muted); font-family: inherit; }
#violation { display: none; }
#violation.on { display: block; }
table.locks { border-collapse: collapse; font-size: 12.5px; width: 100%; }
table.locks td, table.locks th { border-bottom: 1px solid var(--line); padding: 2px 6px; text-align: left; }
table.locks tr.mine td { background: #fff7e0; }
pre#state { font: 11.5px/1.4 ui-monospace, "DejaVu Sans Mono", monospace; max-height: 320px; overflow: auto; background: #f6f8fa; padding: 6px; margin: 4px 0 0; }
svg text { font: 12px ui-monospace, "DejaVu Sans Mono", monospace; fill: var(--fg); }
svg .lanehead { fill: #eef1f4; stroke: var(--line); }
svg .lanename { font: 700 14px system-ui, "DejaVu Sans", sans-serif; }
svg .colhead { fill: var(--muted); }
svg .laneline { stroke: #c5ccd3; stroke-dasharray: 3 4; }
svg .lanesep { stroke: #eef1f4; }
svg .rowbg { fill: transparent; }
svg .rowbg.odd { fill: #f8f9fb; }
svg .rowbg.viol { fill: var(--badbg); }
svg .rowbg.sel { fill: var(--sel); }
svg .row { cursor: pointer; }
svg .num { fill: var(--muted); }
svg .row.sel .num { fill: var(--selstroke); font-weight: 700; }
svg .init { fill: var(--muted); font-style: italic; }
svg .box { fill: #fff; stroke: #8c959f; }
svg .row.sel .box { stroke: var(--selstroke); stroke-width: 2.5; fill: #f0f6ff; }
svg .stepname { font-weight: 700; }
svg .line2 { font-size: 10.5px; }
svg .desc { fill: var(--muted); }
svg .acq, svg .rel { font-weight: 700; }
svg .waits { fill: var(--bad); font-weight: 700; }
svg .other { font-size: 10.5px; fill: var(--muted); }
svg .loopmark { fill: var(--bad); font-size: 12px; font-family: system-ui, "DejaVu Sans", sans-serif; }
svg .loopedge { fill: none; stroke: var(--bad); stroke-width: 2; }
svg .loophead { fill: var(--bad); }
svg .violmark { fill: var(--bad); font-weight: 700; font-family: system-ui, "DejaVu Sans", sans-serif; }
`;

const SCRIPT = `
(function () {
  'use strict';
  var D = JSON.parse(document.getElementById('mm-data').textContent);
  var N = D.steps.length;
  var slider = document.getElementById('slider');
  var cur = -1;
  function $(id) { return document.getElementById(id); }
  function text(el, s) { el.textContent = s; return el; }
  function node(tag, cls, s) { var e = document.createElement(tag); if (cls) e.className = cls; if (s !== undefined) e.textContent = s; return e; }
  function reveal(row) {
    if (!row) return;
    var top = document.querySelector('.stick').getBoundingClientRect().bottom;
    var r = row.getBoundingClientRect();
    if (r.top < top) window.scrollBy(0, r.top - top - 4);
    else if (r.bottom > window.innerHeight) window.scrollBy(0, r.bottom - window.innerHeight + 4);
  }
  function select(i, quiet) {
    i = Math.max(0, Math.min(N, i));
    if (i === cur) return;
    cur = i;
    var marked = document.querySelectorAll('[data-row]');
    for (var k = 0; k < marked.length; k++) marked[k].classList.toggle('sel', Number(marked[k].getAttribute('data-row')) === i);
    slider.value = String(i);
    text($('pos'), 'step ' + i + ' of ' + N);
    var s = D.steps[i - 1];
    text($('step-title'), s ? 'Step ' + i + ' · ' + s.ctx + ' · ' + s.step + ' ' + s.fn : 'Initial state');
    text($('step-text'), s ? s.text : 'Before any step.');
    text($('step-label'), s ? s.label : '');
    var ul = $('diff');
    ul.replaceChildren();
    var lines = D.diffs[i];
    if (i === 0) ul.appendChild(node('li', 'none', '(the initial state; no change yet)'));
    else if (!lines.length) ul.appendChild(node('li', 'none', '(no field changed)'));
    else lines.forEach(function (l) { ul.appendChild(node('li', '', l)); });
    var v = $('violation');
    v.classList.toggle('on', i === N && D.violations.length > 0);
    var tb = $('locks');
    tb.replaceChildren();
    var ls = D.locks[i];
    if (!ls.length) { var tr0 = node('tr'); var td0 = node('td', '', 'this model has no kernel locks'); td0.colSpan = 4; tr0.appendChild(td0); tb.appendChild(tr0); }
    ls.forEach(function (l) {
      var tr = node('tr', s && (l.holders.indexOf(s.ctx) >= 0 || l.waiters.some(function (w) { return w.split(' ')[0] === s.ctx; })) ? 'mine' : '');
      [l.name, l.kind, l.holders.map(function (h) { return l.mode ? h + ' (' + l.mode + ')' : h; }).join(', ') || '—', l.waiters.join(', ') || '—'].forEach(function (c) { tr.appendChild(node('td', '', c)); });
      tb.appendChild(tr);
    });
    text($('state'), JSON.stringify(D.states[i], null, 2));
    if (!quiet) reveal(document.querySelector('rect.rowbg[data-row="' + i + '"]'));
  }
  document.addEventListener('keydown', function (e) {
    if (e.target === slider || e.altKey || e.ctrlKey || e.metaKey) return;
    var k = e.key;
    if (k === 'ArrowRight' || k === 'ArrowDown' || k === 'j') select(cur + 1);
    else if (k === 'ArrowLeft' || k === 'ArrowUp' || k === 'k') select(cur - 1);
    else if (k === 'Home') select(0);
    else if (k === 'End') select(N);
    else return;
    e.preventDefault();
  });
  slider.addEventListener('input', function () { select(Number(slider.value)); });
  $('prev').addEventListener('click', function () { select(cur - 1); });
  $('next').addEventListener('click', function () { select(cur + 1); });
  // a click anywhere in a row (box, bar, lane line or blank) selects it
  var lanes = $('lanes');
  lanes.addEventListener('click', function (ev) {
    var y = ev.clientY - lanes.getBoundingClientRect().top;
    select(Math.floor(y / D.rowHeight));
  });
  var m = /^#step-(\\d+)$/.exec(location.hash);
  select(m ? Number(m[1]) : N, true);
})();
`;

function page(title: string, body: string, script = '', css = ''): string {
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:">
<title>${esc(title)}</title>
<style>${CSS}${css}</style>
</head>
<body>
${body}
${script}
</body>
</html>
`;
}

/** The self-contained HTML page of one counterexample. */
export function traceHtml(p: TracePage): string {
  const d = pageData(p);
  const lanes = svg(d);
  const f = p.found;
  const t = f.trace;
  const v = t.violations.find((x) => x.property === f.property) ?? t.violations[0];
  const lockNames = [...new Set(d.locks.flatMap((ls) => ls.map((l) => `${l.name}\u0000${l.kind}`)))];
  const legend = lockNames.length
    ? `<div class="legend">${lockNames
        .map((nk, i) => {
          const [n, k] = nk.split('\u0000');
          return `<span><span class="sw" style="background:${PALETTE[i % PALETTE.length] ?? '#555'}"></span>${esc(n ?? '')} <i>(${esc(k ?? '')})</i></span>`;
        })
        .join('')}<span>solid bar: holds · hatched bar: waits · <b>+</b>lock acquired · <b>−</b>lock released</span></div>`
    : '';
  const facts = [
    `${esc(f.engine)}${f.seed !== null ? `, seed ${f.seed}` : ''}${f.path ? `, fast-check path <code>${esc(f.path)}</code>` : ''}, ${t.steps.length} step${t.steps.length === 1 ? '' : 's'}${t.loop !== undefined ? ` (a cycle of ${t.steps.length - t.loop})` : ''}, ${d.lanes.length} context${d.lanes.length === 1 ? '' : 's'}`,
    p.replay ? `replay: <code>${esc(p.replay)}</code>` : '',
    p.files?.length ? `files: ${p.files.map((x) => `<code>${esc(x)}</code>`).join(' ')}` : '',
    p.indexHref ? `<a href="${esc(p.indexHref)}">all results of this run</a>` : '',
  ].filter(Boolean);
  const where = t.loop !== undefined ? `on a lasso (steps 1–${t.loop}, then steps ${t.loop + 1}–${t.steps.length} repeated forever)` : `after step ${t.steps.length}`;
  const banner = v
    ? `<div class="banner" id="banner">violates <b>${esc(v.property)}</b> ${where}: ${esc(v.message)}</div>`
    : `<div class="banner ok" id="banner">no violation: the trace replays without violating ${esc(f.property)}</div>`;
  const body = `<header>
<h1>${esc(f.model)} ${esc(f.variant)} <span class="sub">— counterexample to ${esc(f.property)}</span></h1>
${banner}
<div class="facts">${facts.join(' · ')}</div>
<div class="controls">
<button id="prev" type="button" title="previous step (←)">◀ prev</button>
<input id="slider" type="range" min="0" max="${t.steps.length}" step="1" value="${t.steps.length}" aria-label="step">
<button id="next" type="button" title="next step (→)">next ▶</button>
<span id="pos">step ${t.steps.length} of ${t.steps.length}</span>
<span class="hint">← → or ↑ ↓ step · Home / End · click a row</span>
</div>
${legend}
</header>
<main>
<div class="diagram">
<div class="stick">
${lanes.head}
</div>
${lanes.body}
</div>
<section class="panel" aria-live="polite">
<h2 id="step-title"></h2>
<div id="step-text"></div>
<div><code id="step-label"></code></div>
<div class="banner" id="violation">${[...(v ? [v] : []), ...t.violations.filter((x) => x !== v)].map((x) => `violates <b>${esc(x.property)}</b>: ${esc(x.message)}`).join('<br>')}</div>
<h3>Changes</h3>
<ul id="diff"></ul>
<h3>Locks</h3>
<table class="locks"><thead><tr><th>lock</th><th>kind</th><th>held by</th><th>waiting</th></tr></thead><tbody id="locks"></tbody></table>
<h3>State</h3>
<details><summary>full state after this step</summary><pre id="state"></pre></details>
</section>
</main>
<script type="application/json" id="mm-data">${scriptJson(d)}</script>`;
  return page(`${f.model} ${f.variant} — ${f.property}`, body, `<script>${SCRIPT}</script>`);
}

/** The index page of a run: every result, with links to the counterexample pages (`href` by outcome). */
export function indexHtml(r: RunReport, href: (model: string, variant: string) => string | undefined): string {
  const rows = r.outcomes
    .map((o) => {
      const ce = o.counterexample;
      const h = ce ? href(o.model, o.variant) : undefined;
      const verdict = verdictOf(o);
      const found = ce ? (h ? `<a href="${esc(h)}">${esc(ce.found.property)}</a>` : esc(ce.found.property)) : 'none';
      return `<tr class="${verdict}"><td>${esc(o.model)}</td><td>${esc(o.variant)}</td><td>${esc(expectationText(o))}</td><td>${found}</td><td>${verdict}</td><td class="n">${o.runs}</td><td class="n">${seconds(o.ms)}</td><td class="trace">${ce ? `${ce.found.trace.steps.length} step${ce.found.trace.steps.length === 1 ? '' : 's'}` : ''}</td><td class="sum">${esc(o.summary)}</td></tr>`;
    })
    .join('\n');
  const found = r.outcomes.filter((o) => o.counterexample).length;
  const body = `<header>
<h1>mmcheck run <span class="sub">— seed ${r.seed}, ${r.runsPerVariant} runs per variant</span></h1>
<div class="facts">${r.outcomes.length} variant(s), ${found} with a violation; ${r.outcomes.filter((o) => verdictOf(o) !== 'expected' && verdictOf(o) !== 'interrupted').length} verdict(s) not as expected${r.interrupted !== undefined ? `; interrupted (${esc(r.interrupted)})` : ''}</div>
</header>
<main>
<table class="index">
<thead><tr><th>model</th><th>variant</th><th>expected</th><th>found</th><th>verdict</th><th>runs</th><th>time</th><th>trace</th><th>summary</th></tr></thead>
<tbody>
${rows}
</tbody>
</table>
</main>`;
  const css = `
table.index { border-collapse: collapse; background: #fff; border: 1px solid var(--line); }
table.index th, table.index td { padding: 4px 10px; border-bottom: 1px solid var(--line); text-align: left; vertical-align: top; }
table.index td.n { text-align: right; font-variant-numeric: tabular-nums; }
table.index td.sum { color: var(--muted); max-width: 520px; }
table.index td.trace { white-space: nowrap; }
table.index tr.unexpected td, table.index tr.missed td { background: var(--badbg); }
`;
  return page(`mmcheck run — seed ${r.seed}`, body, '', css);
}
