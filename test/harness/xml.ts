// A strict-enough well-formedness check for the SVG the benchmark report writes: every tag closed
// in order, attributes quoted, only the five XML entities or numeric references. Not a full XML
// parser, but it fails on what a careless generator gets wrong.
export function wellFormedXml(text: string): boolean {
  const stack: string[] = [];
  const tag = /<(\/?)([A-Za-z][\w:-]*)((?:\s+[\w:-]+="[^"<]*")*)\s*(\/?)>|<!--[\s\S]*?-->|<\?[\s\S]*?\?>/g;
  let at = 0;
  for (let m = tag.exec(text); m !== null; m = tag.exec(text)) {
    if (!textOk(text.slice(at, m.index))) return false;
    at = m.index + m[0].length;
    const [, closing, name, , selfClosing] = m;
    if (name === undefined) continue; // comment or declaration
    if (closing) {
      if (stack.pop() !== name) return false;
    } else if (!selfClosing) stack.push(name);
  }
  return stack.length === 0 && textOk(text.slice(at));
}

function textOk(text: string): boolean {
  if (text.includes('<') || text.includes('>')) return false;
  return [...text.matchAll(/&([^;\s]*);?/g)].every((m) =>
    /^&(amp|lt|gt|quot|apos|#\d+|#x[\da-fA-F]+);$/.test(m[0]),
  );
}
