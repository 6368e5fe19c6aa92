// Nesting limits for request bodies, checked on the text before any parser sees it: a few kilobytes
// of `[[[[…` or `- - - - …` otherwise make parsers and every recursive walk after them (validation,
// cloning, canonical JSON) use stack and memory without bound — the yaml parser aborts the whole
// process on deep block sequences. Kubernetes' decoders stop at 10,000 levels; objects never need 100.
import { badRequest } from '../../api/errors.js';

export const maxBodyNesting = 1000;

/** Depth of JSON arrays and objects, skipping strings. */
export function jsonNesting(text: string): number {
  let depth = 0;
  let max = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c)
        i++; // backslash: skip the escaped character
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x5b || c === 0x7b) {
      if (++depth > max) max = depth;
    } else if (c === 0x5d || c === 0x7d) depth--;
  }
  return max;
}

/**
 * An upper bound of YAML nesting: flow brackets (outside quotes) plus, per line, the block
 * indentation and the `- ` / `? ` / `: ` markers that each open a level.
 */
export function yamlNesting(text: string): number {
  let max = jsonNesting(text.replace(/'[^'\n]*'/g, "''"));
  for (const line of text.split('\n')) {
    const prefix = /^[ \t\-?:]*/.exec(line)?.[0] ?? '';
    const levels = prefix.replace(/[ \t]+/g, ' ').length;
    if (levels > max) max = levels;
  }
  return max;
}

export function checkNesting(text: string, format: 'json' | 'yaml', limit = maxBodyNesting): void {
  const depth = format === 'json' ? jsonNesting(text) : yamlNesting(text);
  if (depth > limit) throw badRequest(`the request body nests deeper than ${limit} levels`);
}
