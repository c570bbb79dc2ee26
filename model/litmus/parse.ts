/**
 * Parser of the kernel's C litmus format (herd7's C dialect as used in
 * tools/memory-model/litmus-tests/): the `C name` header, `(* … *)`
 * comments with the `Result:` line, the init block, `Pn(…) { … }` bodies,
 * an optional `locations [...]` line and the final `exists`/`~exists`/
 * `forall` clause.
 *
 * What it does not know it refuses: an unsupported construct raises a
 * {@link LitmusError} of kind `unsupported` naming it, a malformed file one
 * of kind `parse` saying what was expected; both carry file and line.
 */
import type { Fence, RmwOrder, Value } from '../kernel/lkmm.js';
import type { Addr, Condition, Expr, Instr, Litmus, Place, Process, Prop, RmwOp, Verdict } from './program.js';

/** A refused litmus file: `parse` (malformed) or `unsupported` (a construct outside spec 06 §1). */
export class LitmusError extends Error {
  constructor(
    readonly kind: 'parse' | 'unsupported',
    readonly file: string,
    readonly line: number,
    readonly detail: string,
  ) {
    super(`${file}:${line}: ${kind === 'parse' ? 'parse error: ' : 'unsupported construct: '}${detail}`);
  }
}

interface Tok {
  readonly kind: 'id' | 'num' | 'punct' | 'eof';
  readonly text: string;
  readonly line: number;
  readonly start: number;
  readonly end: number;
}

const PUNCT = ['/\\', '\\/', '==', '!=', '<=', '>=', '&&', '||', '<<', '>>', '->', '(', ')', '{', '}', '[', ']', ';', ',', '*', '=', '!', '~', '&', '|', '^', '+', '-', '/', '%', '<', '>', ':', '.', '?'];

/** Type words that start a declaration in a body. */
const TYPES = new Set(['int', 'long', 'unsigned', 'signed', 'short', 'char', 'bool', '_Bool', 'intptr_t', 'uintptr_t', 'u8', 'u16', 'u32', 'u64', 's8', 's16', 's32', 's64', 'const', 'volatile']);

const FENCES: { readonly [fn: string]: Fence } = {
  smp_mb: 'mb',
  smp_rmb: 'rmb',
  smp_wmb: 'wmb',
  smp_mb__before_atomic: 'mb__before_atomic',
  smp_mb__after_atomic: 'mb__after_atomic',
  smp_mb__after_spinlock: 'mb__after_spinlock',
};

/** Notes the output prints when a test uses these constructs. */
export const NOTES = {
  plain: 'plain accesses (*p) are treated as relaxed marked accesses (READ_ONCE/WRITE_ONCE); no data-race check',
  rcuLock: 'rcu_read_lock()/rcu_read_unlock() are no-ops for ordering here (grace periods are not modelled)',
  deref: 'rcu_dereference() is treated as an acquire load (stronger than LKMM, which orders only its address dependencies)',
} as const;

class Scanner {
  pos = 0;
  line = 1;
  /** C mode: C block and line comments; top mode: OCaml-style comments, which would clash with C code such as `READ_ONCE(*x)`. */
  cMode = false;
  readonly comments: string[] = [];
  private la: Tok | undefined;
  /** The last token consumed, so a missing token at the end of a line is reported on that line. */
  private prev: Tok | undefined;

  constructor(
    readonly src: string,
    readonly file: string,
  ) {}

  fail(line: number, msg: string): never {
    throw new LitmusError('parse', this.file, line, msg);
  }

  setMode(c: boolean): void {
    if (this.la) {
      this.pos = this.la.start;
      this.line = this.la.line;
      this.la = undefined;
    }
    this.cMode = c;
  }

  private skip(): void {
    const s = this.src;
    for (;;) {
      const ch = s[this.pos];
      if (ch === '\n') {
        this.line++;
        this.pos++;
      } else if (ch === ' ' || ch === '\t' || ch === '\r') this.pos++;
      else if (!this.cMode && s.startsWith('(*', this.pos)) {
        const start = this.pos;
        const line = this.line;
        let depth = 0;
        do {
          if (this.pos >= s.length) this.fail(line, "unterminated comment: expected '*)'");
          if (s.startsWith('(*', this.pos)) {
            depth++;
            this.pos += 2;
          } else if (s.startsWith('*)', this.pos)) {
            depth--;
            this.pos += 2;
          } else {
            if (s[this.pos] === '\n') this.line++;
            this.pos++;
          }
        } while (depth > 0);
        this.comments.push(s.slice(start, this.pos));
      } else if (this.cMode && s.startsWith('/*', this.pos)) {
        const end = s.indexOf('*/', this.pos + 2);
        if (end < 0) this.fail(this.line, "unterminated comment: expected '*/'");
        for (let i = this.pos; i < end; i++) if (s[i] === '\n') this.line++;
        this.pos = end + 2;
      } else if (this.cMode && s.startsWith('//', this.pos)) {
        while (this.pos < s.length && s[this.pos] !== '\n') this.pos++;
      } else return;
    }
  }

