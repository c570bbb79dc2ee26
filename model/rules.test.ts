/**
 * Rules and defineModel: the generated `actions`, `next` and `describe`
 * follow the rules (order, arguments, contexts, text), the derived lists
 * follow the properties and the variant record, and mistakes are refused
 * when the model is built, with the name at fault.
 */
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { z } from 'zod';
import { explore } from '../properties/explore.js';
import { configParser } from './config-schema.js';
import { defineModel } from './define.js';
import { kernelState, type KernelState } from './kernel/state.js';
import { callText, machineFromRules, rulesFor, when, type Rule } from './rules.js';

/** Two CPUs each add their id to a counter once; a third step resets it, once, when it is above 2. */
interface Toy {
  readonly k: KernelState;
  readonly n: number;
  readonly done: readonly number[];
  readonly reset: boolean;
}
const rule = rulesFor<Toy>();
const rules = (double: boolean): readonly Rule<Toy>[] => [
  rule({
    step: 'A1',
    fn: 'add',
    // `enabled` first: the arguments' type is inferred from it, then read by `ctx` and `apply`
    enabled: (s) => [0, 1].filter((c) => !s.done.includes(c)).map((cpu) => ({ cpu })),
    ctx: (a) => `cpu${a.cpu}`,
    apply: (d, a) => {
      d.n += double ? 2 * a.cpu : a.cpu;
      d.done.push(a.cpu);
    },
  }),
  rule({ step: 'R1', fn: 'reset', ctx: 'env', enabled: (s) => when(!s.reset && s.n > 0), apply: (d) => void ((d.n = 0), (d.reset = true)), text: (s, _, n) => `reset ${s.n} → ${n.n}` }),
];
const toy = (double: boolean) =>
  machineFromRules<Toy>({
    init: () => ({ k: kernelState({}), n: 0, done: [], reset: false }),
    rules: rules(double),
    quiescent: (s) => s.done.length === 2,
    kernel: (s) => s.k,
    properties: [
      { kind: 'always', name: 'T1', doc: 'n stays below 2', check: ({ next }) => (next.n < 2 ? undefined : `n = ${next.n}`) },
      { kind: 'sometimes', name: 'reset-seen', doc: 'a reset happened', check: ({ next }) => next.reset },
      { kind: 'always', name: 'T1', doc: 'a second check under the same name', check: () => undefined },
      { kind: 'eventually', name: 'T2', doc: 'the CPUs finish', pending: (s) => (s.done.length < 2 ? ['cpu'] : []) },
    ],
  });

describe('a machine from rules', () => {
  const m = toy(false);
  const s0 = m.init();

  test('actions come in the order of the rules, then of the arguments; each is the rule name plus its arguments', () => {
    expect(m.actions(s0)).toEqual([
      { type: 'A1', cpu: 0 },
      { type: 'A1', cpu: 1 },
    ]);
    const s1 = m.next(s0, { type: 'A1', cpu: 1 });
    expect(s1).toMatchObject({ n: 1, done: [1] });
    expect(m.actions(s1)).toEqual([
      { type: 'A1', cpu: 0 },
      { type: 'R1' },
    ]);
    // next is a pure reducer
    expect(s0).toMatchObject({ n: 0, done: [] });
  });

  test('describe: the context from the arguments, the step and function, the text from the states when given', () => {
    expect(m.describe({ type: 'A1', cpu: 1 })).toEqual({ ctx: 'cpu1', step: 'A1', fn: 'add', text: 'add(cpu=1)' });
    const s1 = m.next(s0, { type: 'A1', cpu: 1 });
    const s2 = m.next(s1, { type: 'R1' });
    expect(m.describe({ type: 'R1' }, s1, s2)).toEqual({ ctx: 'env', step: 'R1', fn: 'reset', text: 'reset 1 → 0' });
    expect(m.describe({ type: 'R1' })).toMatchObject({ text: 'reset' });
  });

  test('an action no rule has is refused with its type; two rules of one name are refused when built', () => {
    expect(() => m.next(s0, { type: 'B9' })).toThrow('no rule takes an action of type B9');
    expect(() => machineFromRules<Toy>({ ...toy(false), rules: [...rules(false), ...rules(false)] })).toThrow(/two rules are named A1/);
  });

  test('the engines explore it: every interleaving, the property found where it fails', () => {
    expect(explore(toy(false)).states).toBe(explore(toy(false)).states);
    const r = explore(toy(true), { target: 'T1' });
    expect(r.counterexample?.steps.map((s) => s.label)).toEqual(['A1(cpu=1)']);
    expect(r.counterexample?.steps[0]?.info).toMatchObject({ ctx: 'cpu1', text: 'add(cpu=1)' });
  });

  test('callText prints each argument once, strings bare', () => {
    expect(callText('f', {})).toBe('f');
    expect(callText('f', { a: 1, b: 'x', c: [1, 2] })).toBe('f(a=1, b=x, c=[1,2])');
  });
});

