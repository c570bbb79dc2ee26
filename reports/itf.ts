/**
 * Counterexamples in the Informal Trace Format (ITF, Apalache ADR-015, as
 * Quint and Apalache write it), so that other tools can take a trace
 * further, and `mmcheck repro` reads them back (detected by content).
 *
 * Encoding of a state's JSON values (decided here; ITF knows no null and no
 * fractions):
 * - every integer is `{"#bigint": "<digits>"}`, as ADR-015 asks since its
 *   2023-09-14 revision and as Quint writes them. A JS number beyond 2^53 is
 *   written with the exact value of the double, and reads back as the same
 *   double. Reading also accepts plain JSON integers (older ITF files).
 * - a number that is not an integer is `{"#unserializable": "<JS text>"}`
 *   and reads back as that number.
 * - `null` is Quint's `None`: `{"tag": "None", "value": {"#tup": []}}`.
 * - arrays are ITF lists; objects are records, except an object with a key
 *   that a record cannot have (one starting with `#`, or `tag`, which Quint
 *   reads as a variant): that one is a `#map` with string keys. `#set` is
 *   never written, as states hold no sets.
 * - the top-level state's fields are the ITF `vars`; a state that is not an
 *   object, or whose fields change along the trace, is one var `state`
 *   (`"wrapped": true` in the trace's `#meta`).
 *
 * The trace's `#meta` has no timestamp, so equal counterexamples give
 * byte-identical files; it carries the model, variant, property, engine,
 * seed, fast-check path and configuration needed to replay. Each state's
 * `#meta` has its `index`; from index 1 on also the `action` label that
 * produced it, its `context` (lane), spec `step` and kernel `fn`; the last
 * one the `violation`.
 */
import { z } from 'zod';
import type { Trace } from '../properties/check.js';
import type { Found } from './found.js';
import type { ReplayFile } from './replay.js';
import { fieldError, InputError, readJsonFile, readReplay, REPLAY_VERSION } from './replay.js';

/** ADR-015, the format's description, as Quint links it. */
export const ITF_DESCRIPTION = 'https://apalache-mc.org/docs/adr/015adr-trace.html';

/** An ITF value. */
export type ItfValue =
  | boolean
  | string
  | number
  | readonly ItfValue[]
  | { readonly '#bigint': string }
  | { readonly '#tup': readonly ItfValue[] }
  | { readonly '#set': readonly ItfValue[] }
  | { readonly '#map': readonly (readonly [ItfValue, ItfValue])[] }
  | { readonly '#unserializable': string }
  | { readonly [field: string]: ItfValue };

/** One ITF state: its `#meta` and one value per var. */
export interface ItfState {
  readonly '#meta': ItfStateMeta;
  readonly [v: string]: ItfValue | ItfStateMeta;
}

/** What each state's `#meta` says about the step that produced it. */
export interface ItfStateMeta {
  readonly index: number;
  readonly action?: string;
  readonly context?: string;
  readonly step?: string;
  readonly fn?: string;
  readonly violation?: { readonly property: string; readonly message: string };
}

/** The trace's `#meta`. */
export interface ItfMeta {
  readonly format: 'ITF';
  readonly 'format-description': string;
  readonly source: string;
  readonly description: string;
  readonly status: 'violation' | 'ok';
  readonly model: string;
  readonly variant: string;
  readonly property: string;
  readonly message: string;
  readonly engine: string;
  readonly seed: number | null;
  readonly path: string | null;
  readonly config: unknown;
  readonly wrapped: boolean;
  readonly 'mmcheck-replay-version': number;
}

/** An ITF trace as mmcheck writes it. */
export interface ItfTrace {
  readonly '#meta': ItfMeta;
  readonly vars: readonly string[];
  readonly states: readonly ItfState[];
  /** A lasso: index of the state where the loop starts; the last state equals it (ADR-015's `loop`). */
  readonly loop?: number;
}

const NONE: ItfValue = { tag: 'None', value: { '#tup': [] } };

