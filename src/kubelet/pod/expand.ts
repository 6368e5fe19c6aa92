// Kubernetes' $(VAR) expansion (third_party/forked/golang/expansion) for env values, command and
// args: `$(NAME)` becomes the variable's value when it is defined and stays as written otherwise,
// `$$` is a literal `$`, and an unclosed `$(` is kept verbatim.

export function expandVars(input: string, lookup: (name: string) => string | undefined): string {
  if (!input.includes('$')) return input;
  let out = '';
  let i = 0;
  while (i < input.length) {
    const ch = input[i]!;
    if (ch !== '$' || i + 1 >= input.length) {
      out += ch;
      i++;
      continue;
    }
    const next = input[i + 1]!;
    if (next === '$') {
      out += '$';
      i += 2;
      continue;
    }
    if (next === '(') {
      const close = input.indexOf(')', i + 2);
      if (close === -1) {
        out += input.slice(i);
        break;
      }
      const name = input.slice(i + 2, close);
      const value = lookup(name);
      out += value ?? `$(${name})`;
      i = close + 1;
      continue;
    }
    out += ch + next;
    i += 2;
  }
  return out;
}