describe('defineModel', () => {
  const spec = {
    name: 'toy',
    title: 'toy',
    spec: 'model/rules.test.ts',
    smallConfig: {},
    randomConfig: fc.constant({}),
    parseConfig: () => ({}),
    machine: (double: boolean) => toy(double),
  };
  const model = defineModel({
    ...spec,
    variants: {
      reference: { flags: false, summary: 'adds once', expect: { kind: 'holds' } },
      doubled: { flags: true, summary: 'adds twice', expect: { kind: 'violates', property: 'T1' } },
    },
  });

  test('variants in the order of the record; property names from the reference, every kind but sometimes, each once', () => {
    expect(model.variants.map((v) => [v.name, v.expect.kind])).toEqual([
      ['reference', 'holds'],
      ['doubled', 'violates'],
    ]);
    expect(model.propertyNames).toEqual(['T1', 'T2']);
  });

  test('machine(variant) gets the variant\'s flags; an unknown variant is named with the known ones, even a name of Object.prototype', () => {
    expect(explore(model.machine('doubled', {}), { target: 'T1' }).counterexample).toBeDefined();
    expect(explore(model.machine('reference', {})).violated.size).toBe(0);
    expect(model.flagsOf('doubled')).toBe(true);
    expect(() => model.machine('toString', {})).toThrow("unknown variant 'toString' of model 'toy' (known: reference, doubled)");
  });

  test('machine gets the variant\'s name and the engine\'s symmetry switch (on unless turned off)', () => {
    const seen: unknown[] = [];
    const m = defineModel({ ...spec, machine: (f: boolean, _c: unknown, build) => (seen.push(build), toy(f)), variants: { reference: { flags: false, summary: '', expect: { kind: 'holds' } }, other: { flags: true, summary: '', expect: { kind: 'harmless', why: 'w' } } } });
    m.machine('other', {});
    m.machine('other', {}, { symmetry: false });
    expect(seen.slice(1)).toEqual([
      { variant: 'other', symmetry: true },
      { variant: 'other', symmetry: false },
    ]);
  });

  test('a variant that declares a property the model does not have is refused when defined; built-in ones are accepted', () => {
    const bad = { reference: { flags: false, summary: '', expect: { kind: 'holds' } }, x: { flags: true, summary: '', expect: { kind: 'violates', property: 'T9' } } } as const;
    expect(() => defineModel({ ...spec, variants: bad })).toThrow('toy x declares T9, which is not one of the model\'s properties (T1, T2)');
    const dl = { reference: { flags: false, summary: '', expect: { kind: 'holds' } }, x: { flags: true, summary: '', expect: { kind: 'violates', property: 'deadlock' } } } as const;
    expect(defineModel({ ...spec, variants: dl }).propertyNames).toEqual(['T1', 'T2']);
  });

  test('a property the small configuration leaves out is named when a family member\'s or a variant\'s configuration has it', () => {
    // T3 exists only where the configuration asks for it (memcg's L1 exists only without a charger)
    const withT3 = (c: { t3?: boolean }) => {
      const m = toy(false);
      return c.t3 ? { ...m, properties: [...m.properties, { kind: 'always' as const, name: 'T3', doc: 'only here', check: () => undefined }] } : m;
    };
    const base = { ...spec, smallConfig: {} as { t3?: boolean }, parseConfig: () => ({}), machine: (_f: boolean, c: { t3?: boolean }) => withT3(c) };
    const ref = { reference: { flags: false, summary: '', expect: { kind: 'holds' } } } as const;
    expect(defineModel({ ...base, variants: ref }).propertyNames).toEqual(['T1', 'T2']);
    expect(defineModel({ ...base, variants: ref, family: [{ name: 'm', why: 'w', config: { t3: true } }] }).propertyNames).toEqual(['T1', 'T2', 'T3']);
    expect(defineModel({ ...base, variants: { ...ref, v: { flags: true, summary: '', expect: { kind: 'violates', property: 'T3' }, exploreConfig: { t3: true } } } }).propertyNames).toEqual(['T1', 'T2', 'T3']);
  });
});

describe('configuration schemas', () => {
  const schema = z.strictObject({ cpus: z.number().int().min(1).max(8), sizes: z.array(z.number().int().positive()) });
  const parse = configParser('toy', schema);

  test('a valid configuration comes back as parsed', () => {
    expect(parse({ cpus: 2, sizes: [4, 8] })).toEqual({ cpus: 2, sizes: [4, 8] });
  });

  test('unknown fields (Object.prototype\'s names included), wrong types and out-of-range values: one line naming the field', () => {
    expect(() => parse(JSON.parse('{"cpus":2,"sizes":[],"__proto__":{"x":1}}'))).toThrow("toy config has unknown field '__proto__'");
    for (const key of ['toString', 'constructor', 'hasOwnProperty']) expect(() => parse({ cpus: 2, sizes: [], [key]: 1 })).toThrow(`toy config has unknown field '${key}'`);
    expect(() => parse({ cpus: 9, sizes: [] })).toThrow(/^toy config field 'cpus': .*8/);
    expect(() => parse({ cpus: 2, sizes: [4, -1] })).toThrow(/^toy config field 'sizes\[1\]': /);
    expect(() => parse({ cpus: '2', sizes: [] })).toThrow(/^toy config field 'cpus': .*number/);
    expect(() => parse([])).toThrow(/^toy config: /);
  });

  test('defineModel derives parseConfig from configSchema, and needs one of the two', () => {
    type Cfg = { cpus: number; sizes: number[] };
    const base = { name: 'toy', title: 't', spec: 's', smallConfig: { cpus: 1, sizes: [] } as Cfg, randomConfig: fc.constant<Cfg>({ cpus: 1, sizes: [] }), variants: { reference: { flags: false, summary: '', expect: { kind: 'holds' } } } as const, machine: () => toy(false) };
    const m = defineModel({ ...base, configSchema: schema });
    expect(() => m.parseConfig({ cpus: 0, sizes: [] })).toThrow(/^toy config field 'cpus'/);
    expect(() => defineModel(base)).toThrow('toy needs a configSchema or a parseConfig');
  });
});
