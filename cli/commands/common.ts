/** What more than one command does. */
import type { AnyModel } from '../../model/contract.js';
import { checkModel, hygieneMessage } from '../../properties/hygiene.js';
import { InputError } from '../../reports/replay.js';

/** `--check-model` (run, explore): the hygiene check on a random walk of the variant's machine; a breach is bad input (exit 2). */
export function hygiene(m: AnyModel, variant: string, config: unknown): void {
  const p = checkModel(m.machine(variant, config));
  if (p) throw new InputError(`${m.name} ${variant}: ${hygieneMessage(p)}`);
}
