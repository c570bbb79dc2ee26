/**
 * JUnit XML for CI systems: one `<testsuite>` per (model, variant) and one
 * `<testcase>` per property, named `<model>.<variant>` / `<property>` so the
 * names stay the same from run to run (no seed in them; the seed is a suite
 * property). A violated property is a `<failure>` whose message holds the
 * violation, the replay command and the counterexample file; its `type`
 * says whether the variant declares that violation (`expected-violation`)
 * or not (`violation`). A *sometimes* property never witnessed is
 * `<skipped>`: nothing failed, but nothing showed it either.
 */
import type { RunReport, VariantOutcome } from './results.js';
import { expectationText, expectedProperty } from '../model/contract.js';
import { verdictOf } from './results.js';

// XML 1.0 forbids most control characters even as references
// eslint-disable-next-line no-control-regex
const INVALID = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/g;

/** Escapes text for an XML attribute value (double-quoted). */
export function xmlAttr(s: string): string {
  return s
    .replace(INVALID, '\uFFFD')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/\n/g, '&#10;')
    .replace(/\r/g, '&#13;')
    .replace(/\t/g, '&#9;');
}

/** Escapes text for XML character data. */
export function xmlText(s: string): string {
  return s.replace(INVALID, '\uFFFD').replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

const secs = (ms: number): string => (ms / 1000).toFixed(3);

function suite(o: VariantOutcome, why: string): { xml: string; tests: number; failures: number; skipped: number } {
  const cls = `${o.model}.${o.variant}`;
  const ce = o.counterexample;
  const names = o.properties.map((p) => p.name);
  // a violation of a property the listing does not know (e.g. a model that threw) still gets its case
  if (ce && !names.includes(ce.found.property)) names.push(ce.found.property);
  let failures = 0;
  let skipped = 0;
  const cases = names.map((name) => {
    const kind = o.properties.find((p) => p.name === name)?.kind;
    const head = `    <testcase classname="${xmlAttr(cls)}" name="${xmlAttr(name)}"`;
    if (ce && ce.found.property === name) {
      failures++;
      const type = expectedProperty(o) === name ? 'expected-violation' : 'violation';
      const msg = `${name} violated: ${ce.message} | replay: ${ce.replay} | file: ${ce.files.json}`;
      const body = [
        `${o.model} ${o.variant} violates ${name} (${ce.found.engine}${ce.found.seed !== null ? `, seed ${ce.found.seed}` : ''}, ${ce.found.trace.steps.length} steps)`,
        `message: ${ce.message}`,
        `replay: ${ce.replay}`,
        `files: ${[ce.files.json, ce.files.itf, ce.files.txt, ce.files.html].filter((x) => x !== undefined).join(' ')}`,
        '',
        ...ce.found.trace.steps.map((s, i) => `${String(i + 1).padStart(3)}  ${s.info.ctx}  ${s.info.step} ${s.info.fn}  ${s.label}`),
      ].join('\n');
      return `${head}>\n      <failure type="${type}" message="${xmlAttr(msg)}">${xmlText(body)}</failure>\n    </testcase>`;
    }
    if (kind === 'sometimes' && (o.witnesses.get(name) ?? 0) === 0) {
      skipped++;
      const why = ce ? `not witnessed before run ${o.runs} found a counterexample` : `never witnessed in ${o.runs} runs`;
      return `${head}>\n      <skipped message="${xmlAttr(why)}"/>\n    </testcase>`;
    }
    if (o.interrupted) {
      skipped++;
      return `${head}>\n      <skipped message="${xmlAttr(`interrupted by ${why} after ${o.runs} of ${o.budget} runs`)}"/>\n    </testcase>`;
    }
    return `${head}/>`;
  });
  const props = [
    ['seed', String(o.seed)],
    ['runs', String(o.runs)],
    ['expected', expectationText(o)],
    ['verdict', verdictOf(o)],
    ['summary', o.summary],
  ]
    .map(([k, v]) => `      <property name="${xmlAttr(k ?? '')}" value="${xmlAttr(v ?? '')}"/>`)
    .join('\n');
  const out = verdictOf(o) === 'missed' ? `\n    <system-out>${xmlText(`expected a violation of ${expectationText(o)}; none found in ${o.runs} runs (seed ${o.seed})`)}</system-out>` : '';
  const xml =
    `  <testsuite name="${xmlAttr(cls)}" tests="${names.length}" failures="${failures}" errors="0" skipped="${skipped}" time="${secs(o.ms)}">\n` +
    `    <properties>\n${props}\n    </properties>\n${cases.join('\n')}${out}\n  </testsuite>`;
  return { xml, tests: names.length, failures, skipped };
}

/** The JUnit XML document of a run. */
export function junitXml(r: RunReport): string {
  // what cut the run short: a signal names itself, otherwise it was the time limit
  const why = r.interrupted === undefined || r.interrupted.startsWith('--time-limit') ? 'the time limit' : r.interrupted;
  const suites = r.outcomes.map((o) => suite(o, why));
  const sum = (f: (s: (typeof suites)[number]) => number): number => suites.reduce((a, s) => a + f(s), 0);
  const ms = r.outcomes.reduce((a, o) => a + o.ms, 0);
  return (
    `<?xml version="1.0" encoding="UTF-8"?>\n` +
    `<testsuites name="mmcheck" tests="${sum((s) => s.tests)}" failures="${sum((s) => s.failures)}" errors="0" skipped="${sum((s) => s.skipped)}" time="${secs(ms)}">\n` +
    suites.map((s) => s.xml).join('\n') +
    `\n</testsuites>\n`
  );
}
