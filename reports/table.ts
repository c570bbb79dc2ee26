/** The plain-text table every command and bench prints: columns padded to their widest cell, two spaces apart. */

/** Lays out `rows` (the first is the header) as aligned text lines, trailing blanks trimmed. */
export function textTable(rows: readonly (readonly string[])[]): string[] {
  const w = rows[0]?.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length))) ?? [];
  return rows.map((r) => r.map((c, i) => c.padEnd(w[i] ?? 0)).join('  ').trimEnd());
}
