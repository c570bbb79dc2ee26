/**
 * ITF traces: the value encoding, the shape ADR-015 asks for, and the round
 * trip write → read → replay for a counterexample of every registered model
 * that has a buggy variant (iterating over the registry, so a new model is
 * covered without touching this file). `mmcheck repro` prints the same
 * trace for the ITF file as for the native replay file.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { main } from '../cli/main.js';
import type { AnyModel } from '../model/contract.js';
import { MODELS } from '../model/registry.js';
import type { Trace } from '../properties/check.js';
import { replayLabels } from '../properties/check.js';
import { randomSearch as randomCheck } from '../shrinkers/search.js';
import { saveCounterexample } from './counterexample.js';
import { decodeValue, encodeValue, fromItf, itfText, readCounterexample, readItf, sameStates, toItf } from './itf.js';
import { readReplay } from './replay.js';
import { renderTrace } from './text.js';

const dir = mkdtempSync(join(tmpdir(), 'mmcheck-itf-'));

/** ADR-015's expression grammar, as mmcheck writes it: no bare numbers, no null, tagged objects with exactly one key. */
function itfShapeErrors(v: unknown, at: string, out: string[]): void {
  if (typeof v === 'string' || typeof v === 'boolean') return;
  if (typeof v === 'number') return void out.push(`${at}: bare JSON number ${v} (mmcheck writes #bigint)`);
  if (v === null) return void out.push(`${at}: null is not an ITF value`);
  if (Array.isArray(v)) return v.forEach((x, i) => itfShapeErrors(x, `${at}[${i}]`, out));
  if (typeof v !== 'object') return void out.push(`${at}: ${typeof v}`);
  const o = v as Record<string, unknown>;
  const keys = Object.keys(o);
  const tagged = keys.filter((k) => k.startsWith('#'));
  if (tagged.length && keys.length !== 1) return void out.push(`${at}: a #-form must be the object's only key (${keys.join(',')})`);
  if (tagged[0] === '#bigint') return void (typeof o['#bigint'] === 'string' && /^-?\d+$/.test(o['#bigint']) ? 0 : out.push(`${at}: bad #bigint`));
  if (tagged[0] === '#unserializable') return void (typeof o['#unserializable'] === 'string' ? 0 : out.push(`${at}: bad #unserializable`));
  if (tagged[0] === '#tup' || tagged[0] === '#set') return itfShapeErrors(o[tagged[0]], at, out);
  if (tagged[0] === '#map') {
    const pairs = o['#map'];
    if (!Array.isArray(pairs)) return void out.push(`${at}: #map must hold an array`);
    return pairs.forEach((p, i) => (Array.isArray(p) && p.length === 2 ? (itfShapeErrors(p[0], `${at}#${i}k`, out), itfShapeErrors(p[1], `${at}#${i}v`, out)) : out.push(`${at}: #map entry ${i} is not a pair`)));
  }
  if (tagged.length) return void out.push(`${at}: unknown form ${tagged[0]}`);
  if ('tag' in o && !(keys.length === 2 && 'value' in o)) out.push(`${at}: a record with a 'tag' field reads as a variant`);
  for (const k of keys) itfShapeErrors(o[k], `${at}.${k}`, out);
}