  private scan(): Tok {
    this.skip();
    const s = this.src;
    const start = this.pos;
    const line = this.line;
    if (start >= s.length) return { kind: 'eof', text: 'end of file', line, start, end: start };
    const m = /^(?:0[xX][0-9a-fA-F]+|\d+)/.exec(s.slice(start, start + 40));
    if (m) {
      this.pos += m[0].length;
      return { kind: 'num', text: m[0], line, start, end: this.pos };
    }
    const id = /^[A-Za-z_][A-Za-z0-9_]*/.exec(s.slice(start, start + 200));
    if (id) {
      this.pos += id[0].length;
      return { kind: 'id', text: id[0], line, start, end: this.pos };
    }
    for (const p of PUNCT)
      if (s.startsWith(p, start)) {
        this.pos += p.length;
        return { kind: 'punct', text: p, line, start, end: this.pos };
      }
    return this.fail(line, `unexpected character '${s[start]}'`);
  }

  peek(): Tok {
    return (this.la ??= this.scan());
  }

  next(): Tok {
    const t = this.peek();
    this.la = undefined;
    this.prev = t;
    return t;
  }

  is(text: string): boolean {
    const t = this.peek();
    return t.kind !== 'eof' && t.text === text;
  }

  accept(text: string): boolean {
    if (!this.is(text)) return false;
    this.next();
    return true;
  }

  expect(text: string, what = `'${text}'`): Tok {
    const t = this.peek();
    if (t.kind === 'eof' || t.text !== text) {
      const got = t.kind === 'eof' ? 'end of file' : `'${t.text}'`;
      // a terminator missing at the end of a line: point at that line, as a C compiler does
      if (this.prev && this.prev.line < t.line && (text === ';' || text === ')')) this.fail(this.prev.line, `expected ${what} after '${this.prev.text}' at the end of the line, got ${got} on line ${t.line}`);
      this.fail(t.line, `expected ${what}, got ${got}`);
    }
    return this.next();
  }

  ident(what = 'an identifier'): Tok {
    const t = this.peek();
    if (t.kind !== 'id') this.fail(t.line, `expected ${what}, got ${t.kind === 'eof' ? 'end of file' : `'${t.text}'`}`);
    return this.next();
  }
}

/** Parses a litmus file's text; `file` names it in errors. */
export function parseLitmus(src: string, file: string): Litmus {
  const sc = new Scanner(src, file);
  // header: the first non-blank line is `C name`
  const lines = src.split('\n');
  const hi = lines.findIndex((l) => l.trim() !== '');
  const header = /^\s*C\s+(\S+)\s*$/.exec(lines[hi] ?? '');
  if (!header) {
    const m = /^\s*([A-Z][A-Za-z0-9_]*)\s+\S+\s*$/.exec(lines[hi] ?? '');
    if (m) throw new LitmusError('unsupported', file, hi + 1, `litmus architecture '${m[1]}' (only C litmus tests)`);
    throw new LitmusError('parse', file, Math.max(hi, 0) + 1, "expected the header 'C <name>'");
  }
  const name = header[1] as string;
  sc.pos = lines.slice(0, hi + 1).join('\n').length;
  sc.line = hi + 1;

  const init: Record<string, Value> = {};
  const locks: string[] = [];
  const regInit = new Map<number, Record<string, Value>>();
  const notes = new Set<string>();
  // init block
  sc.expect('{', "the init block '{'");
  sc.setMode(true);
  while (!sc.accept('}')) parseInitItem(sc, init, locks, regInit);
  sc.setMode(false);

  // processes
  const procs: Process[] = [];
  const lockWords = new Set<string>();
  while (/^P\d+$/.test(sc.peek().text)) {
    const p = parseProcess(sc, init, locks, regInit, lockWords, notes);
    if (p.index !== procs.length) sc.fail(sc.line, `expected P${procs.length}, got P${p.index}`);
    procs.push(p);
  }
  if (procs.length === 0) sc.fail(sc.peek().line, "expected a process 'P0(...) { ... }'");

  // optional locations line (only for printing in herd; the verdict ignores it)
  if (sc.is('locations')) {
    sc.next();
    sc.expect('[');
    sc.setMode(true);
    while (!sc.is(']')) if (sc.next().kind === 'eof') sc.fail(sc.line, "expected ']'");
    sc.setMode(false);
    sc.expect(']');
  }
  const t = sc.peek();
  if (t.text === 'filter') throw new LitmusError('unsupported', file, t.line, "'filter' clause");
  const cond = parseCondition(sc, src);
  if (sc.peek().kind !== 'eof') sc.fail(sc.peek().line, `expected end of file after the condition, got '${sc.peek().text}'`);

  const resultComment = sc.comments.map((c) => /Result:\s*(Always|Sometimes|Never)/.exec(c)).find((m) => m);
  // a lock word is a location only when something reads it; it starts free
  for (const l of lockWords) init[l] = 0;
  const base = {
    file,
    name,
    init,
    locks,
    lockWords: [...lockWords].sort(),
    procs,
    cond,
    notes: [...notes],
  };
  const l: Litmus = resultComment ? { ...base, result: resultComment[1] as Verdict } : base;
  checkCondition(l);
  return l;
}

