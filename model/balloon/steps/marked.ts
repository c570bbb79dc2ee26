/**
 * V1's atomics (spec 02 §6 V1, spec 06 §4): `hotplug_active` and
 * `hotplug_occurred` of the 1 Oct 2009 posting, accessed with
 * `atomic_read`, `atomic_set` (relaxed) and `atomic_dec_if_positive` (fully
 * ordered when it decrements, unordered when it fails; atomic_t.txt).
 *
 * Under SC (no `mem` in the kernel slice) they are the plain state fields
 * `active` and `occurred`. Under `lkmm` they are marked locations of the
 * kernel slice's weak memory (model/kernel/lkmm.ts): a read returns any
 * message T's views allow — one action per message, its timestamp the
 * action's `rd` — and the state fields keep the coherence-latest value, the
 * value SC would show, which the key, the properties and the traces read.
 */
import { castDraft } from 'immer';
import { atomicDecIfPositive } from '../../kernel/atomic.js';
import { latest, placements, read, readable, rmw, rmwChoices, type RmwChoice, type Value, type WeakMemory, write } from '../../kernel/lkmm.js';
import type { DS, Kit, S } from './kit.js';

/** A marked location of V1. */
export type Marked = 'active' | 'occurred';

/** V1's marked locations, as the weak memory names them. */
export const MARKED: readonly Marked[] = ['active', 'occurred'];

/** `atomic_dec_if_positive`: the new value, or no write at 0 or below. */
const decIfPositive = (old: Value): Value | undefined => (Number(old) > 0 ? Number(old) - 1 : undefined);

function memOf(x: Kit): WeakMemory | undefined {
  return x.k().mem as WeakMemory | undefined;
}

function setMem(x: Kit, d: DS, m: WeakMemory): void {
  x.k().mem = castDraft(m);
  for (const loc of MARKED) d[loc] = Number(latest(m, loc).v);
}

/** The messages of `loc` that `ctx` may read in `s` (under `lkmm`): one action each, oldest first. */
export function readChoices(s: S, ctx: string, loc: Marked): readonly { t: number; v: number }[] {
  const m = s.k.mem;
  if (!m) return [{ t: 0, v: s[loc] }];
  return readable(m, ctx, loc).map((msg) => ({ t: msg.t, v: Number(msg.v) }));
}

/** Whether reading message `t` of `loc` reads an older message than the coherence-latest (never under SC). */
export function staleRead(x: Kit, loc: Marked, t: number | undefined): boolean {
  const m = memOf(x);
  return m !== undefined && t !== undefined && t < latest(m, loc).t;
}

/** `atomic_read(loc)` by `ctx`: the field (SC), or message `t` of the weak memory. */
export function atomicReadAt(x: Kit, d: DS, ctx: string, loc: Marked, t: number | undefined): number {
  const m = memOf(x);
  if (!m) return d[loc];
  if (t === undefined) throw new Error(`weak memory: ${ctx}'s atomic_read(${loc}) has no message to read`);
  const r = read(m, ctx, loc, t, 'once');
  setMem(x, d, r.mem);
  return Number(r.msg.v);
}

/**
 * `atomic_set(loc, v)` by `ctx`. Only H sets V1's atomics and every write T
 * makes (a successful decrement) sits right after the message it read, so
 * LKMM leaves one place for the write: after the latest message. A second
 * place would be a choice this model does not offer, so it is refused.
 */
export function atomicSetBy(x: Kit, d: DS, ctx: string, loc: Marked, v: number): void {
  const m = memOf(x);
  if (!m) {
    d[loc] = v;
    return;
  }
  const at = placements(m, ctx, loc, 'once');
  if (at.length !== 1) throw new Error(`weak memory: ${ctx}'s atomic_set(${loc}) has ${at.length} places in coherence order; the balloon model offers one`);
  const w = write(m, ctx, loc, v, 'once', at[0] as number);
  setMem(x, d, w);
}

/** T's choices for `atomic_dec_if_positive(occurred)` in memory `m` (after its read of `active`). */
export function decChoices(m: WeakMemory): readonly RmwChoice[] {
  return rmwChoices(m, 'T', 'occurred', decIfPositive, 'mb');
}

/**
 * T3's `atomic_dec_if_positive(&hotplug_occurred) >= 0` by T: whether it
 * decremented. Under `lkmm` the message it reads is `choice` (the action's
 * `rmw` timestamp and `fails`), one of {@link decChoices}.
 */
export function decIfPositiveAt(x: Kit, d: DS, choice: { readonly rmw?: number; readonly fails?: boolean }): boolean {
  const m = memOf(x);
  if (!m) {
    const r = atomicDecIfPositive(d.occurred);
    d.occurred = r.value;
    return r.ret >= 0;
  }
  const pick = decChoices(m).find((c) => c.t === choice.rmw && c.fails === choice.fails);
  if (!pick) throw new Error(`weak memory: T's atomic_dec_if_positive(occurred) cannot read message ${String(choice.rmw)}`);
  const r = rmw(m, 'T', 'occurred', decIfPositive, 'mb', {}, pick);
  setMem(x, d, r.mem);
  return Number(r.old) > 0;
}
