/**
 * The files `mmcheck new NAME` writes: a model folder that type-checks,
 * runs and passes at once, to be edited into the user's own mechanism. The
 * model is small but uses every part of the contract a first model needs:
 * rules with and without arguments, a kernel lock, a variant of each kind,
 * and a property of each kind (always, quiescent, sometimes, eventually).
 */

/** A model name `new` accepts: it becomes a folder and a model name, so no path separators or odd characters. */
export const MODEL_NAME = /^[a-z][a-z0-9-]{0,39}$/;

/**
 * The scaffold's files by name, for the model `name`. `packageRoot`: the
 * mmcheck package's folder, when the model is written outside it (its
 * tsconfig then finds `mmcheck` and the libraries there, as the CLI does).
 */
export function scaffoldFiles(name: string, packageRoot?: string): Record<string, string> {
  return {
    'model.ts': modelTs(name),
    'model.test.ts': testTs(name),
    'tsconfig.json': tsconfig(packageRoot),
    'README.md': readme(name),
  };
}

function modelTs(name: string): string {
  return `/**
 * ${name}: two CPUs each add one to a shared counter under a spinlock (a
 * starting point written by \`mmcheck new\`: replace it with your mechanism,
 * keeping one rule per step of your spec).
 *
 * Steps of each CPU: C1 spin_lock, C2 read the counter, C3 write it plus
 * one, C4 spin_unlock. Variants: \`reference\` takes the lock; \`no-lock\`
 * skips it, so two read-modify-writes can interleave and an increment is
 * lost (Q1). Decisions (write yours here): a CPU that finds the lock taken
 * spins, modelled as waiting until the lock is free.
 */
import fc from 'fast-check';
import type { KernelState } from 'mmcheck';
import { canProceed, defineModel, kernelState, machineFromRules, rulesFor, spinLock, spinUnlock, z } from 'mmcheck';

/** The state: plain data. \`added\` is a ghost: what the CPUs have added, written only for the properties. */
export interface CounterState {
  readonly k: KernelState;
  readonly counter: number;
  /** Each CPU's next step: 1–4, then 5 when done. */
  readonly pc: readonly number[];
  /** What each CPU read in C2. */
  readonly seen: readonly number[];
  readonly added: number;
  /** Ghost: a CPU found the lock taken (the sometimes-property's witness). */
  readonly contended: boolean;
}

/** The configuration: how many CPUs run the increment. */
export interface CounterConfig {
  readonly cpus: number;
}

/** What a variant changes. */
interface Flags {
  readonly lock: boolean;
}

const DONE = 5;
const rule = rulesFor<CounterState>();
/** A CPU's lane (and lock owner) name. */
const lane = (a: { readonly cpu: number }): string => \`cpu\${a.cpu}\`;
/** The CPUs whose next step is \`pc\` and that are not waiting on a lock: one action each. */
const at = (s: CounterState, pc: number) => s.pc.flatMap((p, cpu) => (p === pc && canProceed(s.k, lane({ cpu })) ? [{ cpu }] : []));

function rules(f: Flags) {
  return [
    rule({
      step: 'C1',
      fn: 'spin_lock',
      enabled: (s) => at(s, 1),
      ctx: lane,
      apply: (d, a) => {
        if (!f.lock) {
          d.pc[a.cpu] = 2;
          return;
        }
        const got = spinLock(d.k, 'counter_lock', lane(a));
        if (got === 'acquired') d.pc[a.cpu] = 2;
        else d.contended = true;
      },
      text: (_, a, n) => (!f.lock ? 'no lock taken (no-lock)' : n.pc[a.cpu] === 2 ? 'spin_lock(counter_lock)' : 'counter_lock is taken: spins'),
    }),
    rule({ step: 'C2', fn: 'READ', enabled: (s) => at(s, 2), ctx: lane, apply: (d, a) => void ((d.seen[a.cpu] = d.counter), (d.pc[a.cpu] = 3)) }),
    rule({
      step: 'C3',
      fn: 'WRITE',
      enabled: (s) => at(s, 3),
      ctx: lane,
      apply: (d, a) => {
        d.counter = (d.seen[a.cpu] ?? 0) + 1;
        d.added += 1;
        d.pc[a.cpu] = 4;
      },
      text: (s, a, n) => \`counter = \${s.seen[a.cpu] ?? 0} + 1 = \${n.counter}\`,
    }),
    rule({
      step: 'C4',
      fn: 'spin_unlock',
      enabled: (s) => at(s, 4),
      ctx: lane,
      apply: (d, a) => {
        if (f.lock) spinUnlock(d.k, 'counter_lock', lane(a));
        d.pc[a.cpu] = DONE;
      },
    }),
  ];
}

/** The model; \`npx mmcheck run --model ${name}/model.ts\` checks it. */
export const model = defineModel({
  name: '${name}',
  title: '${name}: a counter incremented under a spinlock (scaffold)',
  spec: '${name}/model.ts',
  smallConfig: { cpus: 2 } as CounterConfig,
  randomConfig: fc.record({ cpus: fc.integer({ min: 1, max: 3 }) }),
  variants: {
    reference: { flags: { lock: true }, summary: 'each increment under counter_lock', expect: { kind: 'holds' } },
    'no-lock': { flags: { lock: false }, summary: 'the read-modify-write without the lock: an increment is lost', expect: { kind: 'violates', property: 'Q1' } },
  },
  // the exhaustive engines run the rules on plain copies instead of immer drafts (faster); \`mmcheck ci\`
  // and \`explore --check-fast-path\` compare the two paths: remove it if a rule needs immer's drafts
  fastPath: true,
  // replay files and --config are checked against it: unknown fields and out-of-range values refused
  configSchema: z.strictObject({ cpus: z.number().int().min(1).max(8) }),
  machine: (f: Flags, c: CounterConfig) =>
    machineFromRules<CounterState>({
      init: () => ({ k: kernelState({ counter_lock: 'spin' }), counter: 0, pc: Array.from({ length: c.cpus }, () => 1), seen: Array.from({ length: c.cpus }, () => 0), added: 0, contended: false }),
      rules: rules(f),
      quiescent: (s) => s.pc.every((p) => p === DONE),
      kernel: (s) => s.k,
      properties: [
        { kind: 'always', name: 'A1', doc: 'the counter never exceeds what was added', check: ({ next }) => (next.counter <= next.added ? undefined : \`counter \${next.counter} > added \${next.added}\`) },
        { kind: 'quiescent', name: 'Q1', doc: 'when every CPU is done, the counter is what was added', check: ({ next }) => (next.counter === next.added ? undefined : \`counter \${next.counter} but \${next.added} added: an increment was lost\`) },
        { kind: 'sometimes', name: 'contended', doc: 'a CPU found the lock taken', check: ({ next }) => next.contended },
        { kind: 'eventually', name: 'E1', doc: 'every CPU finishes its increment', pending: (s) => s.pc.flatMap((p, cpu) => (p === DONE ? [] : [lane({ cpu })])) },
      ],
    }),
});
`;
}

