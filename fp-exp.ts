import { MODELS } from './model/registry.ts';
import { checkFastPath } from './properties/fastpath.ts';
import { underMemoryModel } from './model/memory.ts';
for (const m of MODELS) {
  for (const v of m.variants) {
    const t0 = performance.now();
    const r = checkFastPath(m.machine(v.name, v.exploreConfig ?? m.smallConfig), { transitions: v.name === 'reference' ? 10000 : 2000 });
    console.log(m.name, v.name, r.transitions, r.walks, (performance.now() - t0).toFixed(0), 'ms', r.disagreement?.message ?? 'agree');
  }
  if (m.weakMemory !== undefined) {
    const lk = underMemoryModel(m, 'lkmm');
    for (const v of lk.variants) { const r = checkFastPath(lk.machine(v.name, v.exploreConfig ?? lk.smallConfig), { transitions: 2000 }); console.log('lkmm', m.name, v.name, r.transitions, r.disagreement?.message ?? 'agree'); }
  }
}