/** Checks that the condition names existing processes, registers and locations. */
function checkCondition(l: Litmus): void {
  const walk = (p: Prop): void => {
    if (p.k === 'and' || p.k === 'or') {
      walk(p.a);
      walk(p.b);
    } else if (p.k === 'not') walk(p.p);
    else if (p.k === 'eq') {
      const pl = p.place;
      if (pl.k === 'reg') {
        const proc = l.procs[pl.proc];
        if (!proc) throw new LitmusError('parse', l.file, l.cond.line, `the condition names P${pl.proc}, which the test does not have`);
        if (!proc.regs.includes(pl.r)) throw new LitmusError('parse', l.file, l.cond.line, `the condition names ${pl.proc}:${pl.r}, not a register of P${pl.proc}`);
      } else if (!(pl.loc in l.init)) throw new LitmusError('parse', l.file, l.cond.line, `the condition names '${pl.loc}', not a location of the test`);
    }
  };
  walk(l.cond.prop);
}


function value(sc: Scanner): Value {
  const neg = sc.accept('-');
  sc.accept('&');
  const t = sc.next();
  if (t.kind === 'num') return neg ? -Number(t.text) : Number(t.text);
  if (t.kind === 'id' && !neg) return TASK_STATES[t.text] ?? t.text;
  return sc.fail(t.line, `expected a value (a number or a location), got '${t.text}'`);
}

function parseInitItem(sc: Scanner, init: Record<string, Value>, locks: string[], regInit: Map<number, Record<string, Value>>): void {
  if (sc.accept(';')) return;
  const first = sc.peek();
  if (first.kind === 'num') {
    // `0:r1=2;` a register's initial value
    const proc = Number(sc.next().text);
    sc.expect(':');
    const r = sc.ident('a register').text;
    sc.expect('=');
    const v = value(sc);
    sc.expect(';');
    regInit.set(proc, { ...(regInit.get(proc) ?? {}), [r]: v });
    return;
  }
  const words: string[] = [];
  while (sc.peek().kind === 'id' || sc.is('*')) {
    const w = sc.next();
    if (w.text !== '*') words.push(w.text);
  }
  const nameTok = words.pop();
  if (nameTok === undefined) sc.fail(sc.peek().line, `expected a declaration or 'location = value;' in the init block, got '${sc.peek().text}'`);
  if (words.includes('spinlock_t')) {
    if (!locks.includes(nameTok)) locks.push(nameTok);
  } else init[nameTok] ??= 0;
  if (sc.accept('=')) init[nameTok] = value(sc);
  sc.expect(';');
}

interface Scope {
  readonly proc: number;
  readonly locs: ReadonlySet<string>;
  readonly locks: ReadonlySet<string>;
  readonly regs: string[];
  readonly code: Instr[];
  readonly lockWords: Set<string>;
  readonly notes: Set<string>;
  /** `struct task_struct *` parameters: the tasks `wake_up_process` may name; the only one is the process's `current`. */
  readonly tasks: readonly string[];
  /** Every spinlock of the test, so a task's `pi_lock` can join them. */
  readonly allLocks: string[];
  temps: number;
}

function parseProcess(sc: Scanner, init: Record<string, Value>, locks: string[], regInit: Map<number, Record<string, Value>>, lockWords: Set<string>, notes: Set<string>): Process {
  const head = sc.next();
  const index = Number(head.text.slice(1));
  sc.setMode(true);
  sc.expect('(');
  const locs = new Set<string>();
  const plocks = new Set<string>();
  const tasks: string[] = [];
  if (!sc.is(')'))
    do {
      const words: string[] = [];
      while (sc.peek().kind === 'id' || sc.is('*')) {
        const w = sc.next();
        if (w.text !== '*') words.push(w.text);
      }
      const p = words.pop();
      if (p === undefined || words.length === 0) sc.fail(sc.peek().line, 'expected a parameter like `int *x`');
      if (words.includes('spinlock_t')) {
        plocks.add(p);
        if (!locks.includes(p)) locks.push(p);
      } else {
        locs.add(p);
        init[p] ??= 0;
        if (words.includes('task_struct')) tasks.push(p);
      }
    } while (sc.accept(','));
  sc.expect(')');
  sc.expect('{', "'{' to open the body");
  const scope: Scope = { proc: index, locs, locks: plocks, regs: [], code: [], lockWords, notes, tasks, allLocks: locks, temps: 0 };
  while (!sc.accept('}')) {
    if (sc.peek().kind === 'eof') sc.fail(sc.peek().line, `expected '}' to close ${head.text}`);
    statement(sc, scope);
  }
  sc.setMode(false);
  return { name: `P${index}`, index, regs: scope.regs, regInit: regInit.get(index) ?? {}, code: scope.code };
}

