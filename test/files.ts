/** What the fault tests ask of the files a command leaves in its output folder. */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';

/** Every file under `d`, recursively. */
export function filesUnder(d: string): string[] {
  if (!existsSync(d)) return [];
  return readdirSync(d, { recursive: true }).map((f) => join(d, String(f))).filter((f) => statSync(f).isFile());
}

/** Why a written file is not complete, or null: a temporary file left, JSON that does not parse, a JUnit file not closed, an empty file. */
export function incomplete(file: string): string | null {
  const text = readFileSync(file, 'utf8');
  if (/\/\.\d+\.\d+\.tmp$/.test(file)) return 'temporary file left';
  if (text.length === 0) return 'empty';
  if (file.endsWith('.json')) {
    try {
      JSON.parse(text);
    } catch {
      return 'JSON does not parse';
    }
  }
  if (file.endsWith('.xml') && !text.trimEnd().endsWith('</testsuites>')) return 'JUnit not closed';
  if (file.endsWith('.html') && !text.trimEnd().endsWith('</html>')) return 'HTML not closed';
  return null;
}
