/**
 * `mmcheck litmus FILE…`: the command over a session. Its work lives in
 * `cli/litmus.ts` (which its test and the build look for there); litmus
 * tests use no model of the session.
 */
import { cmdLitmus, LITMUS_HELP } from '../litmus.js';
import type { Command, Session } from '../session.js';

/** `mmcheck litmus`. */
export const litmus: Command = { usage: LITMUS_HELP, run: (args: string[], s: Session) => cmdLitmus(args, s.out, s.err) };