function testTs(name: string): string {
  return `/**
 * ${name}'s variants, checked as \`mmcheck ci\` checks them: the reference
 * holds with every sometimes-property witnessed, each buggy variant is
 * caught with its declared property. Run: \`npx vitest run ${name}\`.
 */
import { checkModel } from 'mmcheck/vitest';
import { explore } from 'mmcheck';
import { expect, test } from 'vitest';
import { model } from './model.js';

checkModel(model, { seeds: 3, runs: 300 });

// pinned: a change to the state space shows up in review
const REFERENCE_STATES = 33;
test('${name} reference: the pinned number of states', () => {
  expect(explore(model.machine('reference', model.smallConfig)).states).toBe(REFERENCE_STATES);
});
`;
}

/** Where `mmcheck`, its vitest helpers and the libraries a model uses are, inside the package (`bin/user-model.tsconfig.json` says the same to tsx). */
const PACKAGE_PATHS: Readonly<Record<string, string>> = {
  mmcheck: 'dist/index.d.ts',
  'mmcheck/vitest': 'dist/testing.d.ts',
  'fast-check': 'dist/cli/deps/fast-check.d.ts',
  immer: 'dist/cli/deps/immer.d.ts',
  zod: 'dist/cli/deps/zod.d.ts',
  'ts-pattern': 'dist/cli/deps/ts-pattern.d.ts',
};

/**
 * The folder's tsconfig: strict, no output; with `paths` into the package
 * when the folder lies outside it, and then for model.ts alone (the vitest
 * file needs a project with vitest and mmcheck installed).
 */
function tsconfig(packageRoot?: string): string {
  const paths = packageRoot === undefined ? undefined : Object.fromEntries(Object.entries(PACKAGE_PATHS).map(([k, v]) => [k, [`${packageRoot}/${v}`]]));
  const compilerOptions = {
    target: 'ES2022',
    module: 'NodeNext',
    moduleResolution: 'NodeNext',
    strict: true,
    noUncheckedIndexedAccess: true,
    noEmit: true,
    skipLibCheck: true,
    types: [],
    ...(paths !== undefined ? { paths } : {}),
  };
  // outside a project with vitest, the gate is `mmcheck ci --model`; the vitest file waits for one
  return `${JSON.stringify({ compilerOptions, include: paths === undefined ? ['*.ts'] : ['model.ts'] }, null, 2)}\n`;
}

function readme(name: string): string {
  return `# ${name}

Written by \`mmcheck new ${name}\`: a model that runs and passes as it is.
Edit \`model.ts\` into your mechanism, one rule per step of your spec.

\`\`\`sh
npx tsc -p ${name}                                  # type-check
npx mmcheck explore --model ${name}/model.ts         # every interleaving of the small configuration
npx mmcheck explore --model ${name}/model.ts --variant no-lock
npx mmcheck explore --model ${name}/model.ts --liveness
npx mmcheck ci --model ${name}/model.ts              # the gate: references hold, bugs still caught
npx vitest run ${name}                               # the same, as tests
\`\`\`

Outside the mmcheck checkout, \`npx mmcheck\` is the mmcheck you ran \`new\` with (or
\`node <mmcheck>/bin/mmcheck.js\`): it finds \`mmcheck\`, fast-check, immer, zod and
ts-pattern for the model in its own package, and \`tsconfig.json\` points \`tsc\` there.
\`model.test.ts\` runs in a project with vitest and mmcheck installed
(\`npm i -D mmcheck vitest\`); until then \`mmcheck ci --model\` is the gate.
`;
}
