/**
 * The layers of mmcheck, checked by `npm run lint:deps` (and `.ci/run`):
 *
 *   model/kernel  <  model/<mechanism>, model/*.ts  <  properties  <  shrinkers  <  reports  <  cli  <  bench
 *
 * A module may import its own layer and the layers to its left, never one to
 * its right, and no import cycle is allowed anywhere. `index.ts` and `testing.ts` (`mmcheck/vitest`)
 * are the public entry points and may import anything; tests (`*.test.ts`, `test/`) and the mutation
 * checks (`model/<m>/mutation.check.ts`, tests run per mutant) are exempt.
 */
const TESTS = '(\\.(test|check)\\.ts$|^test/)';
const FACADE = '^(index|testing)\\.ts$';

/** A rule that forbids modules under `from` to import anything matching `to`. */
function upward(name, from, to, comment) {
  return {
    name,
    comment,
    severity: 'error',
    from: { path: from, pathNot: [TESTS, FACADE] },
    to: { path: to, pathNot: [TESTS] },
  };
}

module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      comment: 'An import cycle ties modules that should be read (and layered) one after the other.',
      severity: 'error',
      from: { pathNot: TESTS },
      to: { circular: true, pathNot: TESTS },
    },
    upward('kernel-is-the-bottom', '^model/kernel/', '^(model/(?!kernel/)|properties/|shrinkers/|reports/|cli/|bench/)', 'Kernel primitives know no mechanism, no engine, no report.'),
    upward('models-below-engines', '^model/', '^(properties/|shrinkers/|reports/|cli/|bench/)', 'A model is data and pure functions: it never reaches into an engine.'),
    upward('engines-below-shrinkers', '^properties/', '^(shrinkers/|reports/|cli/|bench/)', 'Engines find; shrinkers, reports and the CLI use what they find (the minimizer is passed in).'),
    upward('shrinkers-below-reports', '^shrinkers/', '^(reports/|cli/|bench/)', 'The minimizer works on traces, not on their presentation.'),
    upward('reports-below-cli', '^reports/', '^(cli/|bench/)', 'Reports consume outcomes; they never run a command.'),
    upward('cli-below-bench', '^cli/', '^bench/', 'The benches measure the CLI and the engines, not the other way round.'),
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '^(node_modules|dist|examples)/' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    moduleSystems: ['es6'],
  },
};
