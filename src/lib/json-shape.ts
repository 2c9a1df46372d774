// A linear pre-scan of a JSON text against the input limits (performance), before it is parsed: nesting
// depth, one string's length and one container's item count. Everything after the parse (zod, the
// protocol bridge, JSON.stringify on the way upstream) recurses or copies per level and per item,
// so a body 10,000 levels deep or one string of 30 MB must stop here with a 400, never reach an
// upstream (where it would fail and cool a key every tenant shares). Text that is not valid JSON is
// left for JSON.parse to refuse.
import { InvalidRequestError } from '../errors/gateway-error';
import { MAX_ITEMS, MAX_JSON_DEPTH, MAX_STRING_CHARS } from './input-limits';

const QUOTE = 0x22;
const BACKSLASH = 0x5c;

export function checkJsonShape(text: string): void {
  const items: number[] = [];
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === QUOTE) {
      // Jump to the closing quote: the one not preceded by an odd run of backslashes.
      let end = i;
      for (;;) {
        end = text.indexOf('"', end + 1);
        if (end < 0) return;
        let slashes = 0;
        while (text.charCodeAt(end - 1 - slashes) === BACKSLASH) slashes++;
        if (slashes % 2 === 0) break;
      }
      if (end - i - 1 > MAX_STRING_CHARS) {
        throw new InvalidRequestError(
          'field_too_large',
          `A string in the request body is longer than ${MAX_STRING_CHARS} characters.`,
        );
      }
      i = end;
    } else if (c === 0x7b || c === 0x5b) {
      items.push(0);
      if (items.length > MAX_JSON_DEPTH) {
        throw new InvalidRequestError(
          'json_too_deep',
          `The request body nests arrays and objects deeper than ${MAX_JSON_DEPTH} levels.`,
        );
      }
    } else if (c === 0x7d || c === 0x5d) items.pop();
    else if (c === 0x2c && items.length > 0) {
      const n = (items[items.length - 1] as number) + 1;
      items[items.length - 1] = n;
      if (n >= MAX_ITEMS) {
        throw new InvalidRequestError(
          'field_too_large',
          `An array or object in the request body has more than ${MAX_ITEMS} items.`,
        );
      }
    }
  }
}