/** The statement text from `from` to the current position, on one line. */
function textFrom(sc: Scanner, from: number): string {
  return sc.src
    .slice(from, sc.pos)
    .replace(/\s+/g, ' ')
    .replace(/;\s*$/, '')
    .trim();
}

function statement(sc: Scanner, s: Scope): void {
  const t = sc.peek();
  const from = t.start;
  if (sc.accept(';')) return;
  if (t.text === '{') {
    sc.next();
    while (!sc.accept('}')) {
      if (sc.peek().kind === 'eof') sc.fail(sc.peek().line, "expected '}'");
      statement(sc, s);
    }
    return;
  }
  if (t.text === 'if') {
    sc.next();
    sc.expect('(', "'(' after if");
    const cond = expr(sc, s, from);
    sc.expect(')', "')' to close the if condition");
    const text = textFrom(sc, from);
    const at = s.code.length;
    s.code.push({ k: 'branch', cond, target: -1, line: t.line, text });
    statement(sc, s);
    if (sc.is('else')) {
      sc.next();
      const j = s.code.length;
      s.code.push({ k: 'jump', target: -1, line: t.line, text: 'else' });
      s.code[at] = { ...(s.code[at] as Extract<Instr, { k: 'branch' }>), target: s.code.length };
      statement(sc, s);
      s.code[j] = { k: 'jump', target: s.code.length, line: t.line, text: 'else' };
    } else s.code[at] = { ...(s.code[at] as Extract<Instr, { k: 'branch' }>), target: s.code.length };
    return;
  }
  if (t.kind === 'id' && (t.text === 'for' || t.text === 'while' || t.text === 'do' || t.text === 'goto' || t.text === 'return' || t.text === 'switch'))
    throw new LitmusError('unsupported', sc.file, t.line, `'${t.text}' statement`);
  if (t.kind === 'id' && (TYPES.has(t.text) || t.text === 'spinlock_t' || t.text === 'atomic_t')) {
    declaration(sc, s);
    return;
  }
  if (t.kind === 'id' && !s.regs.includes(t.text)) {
    // a call statement: a fence, a lock, a store
    const fn = sc.next();
    if (!sc.is('(')) sc.fail(sc.peek().line, `expected '(' after '${fn.text}' (or an assignment to a declared register)`);
    callStatement(sc, s, fn, from);
    return;
  }
  if (t.text === '*') {
    sc.next();
    const addr = address(sc, s);
    sc.expect('=', "'=' (a store through a pointer)");
    const val = expr(sc, s, from);
    sc.expect(';');
    s.notes.add(NOTES.plain);
    s.code.push({ k: 'write', addr, val, order: 'once', plain: true, line: t.line, text: textFrom(sc, from) });
    return;
  }
  if (t.kind === 'id') {
    const r = sc.next().text;
    sc.expect('=', `'=' after register '${r}'`);
    assignTo(sc, s, r, from, t.line);
    sc.expect(';');
    return;
  }
  sc.fail(t.line, `expected a statement, got '${t.text}'`);
}

/** `r = e`: a lone memory read goes straight into `r`; anything else is an assignment after the hoisted reads. */
function assignTo(sc: Scanner, s: Scope, r: string, from: number, line: number): void {
  const before = s.code.length;
  const e = expr(sc, s, from);
  const text = textFrom(sc, from);
  const last = s.code[s.code.length - 1];
  if (e.k === 'reg' && e.r.startsWith('$') && s.code.length === before + 1 && last && (last.k === 'read' || last.k === 'islocked' || last.k === 'rmw') && last.into === e.r) {
    s.code[s.code.length - 1] = { ...last, into: r, text, line };
    return;
  }
  s.code.push({ k: 'assign', into: r, val: e, line, text });
}

