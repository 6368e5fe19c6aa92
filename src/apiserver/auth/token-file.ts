// Static bearer tokens in the format of Kubernetes' --token-auth-file: CSV rows
// `token,user,uid,"group1,group2"` (at least three columns; groups optional). Blank lines and lines
// starting with `#` are skipped; an empty token is skipped; a repeated token keeps the last row, as
// Kubernetes does.
import { readFileSync } from 'node:fs';
import { authenticatedUser, type UserInfo } from './user.js';

export type TokenTable = ReadonlyMap<string, UserInfo>;

export function parseTokenFile(text: string, source = 'token file'): TokenTable {
  const tokens = new Map<string, UserInfo>();
  text.split(/\r?\n/).forEach((line, index) => {
    if (line.trim() === '' || line.trimStart().startsWith('#')) return;
    const fields = parseCsvLine(line, `${source}:${index + 1}`);
    if (fields.length < 3) {
      throw new Error(
        `${source}:${index + 1}: must have at least 3 columns (token, user name, user uid), found ${fields.length}`,
      );
    }
    const [token, name, uid, groupList] = fields as [string, string, string, string | undefined];
    if (token === '') return;
    if (name === '') throw new Error(`${source}:${index + 1}: the user name is empty`);
    const userGroups = groupList ? groupList.split(',').filter((g) => g !== '') : [];
    tokens.set(token, authenticatedUser(name, userGroups, uid));
  });
  return tokens;
}

export function loadTokenFile(path: string): TokenTable {
  return parseTokenFile(readFileSync(path, 'utf8'), path);
}

/** One RFC 4180 record: commas separate, double quotes enclose, "" inside quotes is a quote. */
function parseCsvLine(line: string, where: string): string[] {
  const fields: string[] = [];
  let field = '';
  let quoted = false;
  let i = 0;
  while (i < line.length) {
    const c = line[i]!;
    if (quoted) {
      if (c === '"' && line[i + 1] === '"') {
        field += '"';
        i += 2;
        continue;
      }
      if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"' && field === '') quoted = true;
    else if (c === ',') {
      fields.push(field);
      field = '';
    } else field += c;
    i++;
  }
  if (quoted) throw new Error(`${where}: unterminated quoted field`);
  fields.push(field);
  return fields;
}
