/**
 * Random small C litmus tests for differential testing of the operational
 * model against the axiomatic oracle: two or three processes of a few
 * marked accesses, fences and dependencies over two locations.
 */

/** A deterministic generator of numbers in [0, 1) (mulberry32). */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * The text of a random litmus test for `seed`: the same seed gives the same
 * test. Statements: WRITE_ONCE, READ_ONCE, smp_store_release,
 * smp_load_acquire, smp_mb/wmb/rmb, a store of a register (data
 * dependency) and a store under `if (r)` (control dependency); with
 * `rmw`, also xchg in its four orderings, cmpxchg, atomic_inc,
 * atomic_inc_return and smp_mb__before/after_atomic.
 */
export function randomLitmus(seed: number, opts: { readonly rmw?: boolean } = {}): string {
  const rnd = prng(seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)] as T;
  const locs = ['x', 'y'];
  // with RMWs the axiomatic oracle's enumeration grows fast: keep those tests to two processes
  const nprocs = opts.rmw || rnd() < 0.6 ? 2 : 3;
  let value = 0;
  const procs: string[] = [];
  for (let p = 0; p < nprocs; p++) {
    const regs: string[] = [];
    const body: string[] = [];
    const n = 1 + Math.floor(rnd() * 3);
    for (let i = 0; i < n; i++) {
      const x = pick(locs);
      const k = rnd();
      if (opts.rmw && rnd() < 0.4) {
        const r = `r${regs.length}`;
        const f = rnd();
        if (f < 0.15) body.push(pick(['smp_mb__before_atomic();', 'smp_mb__after_atomic();']));
        else if (f < 0.35) body.push(`atomic_inc(${x});`);
        else {
          regs.push(r);
          if (f < 0.7) body.push(`${r} = ${pick(['xchg', 'xchg_relaxed', 'xchg_acquire', 'xchg_release'])}(${x}, ${++value});`);
          else if (f < 0.85) body.push(`${r} = cmpxchg(${x}, 0, ${++value});`);
          else body.push(`${r} = atomic_inc_return(${x});`);
        }
      } else if (k < 0.25) body.push(`WRITE_ONCE(*${x}, ${++value});`);
      else if (k < 0.5) {
        const r = `r${regs.length}`;
        regs.push(r);
        body.push(`${r} = ${rnd() < 0.7 ? `READ_ONCE(*${x})` : `smp_load_acquire(${x})`};`);
      } else if (k < 0.6) body.push(`smp_store_release(${x}, ${++value});`);
      else if (k < 0.75) body.push(pick(['smp_mb();', 'smp_wmb();', 'smp_rmb();']));
      else if (regs.length && k < 0.87) body.push(`WRITE_ONCE(*${x}, ${pick(regs)});`);
      else if (regs.length) body.push(`if (${pick(regs)})\n\t\tWRITE_ONCE(*${x}, ${++value});`);
      else body.push(`WRITE_ONCE(*${x}, ${++value});`);
    }
    const decl = regs.map((r) => `\tint ${r};\n`).join('');
    procs.push(`P${p}(int *x, int *y)\n{\n${decl}${body.map((s) => `\t${s}\n`).join('')}}\n`);
  }
  return `C random-${seed}\n\n{}\n\n${procs.join('\n')}\nexists (x=0)\n`;
}