function declaration(sc: Scanner, s: Scope): void {
  const first = sc.peek();
  if (first.text === 'spinlock_t' || first.text === 'atomic_t') throw new LitmusError('unsupported', sc.file, first.line, `local '${first.text}' declaration`);
  while (sc.peek().kind === 'id' && TYPES.has(sc.peek().text)) sc.next();
  do {
    const from = sc.peek().start;
    while (sc.accept('*'));
    const r = sc.ident('a register name').text;
    if (s.locs.has(r) || s.locks.has(r)) sc.fail(sc.peek().line, `register '${r}' shadows a parameter`);
    if (!s.regs.includes(r)) s.regs.push(r);
    if (sc.accept('=')) assignTo(sc, s, r, from, first.line);
  } while (sc.accept(','));
  sc.expect(';');
}

function address(sc: Scanner, s: Scope): Addr {
  if (sc.accept('(')) {
    const a = address(sc, s);
    sc.expect(')');
    return a;
  }
  const t = sc.ident('a pointer (a parameter or a register)');
  if (s.locs.has(t.text)) return { k: 'loc', loc: t.text };
  if (s.regs.includes(t.text)) return { k: 'reg', r: t.text };
  if (s.locks.has(t.text)) return sc.fail(t.line, `'${t.text}' is a spinlock, not a memory location`);
  return sc.fail(t.line, `unknown pointer '${t.text}' (not a parameter or a declared register)`);
}

/** `*p` as the argument of READ_ONCE/WRITE_ONCE/rcu_*. */
function derefArg(sc: Scanner, s: Scope, fn: string): Addr {
  sc.expect('*', `'*' in ${fn}(*p, ...)`);
  return address(sc, s);
}

function lockArg(sc: Scanner, s: Scope): string {
  const t = sc.ident('a spinlock');
  if (!s.locks.has(t.text)) sc.fail(t.line, `'${t.text}' is not a spinlock_t parameter`);
  return t.text;
}

function callStatement(sc: Scanner, s: Scope, fn: Tok, from: number): void {
  const line = fn.line;
  const spec = RMWS.get(fn.text);
  if (spec) {
    rmwCall(sc, s, fn, spec);
    sc.expect(';');
    return;
  }
  sc.expect('(');
  const end = (): string => {
    sc.expect(')');
    sc.expect(';');
    return textFrom(sc, from);
  };
  const f = fn.text;
  if (f in FENCES) {
    s.code.push({ k: 'fence', fence: FENCES[f] as Fence, line, text: end() });
    return;
  }
  switch (f) {
    case 'WRITE_ONCE':
    case 'rcu_assign_pointer':
    case 'smp_store_release':
    case 'atomic_set':
    case 'atomic_set_release': {
      const addr = f === 'WRITE_ONCE' || f === 'rcu_assign_pointer' ? derefArg(sc, s, f) : address(sc, s);
      sc.expect(',');
      const val = expr(sc, s, from);
      const text = end();
      s.code.push({ k: 'write', addr, val, order: f === 'WRITE_ONCE' || f === 'atomic_set' ? 'once' : 'release', plain: false, line, text });
      return;
    }
    case 'spin_lock':
    case 'spin_unlock': {
      const lock = lockArg(sc, s);
      s.code.push({ k: f === 'spin_lock' ? 'lock' : 'unlock', lock, line, text: end() });
      return;
    }
    case 'set_current_state':
    case '__set_current_state': {
      const v = expr(sc, s, from);
      setCurrentState(sc, s, fn, v, end());
      return;
    }
    case 'rcu_read_lock':
    case 'rcu_read_unlock':
      s.notes.add(NOTES.rcuLock);
      s.code.push({ k: 'nop', line, text: end() });
      return;
    default: {
      // a value-returning call used as a statement (its result dropped), else unsupported
      if (WAKE_CALLS.has(f)) {
        wakeCall(sc, s, fn, false);
        end();
        return;
      }
      if (!READS.has(f)) throw new LitmusError('unsupported', sc.file, line, `'${f}'`);
      readCall(sc, s, fn);
      end();
    }
  }
}

const READS = new Set(['READ_ONCE', 'smp_load_acquire', 'rcu_dereference', 'spin_is_locked', 'atomic_read', 'atomic_read_acquire']);

interface RmwSpec {
  readonly op: RmwOp;
  readonly ret: 'old' | 'new' | 'none';
  readonly order: RmwOrder;
  /** Operand arguments before the pointer (`atomic_add(i, v)`) or after it (`xchg(p, v)`). */
  readonly before: number;
  readonly after: number;
}

/**
 * The atomic read-modify-writes of spec 06 §1, as tools/memory-model/
 * linux-kernel.def names them: value-returning ones are fully ordered, the
 * others relaxed, and `_relaxed`/`_acquire`/`_release` name their ordering.
 */