/** The trace-level shape: `#meta` with format ITF, `vars`, and states that define every var and count their index. */
function traceShapeErrors(t: unknown): string[] {
  const out: string[] = [];
  const o = t as { '#meta'?: Record<string, unknown>; vars?: unknown; states?: unknown };
  if (o['#meta']?.format !== 'ITF') out.push('#meta.format is not ITF');
  if (o['#meta']?.status !== 'violation') out.push('#meta.status is not violation');
  if (!Array.isArray(o.vars) || !o.vars.every((x) => typeof x === 'string')) out.push('vars is not an array of strings');
  if (!Array.isArray(o.states)) return [...out, 'states is not an array'];
  o.states.forEach((s: Record<string, unknown>, i) => {
    const meta = s['#meta'] as Record<string, unknown> | undefined;
    if (meta?.index !== i) out.push(`state ${i}: #meta.index is ${JSON.stringify(meta?.index)}`);
    if (i > 0 && (typeof meta?.action !== 'string' || typeof meta.context !== 'string')) out.push(`state ${i}: #meta lacks action or context`);
    for (const v of o.vars as string[]) if (!(v in s)) out.push(`state ${i}: var ${v} missing`);
    for (const k of Object.keys(s)) if (k !== '#meta' && !(o.vars as string[]).includes(k)) out.push(`state ${i}: ${k} is not a var`);
    for (const v of o.vars as string[]) itfShapeErrors(s[v], `state ${i}.${v}`, out);
  });
  return out;
}

