// Key-range helpers shared by the implementations. Keys are compared as strings by code point, which
// is the byte order of their UTF-8 encoding (what SQLite's BINARY collation and etcd compare).

/**
 * The smallest string greater than every string that starts with `prefix`, or undefined when there
 * is none (empty prefix, or one made only of U+10FFFF). `[prefix, prefixEnd(prefix))` is exactly the
 * set of keys under the prefix.
 */
export function prefixEnd(prefix: string): string | undefined {
  const codePoints = Array.from(prefix, (c) => c.codePointAt(0)!);
  for (let i = codePoints.length - 1; i >= 0; i--) {
    const cp = codePoints[i]!;
    if (cp === 0x10ffff) continue;
    // Skip the surrogate block: those code points cannot appear in a well-formed string.
    const next = cp === 0xd7ff ? 0xe000 : cp + 1;
    return String.fromCodePoint(...codePoints.slice(0, i), next);
  }
  return undefined;
}

/** Orders keys by code point (not UTF-16 unit), matching etcd and SQLite. */
export function compareKeys(a: string, b: string): number {
  if (a === b) return 0;
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.codePointAt(i)!;
    const y = b.codePointAt(i)!;
    if (x !== y) return x < y ? -1 : 1;
    if (x > 0xffff) i++;
  }
  return a.length < b.length ? -1 : 1;
}
