// A small strict XML 1.0 reader for the tests: it parses the JUnit documents the conformance kit
// writes back into a tree, and throws on anything not well-formed (unbalanced or mismatched tags,
// unquoted or duplicate attributes, a bare "<" or "&", unknown entities, characters XML forbids,
// text or a second element outside the root). No DTDs, namespaces or CDATA: our writer emits none.

export interface XmlElement {
  name: string;
  attributes: Record<string, string>;
  children: XmlElement[];
  text: string;
}

const NAME = /^[A-Za-z_][A-Za-z0-9_.:-]*/;
// eslint-disable-next-line no-control-regex
const FORBIDDEN = /[^\x09\x0a\x0d\x20-\ud7ff\ue000-\ufffd\u{10000}-\u{10ffff}]/u;

function decode(s: string, where: number): string {
  return s.replace(/&([^;]*);|&/g, (m, ent: string | undefined) => {
    if (ent === undefined) throw new Error(`bare "&" at ${where}`);
    switch (ent) {
      case "amp":
        return "&";
      case "lt":
        return "<";
      case "gt":
        return ">";
      case "quot":
        return '"';
      case "apos":
        return "'";
    }
    const num = /^#(?:x([0-9a-fA-F]+)|([0-9]+))$/.exec(ent);
    if (!num) throw new Error(`unknown entity &${ent}; at ${where}`);
    const cp = num[1] !== undefined ? parseInt(num[1], 16) : parseInt(num[2]!, 10);
    const ch = String.fromCodePoint(cp);
    if (FORBIDDEN.test(ch)) throw new Error(`character reference to a forbidden character &${ent}; at ${where}`);
    return ch;
  });
}

export function parseXml(doc: string): XmlElement {
  if (FORBIDDEN.test(doc)) throw new Error("the document holds a character XML 1.0 forbids");
  let i = 0;
  const ws = () => {
    while (i < doc.length && /\s/.test(doc[i]!)) i++;
  };
  if (doc.startsWith("<?xml")) {
    const end = doc.indexOf("?>");
    if (end < 0) throw new Error("unterminated XML declaration");
    i = end + 2;
  }
  ws();
  const stack: XmlElement[] = [];
  let root: XmlElement | undefined;
  while (i < doc.length) {
    if (doc[i] === "<") {
      if (doc.startsWith("</", i)) {
        const m = NAME.exec(doc.slice(i + 2));
        if (!m) throw new Error(`bad end tag at ${i}`);
        const top = stack.pop();
        if (!top || top.name !== m[0]) throw new Error(`end tag </${m[0]}> does not match <${top?.name ?? "nothing"}> at ${i}`);
        i += 2 + m[0].length;
        ws();
        if (doc[i] !== ">") throw new Error(`bad end tag at ${i}`);
        i++;
        if (stack.length === 0) {
          ws();
          if (i < doc.length) throw new Error(`content after the root element at ${i}`);
        }
        continue;
      }
      if (doc.startsWith("<!--", i)) {
        const end = doc.indexOf("-->", i);
        if (end < 0) throw new Error("unterminated comment");
        i = end + 3;
        continue;
      }
      const m = NAME.exec(doc.slice(i + 1));
      if (!m) throw new Error(`bad start tag at ${i}`);
      if (stack.length === 0 && root) throw new Error(`a second root element at ${i}`);
      const el: XmlElement = { name: m[0], attributes: {}, children: [], text: "" };
      i += 1 + m[0].length;
      for (;;) {
        const before = i;
        ws();
        if (doc.startsWith("/>", i)) {
          i += 2;
          if (stack.length) stack[stack.length - 1]!.children.push(el);
          else root = el;
          break;
        }
        if (doc[i] === ">") {
          i++;
          if (stack.length) stack[stack.length - 1]!.children.push(el);
          else root = el;
          stack.push(el);
          break;
        }
        if (i === before) throw new Error(`attributes must be separated by white space at ${i}`);
        const a = NAME.exec(doc.slice(i));
        if (!a) throw new Error(`bad attribute at ${i}`);
        i += a[0].length;
        ws();
        if (doc[i] !== "=") throw new Error(`attribute ${a[0]} without "=" at ${i}`);
        i++;
        ws();
        const q = doc[i];
        if (q !== '"' && q !== "'") throw new Error(`unquoted attribute ${a[0]} at ${i}`);
        const end = doc.indexOf(q, i + 1);
        if (end < 0) throw new Error(`unterminated attribute ${a[0]}`);
        const raw = doc.slice(i + 1, end);
        if (raw.includes("<")) throw new Error(`"<" in attribute ${a[0]} at ${i}`);
        if (a[0] in el.attributes) throw new Error(`duplicate attribute ${a[0]} at ${i}`);
        el.attributes[a[0]] = decode(raw, i);
        i = end + 1;
      }
      if (stack.length === 0) {
        ws();
        if (i < doc.length) throw new Error(`content after the root element at ${i}`);
      }
      continue;
    }
    const next = doc.indexOf("<", i);
    const raw = doc.slice(i, next < 0 ? doc.length : next);
    if (stack.length === 0) {
      if (raw.trim() !== "") throw new Error(`text outside the root element at ${i}`);
    } else stack[stack.length - 1]!.text += decode(raw, i);
    if (next < 0) break;
    i = next;
  }
  if (stack.length) throw new Error(`unclosed element <${stack[stack.length - 1]!.name}>`);
  if (!root) throw new Error("no root element");
  return root;
}

/** Every descendant element named `name`, depth first. */
export function findAll(el: XmlElement, name: string): XmlElement[] {
  const out: XmlElement[] = [];
  const walk = (e: XmlElement) => {
    for (const c of e.children) {
      if (c.name === name) out.push(c);
      walk(c);
    }
  };
  walk(el);
  return out;
}
