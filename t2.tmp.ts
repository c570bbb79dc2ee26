import { msgmniModel } from './model/msgmni/model.js';
import { explore } from './properties/explore.js';
const model = msgmniModel;
const v = model.variants.find((x) => x.name === 'reference')!;
const m = model.machine('reference', v.exploreConfig ?? model.smallConfig);
const t = performance.now();
const r = explore(m, {});
console.log(r.states, (performance.now() - t).toFixed(0));
