import { describe, expect, it } from 'vitest';
import {
  ALLOC_CPUSET,
  ALLOC_HARDER,
  ALLOC_HIGH,
  ALLOC_NO_WATERMARKS,
  ALLOC_WMARK_MIN,
  GFP_ATOMIC,
  GFP_KERNEL,
  GFP_NOIO,
  __GFP_MEMALLOC,
  __GFP_NOMEMALLOC,
  __GFP_NORETRY,
  __GFP_NOWARN,
  adjustedMark,
  alloc,
  allocClass,
  gfpToAllocFlags,
  isqrt,
  minFreeKbytes,
  oneZone,
  pagesMin,
  watermarkOk,
  zoneWatermarks,
} from './allocator.js';

describe('watermarks', () => {
  it('isqrt is the floor square root', () => {
    expect([0, 1, 3, 4, 15, 16, 67108864, 67108863].map(isqrt)).toEqual([0, 1, 1, 2, 3, 4, 8192, 8191]);
  });

  it('4 GiB of lowmem, one zone, 4 KiB pages: min_free_kbytes 8192, min/low/high 2048/2560/3072', () => {
    const kb = 4 * 1024 * 1024;
    expect(minFreeKbytes(kb)).toBe(8192);
    const pm = pagesMin(minFreeKbytes(kb));
    expect(pm).toBe(2048);
    const present = kb / 4;
    expect(zoneWatermarks(pm, present, present)).toEqual({ min: 2048, low: 2560, high: 3072 });
  });

  it('clamps min_free_kbytes to [128, 65536] and shares pages_min between lowmem zones', () => {
    expect(minFreeKbytes(16 * 1024)).toBe(512);
    expect(minFreeKbytes(256)).toBe(128);
    expect(minFreeKbytes(1024 * 1024 * 1024)).toBe(65536);
    // a zone holding a quarter of lowmem gets a quarter of pages_min
    expect(zoneWatermarks(2048, 262144, 1048576)).toEqual({ min: 512, low: 640, high: 768 });
    expect(pagesMin(8192, 65536)).toBe(128);
  });

  it('ALLOC_HIGH halves the mark, ALLOC_HARDER takes a quarter off, both give about 3/8', () => {
    expect(adjustedMark(2048, 0)).toBe(2048);
    expect(adjustedMark(2048, ALLOC_HIGH)).toBe(1024);
    expect(adjustedMark(2048, ALLOC_HARDER)).toBe(1536);
    expect(adjustedMark(2048, ALLOC_HIGH | ALLOC_HARDER)).toBe(768);
    // odd marks: the kernel's integer division rounds the reduction down
    expect(adjustedMark(7, ALLOC_HIGH)).toBe(4);
  });

  it('watermark_ok fails when free - 2^order + 1 <= mark + lowmem_reserve', () => {
    expect(watermarkOk(2049, 0, 2048, 0)).toBe(true);
    expect(watermarkOk(2048, 0, 2048, 0)).toBe(false);
    expect(watermarkOk(2048, 0, 2048, ALLOC_HIGH)).toBe(true);
    expect(watermarkOk(769, 0, 2048, ALLOC_HIGH | ALLOC_HARDER)).toBe(true);
    expect(watermarkOk(768, 0, 2048, ALLOC_HIGH | ALLOC_HARDER)).toBe(false);
    expect(watermarkOk(2100, 0, 2048, 0, 100)).toBe(false);
    // order 1: free - 1 must exceed the mark, then the order-0 pages no longer count
    expect(watermarkOk(2050, 1, 2048, 0, 0, [0])).toBe(true);
    expect(watermarkOk(2050, 1, 2048, 0, 0, [1100])).toBe(false);
  });
});

