// windows-1252, decoded here because Node 20's TextDecoder reads "windows-1252" (and every
// label WHATWG maps to it: latin1, iso-8859-1, us-ascii) as ISO-8859-1, turning the euro sign,
// curly quotes and dashes of 0x80-0x9F into C1 control characters.

// 0x80-0x9F; the five bytes windows-1252 leaves undefined map to the C1 control, as in WHATWG.
const C1 =
  '\u20ac\u0081\u201a\u0192\u201e\u2026\u2020\u2021\u02c6\u2030\u0160\u2039\u0152\u008d\u017d\u008f' +
  '\u0090\u2018\u2019\u201c\u201d\u2022\u2013\u2014\u02dc\u2122\u0161\u203a\u0153\u009d\u017e\u0178';
const C1_RE = /[\u0080-\u009f]/g;
const C1_TEST = /[\u0080-\u009f]/;

/**
 * Map C1 control characters to the windows-1252 characters they almost always stand for
 * (feedparser does this to every text value: "don\u0092t" -> "don’t").
 */
export function fixC1(text: string): string {
  if (!C1_TEST.test(text)) return text;
  return text.replace(C1_RE, (c) => C1[c.charCodeAt(0) - 0x80]);
}

/** Decode windows-1252 bytes (WHATWG mapping). */
export function decodeWindows1252(bytes: Uint8Array): string {
  return fixC1(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('latin1'));
}
