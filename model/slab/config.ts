/**
 * Configurations of the slab-reserve model: the §7 small one, validation of a
 * configuration read from a replay file, and random generators.
 */
import fc from 'fast-check';
import type { SlabConfig } from './state.js';

/**
 * Spec 05 §7: one cache, k = 2, 2 CPUs, a page allocator of 2 pages with a
 * pressure toggle, one entitled and one plain context per CPU with ≤ 3
 * allocations each, at most one node_mismatch and one shrink. Migration is
 * off here (see the model's header); the random configurations use it.
 */
export const SMALL: SlabConfig = {
  k: 2,
  cpus: 2,
  caches: 1,
  pages: 2,
  pressure: false,
  toggles: null,
  allocs: null,
  shrinks: 1,
  mismatches: 1,
  migrations: 0,
  batch: 2,
  limit: 4,
};

/**
 * W2: two caches on one CPU, three pages, memalloc sockets present; two
 * allocations per context (the scenario needs two each) and no shrink, so
 * that P4's other departures (arrays pinning more reserve slabs than S2
 * allows, the non-NUMA NULL of S4) are out of reach (see the header).
 */
export const W2_CONFIG: SlabConfig = { ...SMALL, cpus: 1, caches: 2, pages: 3, allocs: 2, shrinks: 0, mismatches: 0 };

const KEYS: readonly (keyof SlabConfig)[] = ['k', 'cpus', 'caches', 'pages', 'pressure', 'toggles', 'allocs', 'shrinks', 'mismatches', 'migrations', 'batch', 'limit'];
const RANGE: Record<Exclude<keyof SlabConfig, 'pressure'>, [number, number]> = {
  k: [1, 8],
  cpus: [1, 4],
  caches: [1, 3],
  pages: [0, 8],
  toggles: [0, 8],
  allocs: [0, 8],
  shrinks: [0, 4],
  mismatches: [0, 4],
  migrations: [0, 4],
  batch: [1, 8],
  limit: [1, 16],
};

/** Validates a slab configuration; throws a one-line error naming the first bad field. */
export function parseSlabConfig(raw: unknown): SlabConfig {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw new Error('slab config must be an object');
  const o = raw as Record<string, unknown>;
  for (const k of KEYS) {
    const v = o[k];
    if ((k === 'allocs' || k === 'toggles') && v === null) continue;
    if (k === 'pressure') {
      if (typeof v !== 'boolean') throw new Error(`slab config field 'pressure' is missing or not a boolean`);
      continue;
    }
    const [lo, hi] = RANGE[k];
    if (typeof v !== 'number' || !Number.isInteger(v) || v < lo || v > hi) throw new Error(`slab config field '${k}' is missing or not an integer in [${lo}, ${hi}]${k === 'allocs' || k === 'toggles' ? ' or null' : ''}`);
  }
  const extra = Object.keys(o).filter((k) => !(KEYS as readonly string[]).includes(k));
  if (extra.length) throw new Error(`slab config has unknown field '${extra[0]}'`);
  const c = o as unknown as SlabConfig;
  if (c.batch > c.limit) throw new Error('slab config batch must not exceed limit');
  return c;
}

const base = {
  k: fc.constantFrom(2, 2, 3),
  cpus: fc.constantFrom(1, 2, 2),
  pages: fc.integer({ min: 1, max: 3 }),
  pressure: fc.boolean(),
  toggles: fc.integer({ min: 1, max: 3 }),
  allocs: fc.integer({ min: 1, max: 3 }),
  shrinks: fc.integer({ min: 0, max: 1 }),
  mismatches: fc.integer({ min: 0, max: 1 }),
  migrations: fc.integer({ min: 0, max: 1 }),
};

/** Default random configurations: one cache, 1–2 CPUs, 1–3 pages, k ∈ {2, 3}. */
export const slabRandomConfig: fc.Arbitrary<SlabConfig> = fc.record(base).map((r) => ({ ...r, caches: 1, batch: r.k, limit: 2 * r.k }));

/**
 * W2: {@link W2_CONFIG} starting under pressure with one toggle left (the
 * scenario lifts pressure once), so that runs are short and the random
 * schedules spend their steps on the two caches.
 */
export const slabW2RandomConfig: fc.Arbitrary<SlabConfig> = fc.constant({ ...W2_CONFIG, pressure: true, toggles: 1 });
