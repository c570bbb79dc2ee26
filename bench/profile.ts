/**
 * `npm run bench -- profile [MODEL]`: where the exhaustive engine's time
 * goes (issue 18's "profile first"). Each model's reference is explored on
 * its small configuration (bounded), under V8's sampling profiler in this
 * process, and the samples' self time is summed by layer — immer,
 * ts-pattern, the engine, the state key, the model's own rules, the kernel
 * primitives, the garbage collector — and by function. Proportions hold on
 * a busy machine too; the absolute figures do not.
 */
import { Session } from 'node:inspector/promises';
import type { AnyModel } from '../model/contract.js';
import { explore } from '../properties/explore.js';
import { COMPILED_URL, compiledShapes } from '../model/kernel/immer.js';

/** One node of V8's CPU profile (the fields read here). */
interface ProfileNode {
  readonly id: number;
  readonly callFrame: { readonly functionName: string; readonly url: string; readonly lineNumber: number };
}

/** V8's CPU profile (the fields read here). */
interface CpuProfile {
  readonly nodes: readonly ProfileNode[];
  readonly samples: readonly number[];
  readonly timeDeltas: readonly number[];
}

/** The layer a frame belongs to, from its script URL: the order of the rules matters (first match). */
const LAYERS: readonly (readonly [string, (url: string, fn: string) => boolean])[] = [
  ['garbage collector', (_, fn) => fn === '(garbage collector)'],
  ['immer', (url) => url.includes('/node_modules/immer/')],
  ['ts-pattern', (url) => url.includes('/node_modules/ts-pattern/')],
  ['other libraries', (url) => url.includes('/node_modules/')],
  ['state key and fingerprint', (url) => /\/model\/(canonical|diff)\.js$/.test(url) || /\/symmetry[^/]*\.js$/.test(url) || /\/properties\/fingerprint\.js$/.test(url)],
  ['fast-path copy (produce without immer)', (url) => url.endsWith('/model/kernel/immer.js') || url === COMPILED_URL],
  ['kernel primitives', (url) => url.includes('/model/kernel/')],
  ['rules and model contract', (url) => /\/model\/(rules|define|contract|config-schema)\.js$/.test(url)],
  ['model (mechanism)', (url) => url.includes('/model/')],
  ['engine', (url) => url.includes('/properties/')],
  ['node and V8', (url, fn) => url === '' || url.startsWith('node:') || fn.startsWith('(')],
];

const layerOf = (n: ProfileNode): string => LAYERS.find(([, hit]) => hit(n.callFrame.url, n.callFrame.functionName))?.[0] ?? 'other';

/** Self time (ms) per node id. */
function selfTimes(p: CpuProfile): Map<number, number> {
  const self = new Map<number, number>();
  p.samples.forEach((id, i) => self.set(id, (self.get(id) ?? 0) + (p.timeDeltas[i] ?? 0) / 1000));
  return self;
}

/** Self time by layer and the top functions, as percentages of the sampled time. */
export function summarize(p: CpuProfile, top = 8): { layers: [string, number][]; functions: [string, number][]; totalMs: number } {
  const self = selfTimes(p);
  const byId = new Map(p.nodes.map((n) => [n.id, n]));
  const layers = new Map<string, number>();
  const functions = new Map<string, number>();
  let total = 0;
  for (const [id, ms] of self) {
    const n = byId.get(id);
    if (!n || n.callFrame.functionName === '(idle)' || n.callFrame.functionName === '(program)') continue;
    total += ms;
    layers.set(layerOf(n), (layers.get(layerOf(n)) ?? 0) + ms);
    const file = n.callFrame.url.replace(/^.*\/(node_modules\/[^/]+|dist)\//, '');
    const name = `${n.callFrame.functionName || '(anonymous)'} ${file}:${n.callFrame.lineNumber + 1}`;
    functions.set(name, (functions.get(name) ?? 0) + ms);
  }
  const pct = (m: Map<string, number>): [string, number][] => [...m].map(([k, v]): [string, number] => [k, (100 * v) / Math.max(total, 1e-9)]).sort((a, b) => b[1] - a[1]);
  return { layers: pct(layers), functions: pct(functions).slice(0, top), totalMs: total };
}

/** Explores `m`'s reference on its small configuration (at most `maxStates`) under the profiler, on the immer path or the fast path. */
export async function profileExplore(m: AnyModel, maxStates: number, fast: boolean): Promise<{ profile: CpuProfile; states: number; ms: number; compiled: ReturnType<typeof compiledShapes> }> {
  const session = new Session();
  session.connect();
  await session.post('Profiler.enable');
  await session.post('Profiler.setSamplingInterval', { interval: 200 });
  await session.post('Profiler.start');
  const r = explore(m.machine('reference', m.smallConfig), { maxStates, fastPath: fast });
  const { profile } = (await session.post('Profiler.stop')) as { profile: CpuProfile };
  session.disconnect();
  return { profile, states: r.states, ms: r.ms, compiled: compiledShapes() };
}
