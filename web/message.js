// The one sanitiser every message JavaScript writes passes (the same rules as src/shared/message.c):
// a value a user gave us is quoted through quote(), and a finished line through cleanLine(), so
// a message is one line of bounded length that cannot drive the terminal.

/** A quoted value keeps at most this many UTF-8 bytes; a longer one is cut, its length given. */
export const QUOTE_KEEP = 64;

// C0 controls, DEL and C1 controls (U+0080..U+009F), which some terminals also obey.
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/g;

/**
 * Every control character becomes '?'.
 * @param {string} line
 * @returns {string}
 */
export function cleanLine(line) {
  return String(line).replace(CONTROL, '?');
}

/**
 * A value made fit to quote in a message: cleaned, and when longer than QUOTE_KEEP bytes of
 * UTF-8 cut at a character boundary with "... (N bytes)".
 * @param {unknown} value
 * @returns {string}
 */
export function quote(value) {
  const text = String(value);
  const bytes = new TextEncoder().encode(text);
  if (bytes.length <= QUOTE_KEEP) return cleanLine(text);
  let keep = QUOTE_KEEP;
  while (keep > 0 && (bytes[keep] & 0xc0) === 0x80) keep--;
  const head = new TextDecoder().decode(bytes.subarray(0, keep));
  return `${cleanLine(head)}... (${bytes.length} bytes)`;
}
