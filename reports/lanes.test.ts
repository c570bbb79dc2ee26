import { describe, expect, test } from 'vitest';
import type { TraceStep } from '../properties/core.js';
import { changesCell, stepCell, stepNote } from './lanes.js';

const step = (text: string | undefined, action: Record<string, unknown> = { type: 'L2' }): TraceStep =>
  ({ action, label: 'L2', state: {}, info: { ctx: 'L', step: 'L2', fn: 'kref_get', ...(text !== undefined ? { text } : {}) } }) as unknown as TraceStep;

describe('a step\'s note', () => {
  test('a text that says what the step did is shown before the changes', () => {
    const s = step('kref_get: refcount 0 → 1');
    expect(stepNote(s)).toBe('kref_get: refcount 0 → 1');
    expect(changesCell(s, 'l: 2 → 3')).toBe('kref_get: refcount 0 → 1 · l: 2 → 3');
    expect(changesCell(s, '')).toBe('kref_get: refcount 0 → 1');
  });
  test('a text that is only the call (the default) is not repeated: the lane cell shows it', () => {
    const s = step('kref_get(cpu=1)', { type: 'L2', cpu: 1 });
    expect(stepNote(s)).toBeUndefined();
    expect(stepNote(step('kref_get'))).toBeUndefined();
    expect(stepNote(step(undefined))).toBeUndefined();
    expect(changesCell(s, 'l: 2 → 3')).toBe('l: 2 → 3');
    expect(stepCell(s)).toBe('L2 kref_get(cpu=1)');
  });
});
