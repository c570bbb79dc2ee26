/**
 * The accounting rules of spec 04 shared by the machine (steps.ts) and its
 * properties: the variant flags' type, object sizes and charge amounts, allocation classes, the
 * packed slab groups and the tree paths.
 */
import { __GFP_NOMEMALLOC, __GFP_WAIT, gfpToAllocFlags, type AllocClass } from '../kernel/allocator.js';
import { KMALLOC_MIN, PAGE } from './config.js';
import { BYTES, objectSize, roundupPow2 } from './estimate.js';
import type { AllocatorSpec, NodeId, ObjGroup, ReserveConfig, ReserveState } from './state.js';

/** Behaviour switches of one variant. */
export interface ReserveFlags {
  /** Free side: uncharge emergency objects (the flag), every object with a reserve (V3-always), or never (V3-never). */
  readonly uncharge: 'flag' | 'always' | 'never';
  /** V4: the pool raises min (min_free_kbytes) instead of the strict `emerg`. */
  readonly relativeOnly: boolean;
  /** V5: no mem_reserve_mutex around setters and no var_free_mutex in ADJ. */
  readonly unlocked: boolean;
  /** V6: ADJ writes var_free_kbytes := root.pages (absolute) on every ADD. */
  readonly absoluteAdj: boolean;
  /** W1: CHARGE admits only if usage + c < limit. */
  readonly strictLess: boolean;
  /** W2: A3 raises limits without waking waiters. */
  readonly noLimitWake: boolean;
  /** W3: a failed K7 keeps the charge. */
  readonly leakOnFail: boolean;
  /** W4: the entitled context without __GFP_WAIT passes r = null. */
  readonly nullReserve: boolean;
  /** W5: charge roundup_pow_of_two(request) while the free uncharges roundup_pow_of_two(ksize). */
  readonly chargeRequest: boolean;
  /** Fix of finding F1: an ADD that lowers limits does so first (at A1), before the pool shrinks. */
  readonly limitsFirstOnShrink: boolean;
}

/** A page in the configuration's units. */
export function pageUnits(c: Pick<ReserveConfig, 'units'>): number {
  return c.units === 'bytes' ? BYTES.page : PAGE;
}

/**
 * ksize of a request (at most a page): §7's power-of-two caches from
 * KMALLOC_MIN, or in bytes the real SLUB classes (96 and 192 included).
 */
export function ksize(size: number, c: Pick<ReserveConfig, 'units'>): number {
  if (c.units !== 'bytes') return Math.max(KMALLOC_MIN, roundupPow2(size));
  const o = objectSize(BYTES, size);
  if (o === undefined) throw new Error(`kmalloc(${size}) is larger than a page`);
  return o;
}

/** Units a kmalloc charge takes for a request: the rounded object size (fix), or the rounded request (W5). */
export function chargeOf(size: number, f: ReserveFlags, c: Pick<ReserveConfig, 'units'>): number {
  return f.chargeRequest ? roundupPow2(size) : roundupPow2(ksize(size, c));
}

/** Units kfree_reserve uncharges for an object: roundup_pow_of_two(ksize). */
export function unchargeOf(cache: number): number {
  return roundupPow2(cache);
}

/** The reserve a context passes to kmalloc_reserve. */
export function resOf(a: AllocatorSpec, f: ReserveFlags): NodeId | null {
  if (!a.entitled) return null;
  return f.nullReserve && !(a.gfp & __GFP_WAIT) ? null : 'r';
}

/** Class of the regular attempts K0/K1/K6 (`__GFP_NOMEMALLOC` added). */
export function regularClass(a: AllocatorSpec): AllocClass {
  return { flags: gfpToAllocFlags(a.gfp | __GFP_NOMEMALLOC, {}, 'v2.6.33'), mayWait: false };
}

/** Class of the emergency attempt K7 (PF_MEMALLOC when entitled). */
export function emergencyClass(a: AllocatorSpec): AllocClass {
  return { flags: gfpToAllocFlags(a.gfp, { pfMemalloc: a.entitled }, 'v2.6.33'), mayWait: false };
}

/** Objects of one cache group. */
function groupCount(objs: readonly ObjGroup[], cache: number, pool: boolean): number {
  let n = 0;
  for (const o of objs) if (o.cache === cache && o.pool === pool) n += o.n;
  return n;
}

/** Pages of one cache group, packed: a page holds ⌊page / cache⌋ objects (a 96-byte cache 42, not 42.67). */
export function groupPages(objs: readonly ObjGroup[], cache: number, pool: boolean, page: number): number {
  return Math.ceil(groupCount(objs, cache, pool) / Math.floor(page / cache));
}

/** Whether a group's pages have room for one more object of its cache. */
export function hasRoom(objs: readonly ObjGroup[], cache: number, pool: boolean, page: number): boolean {
  return groupCount(objs, cache, pool) % Math.floor(page / cache) !== 0;
}

/** The nodes from `n` up to the top of its tree. */
export function pathUp(nodes: ReserveState['nodes'], n: NodeId): NodeId[] {
  const out: NodeId[] = [];
  for (let x: NodeId | null = n; x !== null && !out.includes(x); x = nodes[x].parent) out.push(x);
  return out;
}

/** Whether a node's tree reaches root. */
export function connected(nodes: ReserveState['nodes'], n: NodeId): boolean {
  return pathUp(nodes, n).includes('root');
}

