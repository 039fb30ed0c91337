// Character encoding of an HTML page: BOM > HTTP charset > <meta charset> in the first 4 KiB >
// valid UTF-8 > windows-1252, as browsers do it. GBK/GB2312 pages are decoded as GB18030 (a superset).
import { isUtf8 } from 'node:buffer';

const META = /<meta[^>]+charset\s*=\s*["']?\s*([-\w.:]+)/i;

function label(name: string): string | undefined {
  const n = name.trim().toLowerCase();
  const mapped = n === 'gb2312' || n === 'gbk' || n === 'x-gbk' ? 'gb18030' : n;
  try { return new TextDecoder(mapped).encoding; } catch { return undefined; }
}

export function decodeHtml(bytes: Uint8Array, contentType?: string): { text: string; encoding: string } {
  let enc: string | undefined;
  let start = 0;
  if (bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) { enc = 'utf-8'; start = 3; }
  else if (bytes[0] === 0xff && bytes[1] === 0xfe) { enc = 'utf-16le'; start = 2; }
  else if (bytes[0] === 0xfe && bytes[1] === 0xff) { enc = 'utf-16be'; start = 2; }
  if (!enc && contentType) {
    const m = contentType.match(/charset\s*=\s*["']?([^"';\s]+)/i);
    if (m) enc = label(m[1]);
  }
  if (!enc) {
    const head = Buffer.from(bytes.subarray(0, 4096)).toString('latin1');
    const m = head.match(META);
    if (m) enc = label(m[1]);
    // A page saying utf-16 in ASCII bytes is not utf-16.
    if (enc?.startsWith('utf-16')) enc = 'utf-8';
  }
  if (!enc) enc = isUtf8(bytes) ? 'utf-8' : 'windows-1252';
  return { text: new TextDecoder(enc).decode(bytes.subarray(start)), encoding: enc };
}