describe('ITF values', () => {
  test('integers are #bigint, beyond 2^53 too, and read back as the same number', () => {
    expect(encodeValue(42)).toEqual({ '#bigint': '42' });
    expect(encodeValue(-7)).toEqual({ '#bigint': '-7' });
    const big = 2 ** 63; // the double nearest LLONG_MAX, as a model holds it
    expect(encodeValue(big)).toEqual({ '#bigint': '9223372036854775808' });
    expect(decodeValue(encodeValue(big))).toBe(big);
    expect(decodeValue(7)).toBe(7); // plain JSON integers of older ITF files
  });
  test('fractions, null, lists, records, and objects a record cannot be', () => {
    const v = { a: 0.5, b: null, c: [1, 'x', true], d: { '#x': 1, y: 2 }, e: { tag: 'A', value: 3 }, f: {} };
    const e = encodeValue(v) as Record<string, unknown>;
    expect(e.a).toEqual({ '#unserializable': '0.5' });
    expect(e.b).toEqual({ tag: 'None', value: { '#tup': [] } });
    expect(e.d).toEqual({ '#map': [['#x', { '#bigint': '1' }], ['y', { '#bigint': '2' }]] });
    expect(e.e).toHaveProperty('#map');
    const errs: string[] = [];
    itfShapeErrors(e, 'v', errs);
    expect(errs).toEqual([]);
    expect(decodeValue(e)).toEqual(v);
  });
  test('what JSON cannot hold is refused, and malformed ITF names where it is wrong', () => {
    expect(() => encodeValue(Number.NaN)).toThrow(/no ITF form/);
    expect(() => decodeValue({ '#bigint': '1.5' }, 'x')).toThrow(/x: #bigint/);
    expect(() => decodeValue(null, 'y')).toThrow(/y: null is not an ITF value/);
    expect(() => decodeValue({ '#map': [[1, 2]] })).toThrow(/string key/);
  });
  test('a state that is not a fixed record is wrapped in one var and reads back', () => {
    const trace: Trace = { init: 3, steps: [{ action: { type: 'inc' }, label: 'inc', info: { ctx: 'A', step: 'A1', fn: 'f' }, state: 4 }], violations: [{ property: 'P', message: 'm' }] };
    const itf = toItf({ model: 'toy', variant: 'v', engine: 'random', seed: 1, path: '0', config: {}, trace, property: 'P' });
    expect(itf.vars).toEqual(['state']);
    expect(itf['#meta'].wrapped).toBe(true);
    const back = fromItf(JSON.parse(itfText(itf)), 'toy.itf.json');
    expect(back.states).toEqual([3, 4]);
    expect(back.replay.actions).toEqual(['inc']);
  });
});

/** A counterexample of a model: the first buggy variant the random engine catches within a small budget. */
function counterexampleOf(m: AnyModel): { variant: string; r: ReturnType<typeof randomCheck> } | undefined {
  for (const v of m.variants) {
    if (v.expect.kind !== 'violates') continue;
    for (const seed of [1, 2, 3]) {
      const r = randomCheck(m, v.name, { seed, runs: 500 });
      if (r.failure) return { variant: v.name, r };
    }
  }
  return undefined;
}

const buggy = MODELS.filter((m) => m.variants.some((v) => v.expect.kind === 'violates'));

describe.each(buggy.map((m) => [m.name, m] as const))('round trip of a %s counterexample', (_name, m) => {
  test('write → read → replay gives the identical trace; the file has ITF shape and is byte-stable', async () => {
    const found = counterexampleOf(m);
    expect(found, `no buggy variant of ${m.name} caught in 3×500 runs`).toBeDefined();
    if (!found?.r.failure) return;
    const f = found.r.failure;
    const facts = { model: m.name, variant: found.variant, engine: 'random' as const, seed: found.r.seed, path: f.path, config: f.config, trace: f.trace, property: f.property, spec: m.spec };
    const saved = saveCounterexample(join(dir, m.name), facts);
    const text = readFileSync(saved.itf, 'utf8');
    const raw = JSON.parse(text) as { '#meta': Record<string, unknown> };
    expect(traceShapeErrors(raw)).toEqual([]);
    expect(raw['#meta']).toMatchObject({ format: 'ITF', source: m.spec, model: m.name, variant: found.variant, property: f.property, engine: 'random', seed: found.r.seed, path: f.path, status: 'violation' });
    expect(raw['#meta']).not.toHaveProperty('timestamp');
    // saving again writes the same bytes
    expect(itfText(toItf(facts, m.spec))).toBe(text);

    const back = readItf(saved.itf);
    expect(back.replay).toEqual(readReplay(saved.json));
    const replayed = replayLabels(m.machine(found.variant, m.parseConfig(back.replay.config)), back.replay.actions).trace;
    expect(replayed.steps.map((s) => s.label)).toEqual(f.trace.steps.map((s) => s.label));
    expect(replayed.violations).toEqual(f.trace.violations);
    expect(sameStates(replayed, back.states)).toBe(true);
    const header = { model: m.name, variant: found.variant, engine: 'random', property: f.property };
    expect(renderTrace(replayed, header)).toBe(renderTrace(f.trace, header));

    // the CLI takes either file and prints the same trace
    const run = async (file: string): Promise<{ code: number; out: string }> => {
      const out: string[] = [];
      const code = await main(['repro', file], (s) => out.push(s), (s) => out.push(`ERR ${s}`), null);
      return { code, out: out.join('\n').replace(file, 'FILE') };
    };
    const a = await run(saved.json);
    const b = await run(saved.itf);
    expect(b.code).toBe(a.code);
    expect(a.code).not.toBe(0);
    expect(b.out).toBe(a.out);
    expect(readCounterexample(saved.itf).actions).toEqual(f.trace.steps.map((s) => s.label));
  });
});

describe('reading ITF files', () => {
  test('content decides the format, and a broken ITF file is one line naming what is wrong', async () => {
    const m = MODELS[0];
    if (!m) throw new Error('no model registered');
    const bad = join(dir, 'bad.itf.json');
    writeFileSync(bad, JSON.stringify({ '#meta': { format: 'ITF', model: m.name, variant: 'reference', engine: 'random', property: 'x', config: m.smallConfig }, vars: ['a'], states: [{ '#meta': { index: 0 }, a: 1 }, { '#meta': { index: 1 }, a: 2 }] }));
    const err: string[] = [];
    const code = await main(['repro', bad], () => undefined, (s) => err.push(s), null);
    expect(code).toBe(2);
    expect(err).toEqual([`mmcheck: ${bad}: state 1 has no '#meta.action' label`]);
    const other = join(dir, 'other.itf.json');
    writeFileSync(other, JSON.stringify({ '#meta': { format: 'ITF', source: 'x.qnt' }, vars: [], states: [] }));
    expect(() => readCounterexample(other)).toThrow(/field '#meta.model': .*\(not an ITF trace written by mmcheck\?\)$/);
  });
});