const RMWS: ReadonlyMap<string, RmwSpec> = (() => {
  const m = new Map<string, RmwSpec>();
  const forms = (base: string, op: RmwOp, ret: 'old' | 'new', before: number, after: number): void => {
    m.set(base, { op, ret, order: 'mb', before, after });
    for (const o of ['relaxed', 'acquire', 'release'] as const) m.set(`${base}_${o}`, { op, ret, order: o, before, after });
  };
  forms('xchg', 'xchg', 'old', 0, 1);
  forms('cmpxchg', 'cmpxchg', 'old', 0, 2);
  forms('atomic_xchg', 'xchg', 'old', 0, 1);
  forms('atomic_cmpxchg', 'cmpxchg', 'old', 0, 2);
  for (const op of ['inc', 'dec'] as const) {
    m.set(`atomic_${op}`, { op, ret: 'none', order: 'relaxed', before: 0, after: 0 });
    forms(`atomic_${op}_return`, op, 'new', 0, 0);
    forms(`atomic_fetch_${op}`, op, 'old', 0, 0);
  }
  for (const op of ['add', 'sub'] as const) {
    m.set(`atomic_${op}`, { op, ret: 'none', order: 'relaxed', before: 1, after: 0 });
    forms(`atomic_${op}_return`, op, 'new', 1, 0);
    forms(`atomic_fetch_${op}`, op, 'old', 1, 0);
  }
  m.set('atomic_dec_if_positive', { op: 'decpos', ret: 'new', order: 'mb', before: 0, after: 0 });
  return m;
})();

/** A read-modify-write call after its name: emits it, its result into a temporary. */
function rmwCall(sc: Scanner, s: Scope, fn: Tok, spec: RmwSpec): Expr {
  sc.expect('(', `'(' after ${fn.text}`);
  const args: Expr[] = [];
  for (let i = 0; i < spec.before; i++) {
    args.push(expr(sc, s, fn.start));
    sc.expect(',', `',' in ${fn.text}(...)`);
  }
  const addr = address(sc, s);
  for (let i = 0; i < spec.after; i++) {
    sc.expect(',', `',' in ${fn.text}(...)`);
    args.push(expr(sc, s, fn.start));
  }
  const close = sc.expect(')', `')' to close ${fn.text}(`);
  const into = temp(s);
  const text = sc.src.slice(fn.start, close.end).replace(/\s+/g, ' ').trim();
  s.code.push({ k: 'rmw', into, addr, op: spec.op, args, ret: spec.ret, order: spec.order, line: fn.line, text });
  return { k: 'reg', r: into };
}

function temp(s: Scope): string {
  return `$t${++s.temps}`;
}

/** A read call after its name and '(' : emits the read into a temporary and returns it. */
function readCall(sc: Scanner, s: Scope, fn: Tok): Expr {
  const into = temp(s);
  const line = fn.line;
  const from = fn.start;
  if (fn.text === 'spin_is_locked') {
    const lock = lockArg(sc, s);
    s.lockWords.add(lock);
    s.code.push({ k: 'islocked', into, lock, line, text: `${fn.text}(${lock})` });
    return { k: 'reg', r: into };
  }
  const addr = fn.text === 'smp_load_acquire' || fn.text.startsWith('atomic_') ? address(sc, s) : derefArg(sc, s, fn.text);
  if (fn.text === 'rcu_dereference') s.notes.add(NOTES.deref);
  const text = `${sc.src.slice(from, sc.peek().start).replace(/\s+/g, ' ').trim()})`;
  s.code.push({ k: 'read', into, addr, order: fn.text === 'READ_ONCE' || fn.text === 'atomic_read' ? 'once' : 'acquire', plain: false, line, text });
  return { k: 'reg', r: into };
}

// sleep and wake-up (spec 06 §1): what the kernel guarantees, spelled in the accesses above

/** Task states of include/linux/sched.h (`TASK_NORMAL` is what `wake_up_process` wakes). */
const TASK_STATES: { readonly [name: string]: number } = { TASK_RUNNING: 0, TASK_INTERRUPTIBLE: 1, TASK_UNINTERRUPTIBLE: 2, TASK_NORMAL: 3 };

/** Calls of this section that may return a value. */
const WAKE_CALLS = new Set(['wake_up_process', 'waitqueue_active', 'wq_has_sleeper']);

/**
 * `set_current_state(v)` / `__set_current_state(v)`: a store to the current
 * task's state, the first followed by `smp_mb` (include/linux/sched.h: it
 * is `smp_store_mb(current->__state, v)` "so that the write of
 * current->__state is correctly serialised wrt the caller's subsequent test
 * of whether to actually sleep"; the second is a bare `WRITE_ONCE`). A
 * process's current task is its one `struct task_struct *` parameter.
 */
