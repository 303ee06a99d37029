// JSON request bodies have a nesting limit, checked on the text before it is parsed. No wire
// shape of ours nests more than a handful of levels, while a body of unknown fields nested
// thousands deep parses fine and then overflows the stack of whatever walks it next (storing,
// serialising, merging): a 500 on any route that keeps extra fields.
export const MAX_JSON_DEPTH = 64;

/** Whether objects and arrays in `text` nest deeper than `limit`. Brackets inside strings do not count. */
export function jsonNestsDeeperThan(text: string, limit: number): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c) i++; // backslash: skip the escaped character
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) {
      inString = true;
    } else if (c === 0x7b || c === 0x5b) {
      if (++depth > limit) return true;
    } else if (c === 0x7d || c === 0x5d) {
      depth--;
    }
  }
  return false;
}
