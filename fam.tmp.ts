import { explore } from './properties/explore.js';
const mod = process.argv[2]!;
const { [`${mod}Model`]: model } = await import(`./model/${mod}/model.js`);
let total = 0;
const t0 = performance.now();
for (const m of model.family ?? []) {
  const r = explore(model.machine('reference', m.config), { maxStates: m.maxStates ?? 200000 });
  total += r.states;
  console.log(m.name, r.states, r.complete ? 'complete' : 'INCOMPLETE', [...r.violated.keys()].join(','), [...r.witnesses].filter(([,w])=>!w).map(([n])=>n).join(','), Math.round(r.ms)+'ms');
}
console.log('total', total, Math.round(performance.now()-t0)+'ms');
