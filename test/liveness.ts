/** Shared by the liveness suites (liveness-models.test.ts and its deep twin). */
import { expect } from 'vitest';
import type { AnyModel } from '../model/contract.js';
import { checkLivenessItem } from '../properties/suite.js';

/** The reference of `model` keeps exactly `props` on its exploration configuration: complete, no violation, `states` states. */
export function expectReferenceLiveness(model: AnyModel, props: readonly string[], states: number): void {
  const r = checkLivenessItem(model, 'reference', {});
  expect(r.problems).toEqual([]);
  expect(r.result?.properties).toEqual(props);
  expect(r.result?.complete).toBe(true);
  expect(r.result?.states).toBe(states);
}