function setCurrentState(sc: Scanner, s: Scope, fn: Tok, v: Expr, text: string): void {
  const cur = s.tasks.length === 1 ? s.tasks[0] : undefined;
  if (cur === undefined) sc.fail(fn.line, `${fn.text}() needs the current task: exactly one 'struct task_struct *' parameter in P${s.proc} (it has ${s.tasks.length})`);
  s.code.push({ k: 'write', addr: { k: 'loc', loc: cur }, val: v, order: 'once', plain: false, line: fn.line, text });
  if (fn.text === 'set_current_state') s.code.push({ k: 'fence', fence: 'mb', line: fn.line, text: `${text}: smp_mb` });
}

/**
 * The calls that wake, or test before waking, as the kernel guarantees them.
 *
 * - `wake_up_process(p)` is try_to_wake_up(p, TASK_NORMAL): under
 *   `p->pi_lock`, `smp_mb__after_spinlock()` — "a full memory barrier before
 *   accessing @p->state" (kernel/sched/core.c, the comment of
 *   try_to_wake_up, paired with the barrier of set_current_state) — then
 *   `if (p->__state & TASK_NORMAL) p->__state = TASK_RUNNING`; returns 1 when
 *   it woke the task, 0 when it was running. When it wakes, a further
 *   `smp_mb`: spec 06 §1 takes it as fully ordered then (memory-barriers.txt,
 *   SLEEP AND WAKE-UP FUNCTIONS: a general barrier if it wakes something up);
 *   when it does not, only the barrier before the read is promised.
 * - `waitqueue_active(wq)`: the lockless `list_empty()` test, a relaxed read
 *   of `wq` (nonzero: someone waits); no barrier (include/linux/wait.h asks
 *   the caller for an explicit `smp_mb()` before it).
 * - `wq_has_sleeper(wq)`: `smp_mb()` then `waitqueue_active(wq)`.
 *
 * The returned expression is the call's value, over the registers read.
 */
function wakeCall(sc: Scanner, s: Scope, fn: Tok, used: boolean): Expr {
  const line = fn.line;
  const t = sc.ident(fn.text === 'wake_up_process' ? 'a task (a struct task_struct * parameter)' : 'a wait queue (a parameter)');
  const name = fn.text;
  const call = `${name}(${t.text})`;
  if (name === 'wake_up_process') {
    if (!s.tasks.includes(t.text)) sc.fail(t.line, `wake_up_process(${t.text}): '${t.text}' is not a 'struct task_struct *' parameter`);
    const pi = `${t.text}.pi_lock`;
    if (!s.allLocks.includes(pi)) s.allLocks.push(pi);
    const st = temp(s);
    const woke: Expr = { k: 'bin', op: '!=', a: { k: 'bin', op: '&', a: { k: 'reg', r: st }, b: { k: 'num', v: TASK_STATES['TASK_NORMAL'] as number } }, b: { k: 'num', v: 0 } };
    s.code.push({ k: 'lock', lock: pi, line, text: `${call}: raw_spin_lock(&${pi})` });
    s.code.push({ k: 'fence', fence: 'mb__after_spinlock', line, text: `${call}: smp_mb__after_spinlock` });
    s.code.push({ k: 'read', into: st, addr: { k: 'loc', loc: t.text }, order: 'once', plain: false, line, text: `${call}: READ_ONCE(${t.text}->__state)` });
    const at = s.code.length;
    s.code.push({ k: 'branch', cond: woke, target: -1, line, text: `${call}: if (${t.text}->__state & TASK_NORMAL)` });
    s.code.push({ k: 'write', addr: { k: 'loc', loc: t.text }, val: { k: 'num', v: 0 }, order: 'once', plain: false, line, text: `${call}: ${t.text}->__state = TASK_RUNNING` });
    s.code.push({ k: 'fence', fence: 'mb', line, text: `${call}: woken, fully ordered (smp_mb)` });
    s.code[at] = { ...(s.code[at] as Extract<Instr, { k: 'branch' }>), target: s.code.length };
    s.code.push({ k: 'unlock', lock: pi, line, text: `${call}: raw_spin_unlock(&${pi})` });
    return used ? woke : { k: 'num', v: 0 };
  }
  if (!s.locs.has(t.text)) sc.fail(t.line, `${call}: '${t.text}' is not a parameter`);
  if (name === 'wq_has_sleeper') s.code.push({ k: 'fence', fence: 'mb', line, text: `${call}: smp_mb` });
  const into = temp(s);
  s.code.push({ k: 'read', into, addr: { k: 'loc', loc: t.text }, order: 'once', plain: false, line, text: `${call}: READ_ONCE(${t.text})` });
  return { k: 'bin', op: '!=', a: { k: 'reg', r: into }, b: { k: 'num', v: 0 } };
}

// expressions, C precedence (the subset litmus tests use)
const LEVELS: readonly (readonly string[])[] = [['||'], ['&&'], ['|'], ['^'], ['&'], ['==', '!='], ['<', '<=', '>', '>='], ['<<', '>>'], ['+', '-'], ['*', '/', '%']];