describe('gfp_to_alloc_flags', () => {
  it('v2.6.33', () => {
    expect(gfpToAllocFlags(GFP_KERNEL)).toBe(ALLOC_WMARK_MIN | ALLOC_CPUSET);
    expect(gfpToAllocFlags(GFP_ATOMIC)).toBe(ALLOC_HIGH | ALLOC_HARDER);
    expect(gfpToAllocFlags(GFP_NOIO)).toBe(ALLOC_CPUSET);
    expect(gfpToAllocFlags(GFP_KERNEL, { rt: true })).toBe(ALLOC_CPUSET | ALLOC_HARDER);
    expect(gfpToAllocFlags(GFP_KERNEL, { pfMemalloc: true })).toBe(ALLOC_CPUSET | ALLOC_NO_WATERMARKS);
    expect(gfpToAllocFlags(GFP_KERNEL, { tifMemdie: true })).toBe(ALLOC_CPUSET | ALLOC_NO_WATERMARKS);
    expect(gfpToAllocFlags(GFP_KERNEL | __GFP_NOMEMALLOC, { pfMemalloc: true })).toBe(ALLOC_CPUSET);
    expect(gfpToAllocFlags(GFP_ATOMIC, { pfMemalloc: true, where: 'softirq' })).toBe(ALLOC_HIGH | ALLOC_HARDER);
    // no __GFP_MEMALLOC in this version; NOMEMALLOC does not suppress HARDER
    expect(gfpToAllocFlags(__GFP_MEMALLOC)).toBe(ALLOC_HARDER);
    expect(gfpToAllocFlags(__GFP_NOMEMALLOC)).toBe(ALLOC_HARDER);
  });

  it('v3.6', () => {
    const v = 'v3.6' as const;
    expect(gfpToAllocFlags(__GFP_NOMEMALLOC, {}, v)).toBe(0);
    expect(gfpToAllocFlags(GFP_ATOMIC | __GFP_MEMALLOC, {}, v)).toBe(ALLOC_HIGH | ALLOC_HARDER | ALLOC_NO_WATERMARKS);
    expect(gfpToAllocFlags(GFP_ATOMIC, { pfMemalloc: true, where: 'softirq' }, v)).toBe(ALLOC_HIGH | ALLOC_HARDER | ALLOC_NO_WATERMARKS);
    expect(gfpToAllocFlags(GFP_ATOMIC, { pfMemalloc: true, where: 'hardirq' }, v)).toBe(ALLOC_HIGH | ALLOC_HARDER);
    expect(gfpToAllocFlags(GFP_KERNEL, { rt: true, where: 'softirq' }, v)).toBe(ALLOC_CPUSET);
    expect(gfpToAllocFlags(GFP_KERNEL | __GFP_MEMALLOC | __GFP_NOMEMALLOC, {}, v)).toBe(ALLOC_CPUSET);
  });
});

describe('one-zone alloc', () => {
  const zone = (free: number, emerg = 0) => oneZone(free, { min: 8, low: 10, high: 12 }, emerg);
  const kernel = allocClass(GFP_KERNEL);
  const atomic = allocClass(GFP_ATOMIC);
  const memalloc = allocClass(GFP_KERNEL, { pfMemalloc: true });
  const balloon = allocClass(GFP_NOIO | __GFP_NOWARN | __GFP_NORETRY | __GFP_NOMEMALLOC, { pfMemalloc: true });

  it('succeeds from normal memory above the adjusted min', () => {
    expect(alloc(zone(9), kernel)).toEqual({ ok: true, reserve: false });
    expect(alloc(zone(8), kernel)).toEqual({ ok: false, mayWait: true });
    // atomic: 8 → 4 → 3
    expect(alloc(zone(4), atomic)).toEqual({ ok: true, reserve: false });
    expect(alloc(zone(3), atomic)).toEqual({ ok: false, mayWait: false });
  });

  it('dips into the reserve only with NO_WATERMARKS, down to the last page', () => {
    expect(alloc(zone(1), memalloc)).toEqual({ ok: true, reserve: true });
    expect(alloc(zone(0), memalloc)).toEqual({ ok: false, mayWait: false });
    // __GFP_NOMEMALLOC keeps a PF_MEMALLOC task out of the reserve
    expect(alloc(zone(1), balloon)).toEqual({ ok: false, mayWait: false });
  });

  it('emerg raises the floor for every class but NO_WATERMARKS', () => {
    expect(alloc(zone(9, 4), kernel)).toEqual({ ok: false, mayWait: true });
    expect(alloc(zone(13, 4), kernel)).toEqual({ ok: true, reserve: false });
    expect(alloc(zone(5, 4), memalloc)).toEqual({ ok: true, reserve: true });
  });
});
