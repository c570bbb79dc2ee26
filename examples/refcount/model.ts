/**
 * Example user model: a refcounted object on a lookup list (the kref
 * pattern), written against the public API only (`import … from 'mmcheck'`),
 * with `defineModel` and one rule per step.
 *
 * The object starts with one reference, owned by O, and sits on a list
 * protected by `list_lock`. A lookup context L finds it on the list and takes
 * a reference; O drops its reference; whoever drops the last one releases
 * the object: removes it from the list and frees it.
 *
 * - `reference`: the last put is `kref_put_mutex()` — the decrement to zero
 *   happens under `list_lock`, so a lookup can never find an object whose
 *   count already reached zero.
 * - `unlocked-put`: the last put decrements first and takes `list_lock` only
 *   to unlink. Between the two, L finds the object with a count of 0, takes a
 *   "reference", and O frees it under L's feet: R1 (use after free).
 *
 * Steps: L1–L4 for the lookup, O1–O5 for the owner's put (O1 and O2 swap
 * places in `unlocked-put`). Decision: a step that finds `list_lock` taken
 * queues L or O on it (`mutexLock` returns 'waiting') and is retried when the
 * lock is free, as `mutex_lock` sleeps.
 *
 * Run it: `npx mmcheck run --model examples/refcount/model.ts`.
 */
import fc from 'fast-check';
import type { Draft } from 'immer';
import type { KernelState, Rule } from 'mmcheck';
import { canProceed, defineModel, kernelState, machineFromRules, mutexLock, mutexUnlock, rulesFor, unrecorded, when, z } from 'mmcheck';

/** State: the object, and each context's program counter. */
export interface RefState {
  readonly k: KernelState;
  readonly refcount: number;
  readonly onList: boolean;
  readonly freed: boolean;
  /** L's program counter: the next of L1…L4 to run; 5 done. */
  readonly l: number;
  /** Whether L holds a reference. */
  readonly lRef: boolean;
  /** O's program counter: the next of O1…O5 to run; 6 done. */
  readonly o: number;
  /** The first step that touched freed memory (R1), recorded at the step. */
  readonly uaf: string | null;
}

/** Configuration: whether the lookup runs at all (kept to show a configuration schema). */
export interface RefConfig {
  readonly lookups: 0 | 1;
}

/** What makes `unlocked-put` differ from the reference. */
interface RefFlags {
  /** kref_put_mutex: take list_lock before the decrement to zero. */
  readonly lockBeforeDec: boolean;
}

const rule = rulesFor<RefState>();
const DONE_L = 5;
const DONE_O = 6;

/** The use-after-free detector: ghost code, kept out of the step's footprint (`mmcheck races`). */
function touch(d: Draft<RefState>, what: string): void {
  unrecorded(() => {
    if (d.freed && d.uaf === null) d.uaf = what;
  });
}

/** L: look the object up under list_lock and use it. */
const lookup: readonly Rule<RefState>[] = [
  rule({ ctx: 'L', step: 'L1', fn: 'mutex_lock', enabled: (s) => when(s.l === 1 && canProceed(s.k, 'L')), apply: (d) => void (mutexLock(d.k, 'list_lock', 'L') === 'acquired' && (d.l = 2)) }),
  rule({
    ctx: 'L',
    step: 'L2',
    fn: 'kref_get',
    enabled: (s) => when(s.l === 2),
    apply: (d) => {
      // a put that already reached zero makes this a use after free
      if (d.onList) {
        touch(d, 'kref_get');
        d.refcount += 1;
        d.lRef = true;
      }
      d.l = 3;
    },
    text: (s, _, n) => (n.lRef ? `kref_get: refcount ${s.refcount} → ${n.refcount}` : 'kref_get: not on the list, nothing taken'),
  }),
  rule({ ctx: 'L', step: 'L3', fn: 'mutex_unlock', enabled: (s) => when(s.l === 3), apply: (d) => void (mutexUnlock(d.k, 'list_lock', 'L'), (d.l = d.lRef ? 4 : DONE_L)) }),
  rule({ ctx: 'L', step: 'L4', fn: 'use', enabled: (s) => when(s.l === 4), apply: (d) => void (touch(d, 'use'), (d.l = DONE_L)) }),
];

