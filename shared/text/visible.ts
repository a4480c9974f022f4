/**
 * Everything Lantern shows comes from logs an attacker writes into. Control characters could drive a terminal,
 * and invisible format characters (bidi overrides, zero-width marks, the BOM) make a path read as something it
 * is not: `/invoice/\u202Egpj.exe` displays as `/invoice/exe.jpg`. Both are shown as visible code points instead.
 */
const INVISIBLE =
  // biome-ignore lint/suspicious/noControlCharactersInRegex: finding them is the point
  /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u00ad\u061c\u180e\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u206f\ufeff\ufff9-\ufffb]/g;

export function showInvisible(text: string): string {
  INVISIBLE.lastIndex = 0;
  if (!INVISIBLE.test(text)) return text;
  return text.replace(INVISIBLE, (c) => `<U+${c.charCodeAt(0).toString(16).toUpperCase().padStart(4, '0')}>`);
}
