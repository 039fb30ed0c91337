// feedparser reports Python codec names; our model reports WHATWG names. When
// the encoding module exports its own mapping (pythonCodecName) it is used;
// otherwise this fallback, which needs the honoured label to tell e.g.
// us-ascii from windows-1252 (WHATWG folds both into windows-1252).
import * as encoding from '../../src/parse/encoding.ts';

type Namer = (...args: unknown[]) => unknown;

const exported = (encoding as Record<string, unknown>).pythonCodecName;
const helper: Namer | undefined = typeof exported === 'function' ? (exported as Namer) : undefined;

/** Source of the name, for the docs and the run header. */
export const codecSource = helper ? 'src/parse/encoding.ts pythonCodecName' : 'adapter fallback map';

const WHATWG_TO_PYTHON: Record<string, string> = {
  gbk: 'gb18030',
  'iso-8859-8-i': 'iso-8859-8',
  'x-mac-cyrillic': 'mac-cyrillic',
  'utf-16le': 'utf-16le',
  'utf-16be': 'utf-16be',
};

/** Labels feedparser itself rewrites. */
const LABEL_TO_PYTHON: Record<string, string> = { gb2312: 'gb18030', gbk: 'gb18030' };

/**
 * `decoded` is what `decode()` says about the same bytes and headers; it is only
 * trusted when it agrees with the encoding the parser reports.
 */
export function codecName(whatwg: string, decoded: encoding.Decoded | undefined): string {
  const used = whatwg.toLowerCase();
  const agrees = decoded !== undefined && decoded.encoding.toLowerCase() === used;
  if (helper && agrees) {
    try {
      const name = helper(decoded);
      if (typeof name === 'string' && name) return name;
    } catch {
      // fall through to the local map
    }
  }
  const label = agrees ? decoded.label : undefined;
  if (label) {
    const l = label.trim().toLowerCase().replace(/^["']|["']$/g, '');
    // A generic Unicode label says less than the decoder that was chosen (BOM, byte order).
    if (/^(utf-?(8|16|32)|ucs-?[24]|iso-10646-ucs-[24])$/.test(l)) return pythonUnicode(used);
    if (whatwgOf(l) === used || whatwgOf(l) === undefined) return LABEL_TO_PYTHON[l] ?? l;
  }
  return WHATWG_TO_PYTHON[used] ?? used;
}

function pythonUnicode(used: string): string {
  return used === 'utf-8' ? 'utf-8' : used;
}

function whatwgOf(label: string): string | undefined {
  try {
    return new TextDecoder(label).encoding;
  } catch {
    return undefined;
  }
}
