/**
 * Example user model: a refcounted object on a lookup list (the kref
 * pattern), written against the public API only (`import … from 'mmcheck'`).
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
 * Run it: `npx mmcheck run --model examples/refcount/model.ts`.
 */
import fc from 'fast-check';
import { produce } from 'immer';
import { match } from 'ts-pattern';
import type { Machine, ModelDef, StepInfo } from 'mmcheck';
import { canProceed, kernelState, mutexLock, mutexUnlock } from 'mmcheck';
import type { KernelState } from 'mmcheck';

/** State: the object, and each context's program counter. */
export interface RefState {
  readonly k: KernelState;
  readonly refcount: number;
  readonly onList: boolean;
  readonly freed: boolean;
  /** L's program counter: 0 lock, 1 look up, 2 unlock, 3 use, 5 done (L keeps its reference). */
  readonly l: number;
  /** Whether L holds a reference. */
  readonly lRef: boolean;
  /** O's program counter: 0 put, 1 lock, 2 unlink, 3 unlock, 4 free, 5 done. */
  readonly o: number;
  /** Set when any step touched freed memory (R1). */
  readonly uaf: string | null;
}

/** One step of L or O; `ctx` says which. */
export interface RefAction {
  readonly type: 'step';
  readonly ctx: 'L' | 'O';
}

/** Configuration: whether the lookup runs at all (kept to show parseConfig). */
export interface RefConfig {
  readonly lookups: 0 | 1;
}

const L_STEPS = ['mutex_lock', 'kref_get', 'mutex_unlock', 'use'] as const;

function touch(d: { freed: boolean; uaf: string | null }, what: string): void {
  if (d.freed && d.uaf === null) d.uaf = what;
}

function machine(variant: string, c: RefConfig): Machine<RefState, RefAction> {
  const locked = variant === 'reference';
  const oSteps = locked
    ? ['kref_put_mutex: lock', 'kref_put_mutex: dec to 0', 'list_del', 'mutex_unlock', 'kfree']
    : ['kref_put: dec to 0', 'mutex_lock', 'list_del', 'mutex_unlock', 'kfree'];
  return {
    init: () => ({ k: kernelState({ list_lock: 'mutex' }), refcount: 1, onList: true, freed: false, l: c.lookups ? 0 : 5, lRef: false, o: 0, uaf: null }),
    actions: (s) => {
      const out: RefAction[] = [];
      if (s.l < 5 && canProceed(s.k, 'L')) out.push({ type: 'step', ctx: 'L' });
      if (s.o < 5 && canProceed(s.k, 'O')) out.push({ type: 'step', ctx: 'O' });
      return out;
    },
    next: (s, a) =>
      produce(s, (d) => {
        if (a.ctx === 'L') {
          match(d.l)
            .with(0, () => void (mutexLock(d.k, 'list_lock', 'L') === 'acquired' && (d.l = 1)))
            .with(1, () => {
              // kref_get on what the list holds; a put that already hit zero makes this a use after free
              if (d.onList) {
                touch(d, 'kref_get');
                d.refcount += 1;
                d.lRef = true;
              }
              d.l = 2;
            })
            .with(2, () => void (mutexUnlock(d.k, 'list_lock', 'L'), (d.l = d.lRef ? 3 : 5)))
            .otherwise(() => void (touch(d, 'use'), (d.l = 5)));
          return;
        }
        // O: the owner's put
        const step = oSteps[d.o] ?? '';
        if (step.endsWith('lock') && !step.includes('unlock')) {
          if (mutexLock(d.k, 'list_lock', 'O') === 'acquired') d.o += 1;
          return;
        }
        if (step.includes('dec to 0')) {
          d.refcount -= 1;
          // not the last reference: a plain put, nothing to release
          if (d.refcount > 0) {
            if (locked) mutexUnlock(d.k, 'list_lock', 'O');
            d.o = 5;
          } else d.o += 1;
          return;
        }
        if (step === 'list_del') {
          d.onList = false;
          d.o += 1;
          return;
        }
        if (step === 'mutex_unlock') {
          mutexUnlock(d.k, 'list_lock', 'O');
          d.o += 1;
          return;
        }
        d.freed = true;
        d.o = 5;
      }),
    // describe sees only the action; the step name comes from the state in the trace's changes
    describe: (a): StepInfo => ({ ctx: a.ctx, step: a.ctx === 'L' ? 'L' : 'O', fn: a.ctx === 'L' ? 'lookup_object' : locked ? 'kref_put_mutex' : 'kref_put' }),
    quiescent: (s) => s.l === 5 && s.o === 5,
    kernel: (s) => s.k,
    properties: [
      {
        kind: 'always',
        name: 'R1',
        doc: 'the object is freed only when no reference is held, and nothing touches it afterwards',
        check: ({ next }) =>
          next.freed && next.refcount > 0 ? `kfree with ${next.refcount} reference(s) still held` : next.uaf ? `${next.uaf} on a freed object` : undefined,
      },
      { kind: 'quiescent', name: 'R2', doc: 'at the end the object is freed exactly when no reference is left', check: ({ next }) => (next.freed === (next.refcount === 0) ? undefined : `freed=${next.freed} with refcount ${next.refcount}`) },
      { kind: 'sometimes', name: 'lookup-found', doc: 'the lookup found the object and took a reference', check: ({ next }) => next.lRef },
      { kind: 'sometimes', name: 'released', doc: 'the object was freed', check: ({ next }) => next.freed },
    ],
  };
}

/** The example model. */
export const model: ModelDef<RefState, RefAction, RefConfig> = {
  name: 'refcount',
  title: 'refcounted object on a lookup list (example user model)',
  spec: 'examples/refcount/model.ts',
  smallConfig: { lookups: 1 },
  randomConfig: fc.constant({ lookups: 1 as const }),
  propertyNames: ['R1', 'R2'],
  variants: [
    { name: 'reference', summary: 'last put under list_lock (kref_put_mutex)', expect: { kind: 'holds' } },
    { name: 'unlocked-put', summary: 'last put decrements before taking list_lock: a lookup revives a dying object', expect: { kind: 'violates', property: 'R1' } },
  ],
  parseConfig: (raw) => {
    const l = (raw as { lookups?: unknown } | null)?.lookups;
    if (l !== 0 && l !== 1) throw new Error("refcount config field 'lookups' must be 0 or 1");
    return { lookups: l };
  },
  machine,
};

/** Names of L's steps, for readers of a trace (`l` is the index). */
export const LOOKUP_STEPS = L_STEPS;
