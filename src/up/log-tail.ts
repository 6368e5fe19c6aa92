// Why did a component exit? The answer is at the end of its log: the CLI's last words
// (`kubelite: Error: listen EADDRINUSE …`) or the last error-level JSON line. The terminal shows that
// one line instead of the log.
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';

/** The last `bytes` of a file as text ('' when it cannot be read). */
export function readTail(path: string, bytes = 16 * 1024): string {
  let fd: number | undefined;
  try {
    fd = openSync(path, 'r');
    const size = fstatSync(fd).size;
    const length = Math.min(size, bytes);
    const buffer = Buffer.alloc(length);
    readSync(fd, buffer, 0, length, size - length);
    return buffer.toString('utf8');
  } catch {
    return '';
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

interface LogLine {
  level?: number;
  msg?: string;
  err?: { message?: string };
}

function errorOfJson(line: string): string | undefined {
  if (!line.startsWith('{')) return undefined;
  try {
    const entry = JSON.parse(line) as LogLine;
    if ((entry.level ?? 0) < 50) return undefined;
    const cause = entry.err?.message;
    return cause && cause !== entry.msg ? `${entry.msg ?? 'error'}: ${cause}` : (entry.msg ?? cause);
  } catch {
    return undefined;
  }
}

/** The most telling line of a log's tail, shortened to `maxChars`; undefined when there is none. */
export function lastErrorLine(tail: string, maxChars = 200): string | undefined {
  const lines = tail.split('\n').map((l) => l.trim());
  let found: string | undefined;
  for (let i = lines.length - 1; i >= 0 && found === undefined; i--) {
    const line = lines[i]!;
    if (line.startsWith('kubelite: ')) found = line.slice('kubelite: '.length);
  }
  for (let i = lines.length - 1; i >= 0 && found === undefined; i--) found = errorOfJson(lines[i]!);
  if (found === undefined) return undefined;
  return found.length > maxChars ? `${found.slice(0, maxChars - 1)}…` : found;
}
