import { Stryker } from '@stryker-mutator/core';
process.env.MMCHECK_MUTATION_MODEL ??= 'msgmni';
const files = process.argv.slice(2);
const t0 = performance.now();
const results = await new Stryker({
  testRunner: 'vitest', plugins: ['@stryker-mutator/vitest-runner'],
  vitest: { configFile: 'vitest.mutation.config.ts', related: false },
  coverageAnalysis: 'perTest', mutate: files,
  ignorePatterns: ['dist', 'mmcheck-out', 'reports/mutation', '.vitest-out', '*.log'],
  reporters: ['progress'], concurrency: 2, timeoutMS: 5000, cleanTempDir: 'always', logLevel: 'warn' as never,
}).runMutationTest();
const by = (s: string) => results.filter((m) => m.status === s).length;
console.log(JSON.stringify({ n: results.length, killed: by('Killed'), timeout: by('Timeout'), survived: by('Survived'), nocov: by('NoCoverage'), ignored: by('Ignored'), s: Math.round((performance.now() - t0) / 1000) }));
for (const m of results.filter((x) => x.status === 'Survived' || x.status === 'NoCoverage')) console.log(`${m.fileName.replace(process.cwd() + '/', '')}:${m.location.start.line} ${m.mutatorName} ${JSON.stringify(m.replacement)} ${m.status}`);