function expr(sc: Scanner, s: Scope, from: number, level = 0): Expr {
  if (level === LEVELS.length) return unary(sc, s, from);
  let a = expr(sc, s, from, level + 1);
  const ops = LEVELS[level] as readonly string[];
  while (sc.peek().kind === 'punct' && ops.includes(sc.peek().text)) {
    const op = sc.next().text;
    const b = expr(sc, s, from, level + 1);
    a = { k: 'bin', op, a, b };
  }
  return a;
}

function unary(sc: Scanner, s: Scope, from: number): Expr {
  const t = sc.peek();
  if (t.text === '!' || t.text === '-' || t.text === '~') {
    sc.next();
    return { k: 'un', op: t.text, e: unary(sc, s, from) };
  }
  if (t.text === '*') {
    // a plain load through a pointer
    sc.next();
    const addr = address(sc, s);
    const into = temp(s);
    s.notes.add(NOTES.plain);
    s.code.push({ k: 'read', into, addr, order: 'once', plain: true, line: t.line, text: `*${addr.k === 'loc' ? addr.loc : addr.r}` });
    return { k: 'reg', r: into };
  }
  if (t.text === '(') {
    sc.next();
    const e = expr(sc, s, from);
    sc.expect(')');
    return e;
  }
  if (t.kind === 'num') {
    sc.next();
    return { k: 'num', v: Number(t.text) };
  }
  if (t.kind === 'id') {
    sc.next();
    const spec = RMWS.get(t.text);
    if (spec && sc.is('(')) return rmwCall(sc, s, t, spec);
    if (WAKE_CALLS.has(t.text) && sc.is('(')) {
      sc.next();
      const e = wakeCall(sc, s, t, true);
      sc.expect(')', `')' to close ${t.text}(`);
      return e;
    }
    if (sc.is('(')) {
      sc.next();
      if (!READS.has(t.text)) throw new LitmusError('unsupported', sc.file, t.line, `'${t.text}'`);
      const e = readCall(sc, s, t);
      sc.expect(')', `')' to close ${t.text}(`);
      return e;
    }
    if (s.regs.includes(t.text)) return { k: 'reg', r: t.text };
    if (s.locs.has(t.text)) return { k: 'ptr', loc: t.text };
    const state = TASK_STATES[t.text];
    if (state !== undefined) return { k: 'num', v: state };
    return sc.fail(t.line, `unknown identifier '${t.text}' (not a declared register or a parameter)`);
  }
  return sc.fail(t.line, `expected an expression, got ${t.kind === 'eof' ? 'end of file' : `'${t.text}'`}`);
}

// the final condition
function parseCondition(sc: Scanner, src: string): Condition {
  const t = sc.peek();
  let quant: Condition['quant'];
  if (sc.accept('~')) {
    sc.expect('exists', "'exists' after '~'");
    quant = '~exists';
  } else if (sc.accept('exists')) quant = 'exists';
  else if (sc.accept('forall')) quant = 'forall';
  else return sc.fail(t.line, `expected the final condition 'exists', '~exists' or 'forall', got ${t.kind === 'eof' ? 'end of file' : `'${t.text}'`}`);
  sc.setMode(true);
  const prop = propOr(sc);
  sc.setMode(false);
  const text = src.slice(t.start, sc.pos).replace(/\s+/g, ' ').trim();
  return { quant, prop, text, line: t.line };
}

function propOr(sc: Scanner): Prop {
  let a = propAnd(sc);
  while (sc.accept('\\/')) a = { k: 'or', a, b: propAnd(sc) };
  return a;
}

function propAnd(sc: Scanner): Prop {
  let a = propUnary(sc);
  while (sc.accept('/\\')) a = { k: 'and', a, b: propUnary(sc) };
  return a;
}

function propUnary(sc: Scanner): Prop {
  if (sc.accept('~') || sc.accept('not')) return { k: 'not', p: propUnary(sc) };
  if (sc.accept('(')) {
    const p = propOr(sc);
    sc.expect(')', "')' in the condition");
    return p;
  }
  if (sc.accept('true')) return { k: 'true' };
  const t = sc.next();
  let place: Place;
  if (t.kind === 'num') {
    sc.expect(':', "':' in 'n:register'");
    place = { k: 'reg', proc: Number(t.text), r: sc.ident('a register').text };
  } else if (t.kind === 'id') place = { k: 'loc', loc: t.text };
  else return sc.fail(t.line, `expected 'n:register=value' or 'location=value' in the condition, got ${t.kind === 'eof' ? 'end of file' : `'${t.text}'`}`);
  sc.expect('=', "'=' in the condition");
  return { k: 'eq', place, val: value(sc) };
}