/** O's put, in the order of `f`: the lock before the decrement (kref_put_mutex) or after it. */
function put(f: RefFlags): readonly Rule<RefState>[] {
  const lockPc = f.lockBeforeDec ? 1 : 2;
  const decPc = f.lockBeforeDec ? 2 : 1;
  const fn = f.lockBeforeDec ? 'kref_put_mutex' : 'kref_put';
  return [
    rule({ ctx: 'O', step: `O${lockPc}`, fn: 'mutex_lock', enabled: (s) => when(s.o === lockPc && canProceed(s.k, 'O')), apply: (d) => void (mutexLock(d.k, 'list_lock', 'O') === 'acquired' && (d.o += 1)) }),
    rule({
      ctx: 'O',
      step: `O${decPc}`,
      fn,
      enabled: (s) => when(s.o === decPc),
      apply: (d) => {
        d.refcount -= 1;
        if (d.refcount > 0) {
          // not the last reference: a plain put, nothing to release
          if (f.lockBeforeDec) mutexUnlock(d.k, 'list_lock', 'O');
          d.o = DONE_O;
        } else d.o += 1;
      },
      text: (s, _, n) => `${fn}: refcount ${s.refcount} → ${n.refcount}${n.refcount > 0 ? ', not the last' : ', the last: release'}`,
    }),
    rule({ ctx: 'O', step: 'O3', fn: 'list_del', enabled: (s) => when(s.o === 3), apply: (d) => void ((d.onList = false), (d.o = 4)) }),
    rule({ ctx: 'O', step: 'O4', fn: 'mutex_unlock', enabled: (s) => when(s.o === 4), apply: (d) => void (mutexUnlock(d.k, 'list_lock', 'O'), (d.o = 5)) }),
    rule({ ctx: 'O', step: 'O5', fn: 'kfree', enabled: (s) => when(s.o === 5), apply: (d) => void ((d.freed = true), (d.o = DONE_O)) }),
  ];
}

/** The example model. */
export const model = defineModel({
  name: 'refcount',
  title: 'refcounted object on a lookup list (example user model)',
  spec: 'examples/refcount/model.ts',
  smallConfig: { lookups: 1 } as RefConfig,
  randomConfig: fc.constant<RefConfig>({ lookups: 1 }),
  variants: {
    reference: { flags: { lockBeforeDec: true }, summary: 'last put under list_lock (kref_put_mutex)', expect: { kind: 'holds' } },
    'unlocked-put': { flags: { lockBeforeDec: false }, summary: 'last put decrements before taking list_lock: a lookup revives a dying object', expect: { kind: 'violates', property: 'R1' } },
  },
  // the fields and their values, once: replay files and --config are checked against it, unknown fields refused
  configSchema: z.strictObject({ lookups: z.literal([0, 1]) }),
  machine: (f: RefFlags, c: RefConfig) =>
    machineFromRules<RefState>({
      init: () => ({ k: kernelState({ list_lock: 'mutex' }), refcount: 1, onList: true, freed: false, l: c.lookups ? 1 : DONE_L, lRef: false, o: 1, uaf: null }),
      rules: [...lookup, ...put(f)],
      quiescent: (s) => s.l === DONE_L && s.o === DONE_O,
      kernel: (s) => s.k,
      properties: [
        {
          kind: 'always',
          name: 'R1',
          doc: 'the object is freed only when no reference is held, and nothing touches it afterwards',
          check: ({ next }) => (next.freed && next.refcount > 0 ? `kfree with ${next.refcount} reference(s) still held` : next.uaf ? `${next.uaf} on a freed object` : undefined),
        },
        { kind: 'quiescent', name: 'R2', doc: 'at the end the object is freed exactly when no reference is left', check: ({ next }) => (next.freed === (next.refcount === 0) ? undefined : `freed=${next.freed} with refcount ${next.refcount}`) },
        { kind: 'sometimes', name: 'lookup-found', doc: 'the lookup found the object and took a reference', check: ({ next }) => next.lRef },
        { kind: 'sometimes', name: 'released', doc: 'the object was freed', check: ({ next }) => next.freed },
      ],
    }),
});