function isPlain(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Encodes one JSON value as ITF. Throws on what JSON cannot hold (undefined, functions, NaN). */
export function encodeValue(v: unknown, at = '(state)'): ItfValue {
  if (v === null) return NONE;
  if (typeof v === 'boolean' || typeof v === 'string') return v;
  if (typeof v === 'number') {
    if (!Number.isFinite(v)) throw new Error(`${at}: ${v} has no ITF form`);
    if (Number.isInteger(v)) return { '#bigint': BigInt(v).toString() };
    return { '#unserializable': String(v) };
  }
  if (Array.isArray(v)) return v.map((x, i) => encodeValue(x, `${at}[${i}]`));
  if (isPlain(v)) {
    const entries = Object.entries(v).filter(([, x]) => x !== undefined);
    if (entries.some(([k]) => k.startsWith('#') || k === 'tag')) {
      return { '#map': entries.map(([k, x]) => [k, encodeValue(x, `${at}.${k}`)] as const) };
    }
    return Object.fromEntries(entries.map(([k, x]) => [k, encodeValue(x, `${at}.${k}`)]));
  }
  throw new Error(`${at}: a ${typeof v} has no ITF form`);
}

/** Decodes an ITF value into the JSON value {@link encodeValue} made of it; throws {@link InputError}. */
export function decodeValue(v: unknown, at = '(state)'): unknown {
  if (typeof v === 'boolean' || typeof v === 'string') return v;
  if (typeof v === 'number') {
    if (!Number.isInteger(v)) throw new InputError(`${at}: ITF numbers are integers, got ${v}`);
    return v;
  }
  if (Array.isArray(v)) return v.map((x, i) => decodeValue(x, `${at}[${i}]`));
  if (!isPlain(v)) throw new InputError(`${at}: ${v === null ? 'null' : typeof v} is not an ITF value`);
  const keys = Object.keys(v);
  const only = (k: string): boolean => keys.length === 1 && keys[0] === k;
  if (only('#bigint')) {
    const s = v['#bigint'];
    if (typeof s !== 'string' || !/^-?\d+$/.test(s)) throw new InputError(`${at}: #bigint must be a string of digits`);
    return Number(s);
  }
  if (only('#unserializable')) {
    const n = typeof v['#unserializable'] === 'string' ? Number(v['#unserializable']) : Number.NaN;
    if (!Number.isFinite(n)) throw new InputError(`${at}: #unserializable ${JSON.stringify(v['#unserializable'])} is not a number mmcheck wrote`);
    return n;
  }
  if (only('#tup') || only('#set')) {
    const xs = v[keys[0] ?? ''];
    if (!Array.isArray(xs)) throw new InputError(`${at}: ${keys[0]} must hold an array`);
    return xs.map((x, i) => decodeValue(x, `${at}[${i}]`));
  }
  if (only('#map')) {
    const pairs = v['#map'];
    if (!Array.isArray(pairs)) throw new InputError(`${at}: #map must hold an array of pairs`);
    const out: Record<string, unknown> = {};
    for (const p of pairs) {
      if (!Array.isArray(p) || p.length !== 2 || typeof p[0] !== 'string') throw new InputError(`${at}: #map entries must be [string key, value] pairs`);
      out[p[0]] = decodeValue(p[1], `${at}.${p[0]}`);
    }
    return out;
  }
  if (keys.length === 2 && 'tag' in v && 'value' in v) {
    if (v.tag === 'None') return null;
    if (v.tag === 'Some') return decodeValue(v.value, at);
  }
  const out: Record<string, unknown> = {};
  for (const k of keys) {
    if (k.startsWith('#')) continue;
    out[k] = decodeValue(v[k], `${at}.${k}`);
  }
  return out;
}

/** Builds the ITF trace of a counterexample. `spec` names the model's spec file (the ITF `source`). */
export function toItf(f: Found, spec?: string): ItfTrace {
  const states = [f.trace.init, ...f.trace.steps.map((s) => s.state)];
  const first = states[0];
  const keyOf = (s: unknown): string => (isPlain(s) ? JSON.stringify(Object.keys(s).filter((k) => s[k] !== undefined)) : '');
  // a state whose fields are not fixed vars, or one ITF readers would misread (a `#` key, or `tag` taken for a variant), is one var
  const wrapped =
    !isPlain(first) || !states.every((s) => isPlain(s) && keyOf(s) === keyOf(first)) || Object.keys(first).some((k) => k.startsWith('#') || k === 'tag');
  const vars = wrapped ? ['state'] : (JSON.parse(keyOf(first)) as string[]);
  const v = f.trace.violations.find((x) => x.property === f.property) ?? f.trace.violations[0];
  const last = states.length - 1;
  const itfStates = states.map((s, i): ItfState => {
    const step = i > 0 ? f.trace.steps[i - 1] : undefined;
    const meta: ItfStateMeta = {
      index: i,
      ...(step ? { action: step.label, context: step.info.ctx, step: step.info.step, fn: step.info.fn } : {}),
      ...(i === last && v ? { violation: { property: v.property, message: v.message } } : {}),
    };
    const values = wrapped ? { state: encodeValue(s) } : Object.fromEntries(vars.map((k) => [k, encodeValue((s as Record<string, unknown>)[k], k)]));
    return { '#meta': meta, ...values };
  });
  return {
    '#meta': {
      format: 'ITF',
      'format-description': ITF_DESCRIPTION,
      source: spec ?? f.model,
      description: `Created by mmcheck: ${f.model} ${f.variant} ${v ? `violates ${v.property}` : 'passes'} (${f.engine}${f.seed !== null ? `, seed ${f.seed}` : ''}, ${f.trace.steps.length} step${f.trace.steps.length === 1 ? '' : 's'})`,
      status: v ? 'violation' : 'ok',
      model: f.model,
      variant: f.variant,
      property: f.property,
      message: v?.message ?? '',
      engine: f.engine,
      seed: f.seed,
      path: f.path,
      config: f.config,
      wrapped,
      'mmcheck-replay-version': REPLAY_VERSION,
    },
    vars,
    states: itfStates,
    // the cycle's first step leaves the state at index loop, and the last state returns to it
    ...(f.trace.loop !== undefined ? { loop: f.trace.loop } : {}),
  };
}

/** Serialises an ITF trace: the header indented, one state per line (stable, diff-friendly). */
export function itfText(t: ItfTrace): string {
  const meta = JSON.stringify(t['#meta'], null, 2).replace(/\n/g, '\n  ');
  const states = t.states.map((s) => `    ${JSON.stringify(s)}`).join(',\n');
  const loop = t.loop !== undefined ? `,\n  "loop": ${t.loop}` : '';
  return `{\n  "#meta": ${meta},\n  "vars": ${JSON.stringify(t.vars)},\n  "states": [\n${states}\n  ]${loop}\n}\n`;
}

/** A counterexample read from an ITF file: the replay facts, and the states as the file records them. */
export interface ItfRead {
  readonly replay: ReplayFile;
  /** Decoded states, the initial one first. */
  readonly states: readonly unknown[];
}

/** What mmcheck writes around the states of an ITF trace (the states themselves are checked one by one). */
const ITF_HEAD = z
  .object({
    '#meta': z.object({
      model: z.string(),
      variant: z.string(),
      engine: z.string(),
      property: z.string(),
      message: z.string().optional(),
      seed: z.int().nullable().optional(),
      path: z.string().nullable().optional(),
      config: z.custom<unknown>((v) => v !== undefined, { message: 'is missing' }),
      wrapped: z.boolean().optional(),
    }),
    vars: z.array(z.string()),
    states: z.array(z.unknown()).min(1),
    loop: z.int().min(0).optional(),
  })
  .refine((x) => x.loop === undefined || x.loop < x.states.length - 1, { message: 'must be the index of a state before the last', path: ['loop'] });

/** Validates a parsed ITF trace written by mmcheck; throws {@link InputError} with one line. */
export function fromItf(raw: unknown, file: string): ItfRead {
  if (!isPlain(raw)) throw new InputError(`${file} is not an ITF trace (not an object)`);
  const meta = raw['#meta'];
  if (!isPlain(meta) || meta.format !== 'ITF') throw new InputError(`${file} is not an ITF trace ('#meta.format' is not "ITF")`);
  const version = meta['mmcheck-replay-version'];
  if (version !== undefined && version !== REPLAY_VERSION) throw new InputError(`${file} has replay format version ${JSON.stringify(version)}; this mmcheck reads version ${REPLAY_VERSION}`);
  const head = ITF_HEAD.safeParse(raw);
  // a '#meta' without mmcheck's fields is most likely another tool's ITF trace
  if (!head.success) throw new InputError(`${file}: ${fieldError(head.error)}${head.error.issues[0]?.path[0] === '#meta' ? ' (not an ITF trace written by mmcheck?)' : ''}`);
  const { vars, states, loop, '#meta': m } = head.data;
  const actions: string[] = [];
  const decoded = states.map((s: unknown, i) => {
    if (!isPlain(s)) throw new InputError(`${file}: state ${i} is not an object`);
    const sm = s['#meta'];
    if (isPlain(sm) && sm.index !== undefined && sm.index !== i) throw new InputError(`${file}: state ${i} has '#meta.index' ${JSON.stringify(sm.index)}`);
    if (i > 0) {
      if (!isPlain(sm) || typeof sm.action !== 'string') throw new InputError(`${file}: state ${i} has no '#meta.action' label`);
      actions.push(sm.action);
    }
    for (const v of vars) if (!(v in s)) throw new InputError(`${file}: state ${i} has no value for var '${v}'`);
    if (m.wrapped === true) return decodeValue(s.state, `state ${i}`);
    return Object.fromEntries(vars.map((v) => [v, decodeValue(s[v], `state ${i}: ${v}`)]));
  });
  return {
    replay: {
      format: 'mmcheck-replay',
      version: REPLAY_VERSION,
      model: m.model,
      variant: m.variant,
      engine: m.engine,
      property: m.property,
      message: m.message ?? '',
      seed: m.seed ?? null,
      path: m.path ?? null,
      config: m.config,
      actions,
      ...(loop !== undefined ? { loop } : {}),
    },
    states: decoded,
  };
}

/** Reads an ITF file written by mmcheck. */
export function readItf(file: string): ItfRead {
  return fromItf(readJsonFile(file), file);
}

/**
 * Reads a counterexample file of either format, told apart by content: an
 * object with `#meta` is ITF, anything else goes to the native replay reader
 * (which names what is wrong with it).
 */
export function readCounterexample(file: string): ReplayFile {
  const raw = readJsonFile(file);
  if (isPlain(raw) && '#meta' in raw) return fromItf(raw, file).replay;
  return readReplay(file);
}

/** Whether a trace's states equal those an ITF file recorded (JSON equality). */
export function sameStates(t: Trace, states: readonly unknown[]): boolean {
  const mine = [t.init, ...t.steps.map((s) => s.state)];
  return mine.length === states.length && mine.every((s, i) => JSON.stringify(canon(s)) === JSON.stringify(canon(states[i])));
}

function canon(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(canon);
  if (isPlain(v)) return Object.fromEntries(Object.keys(v).filter((k) => v[k] !== undefined).sort().map((k) => [k, canon(v[k])]));
  return v;
}
