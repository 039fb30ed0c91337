// Reads a response body: undoes Content-Encoding and stops at the byte cap,
// counting DECOMPRESSED bytes, so a small gzip bomb cannot fill memory.
import type { Readable } from 'node:stream';
import { promisify } from 'node:util';
import zlib from 'node:zlib';
import { FetchFailure } from './errors.ts';

type Decode = (buf: Buffer, opts: zlib.ZlibOptions | zlib.BrotliOptions) => Promise<Buffer>;

const zstd = (zlib as unknown as { zstdDecompress?: (b: Buffer, o: object, cb: (e: Error | null, r: Buffer) => void) => void }).zstdDecompress;

/** What we advertise in Accept-Encoding. */
export const ACCEPT_ENCODING = zstd ? 'gzip, deflate, br, zstd' : 'gzip, deflate, br';

const gunzip = promisify(zlib.gunzip) as Decode;
const inflate = promisify(zlib.inflate) as Decode;
const inflateRaw = promisify(zlib.inflateRaw) as Decode;
const brotli = promisify(zlib.brotliDecompress) as Decode;
const unzstd = zstd ? (promisify(zstd) as unknown as Decode) : undefined;

/** "deflate" is zlib-wrapped per the RFC, but some servers send raw deflate: sniff the header. */
function isZlib(b: Buffer): boolean {
  return b.length >= 2 && (b[0] & 0x0f) === 8 && ((b[0] << 8) | b[1]) % 31 === 0;
}

function decoderFor(coding: string): (b: Buffer) => Decode {
  switch (coding) {
    case 'gzip':
    case 'x-gzip':
      return () => gunzip;
    case 'deflate':
      return (b) => (isZlib(b) ? inflate : inflateRaw);
    case 'br':
      return () => brotli;
    case 'zstd':
      if (unzstd) return () => unzstd;
  }
  throw new FetchFailure('other', `unsupported Content-Encoding: ${coding.slice(0, 40)}`);
}

/**
 * Collects `body` into one buffer. Both the bytes on the wire and the decoded
 * bytes are capped at `maxBytes`; over the cap → FetchFailure('too-large').
 * Decompression stops as soon as its output passes the cap (maxOutputLength).
 */
export async function readBody(body: Readable, contentEncoding: string | undefined, maxBytes: number, host: string): Promise<Uint8Array> {
  const codings = (contentEncoding ?? '').split(',').map((c) => c.trim().toLowerCase()).filter((c) => c && c !== 'identity');
  if (codings.length > 3) throw new FetchFailure('other', `too many Content-Encodings (${host})`);
  const decoders = codings.reverse().map(decoderFor);
  const tooLarge = () => new FetchFailure('too-large', `response larger than ${formatBytes(maxBytes)} (${host})`);
  const chunks: Buffer[] = [];
  let wire = 0;
  try {
    for await (const chunk of body as AsyncIterable<Buffer>) {
      wire += chunk.length;
      if (wire > maxBytes) throw tooLarge();
      chunks.push(chunk);
    }
  } catch (e) {
    body.on('error', () => {}).destroy();
    throw e;
  }
  let out = chunks.length === 1 ? chunks[0] : Buffer.concat(chunks, wire);
  for (const pick of decoders) {
    try {
      // Truncated streams are common on feeds: keep what decoded (sync flush).
      out = await pick(out)(out, { maxOutputLength: Math.max(maxBytes, 1), finishFlush: zlib.constants.Z_SYNC_FLUSH });
    } catch (e) {
      if ((e as { code?: string }).code === 'ERR_BUFFER_TOO_LARGE') throw tooLarge();
      throw e;
    }
  }
  return new Uint8Array(out.buffer, out.byteOffset, out.byteLength);
}

export function formatBytes(n: number): string {
  if (n >= 1024 * 1024 && n % (1024 * 1024) === 0) return `${n / 1024 / 1024} MiB`;
  if (n >= 1024 && n % 1024 === 0) return `${n / 1024} KiB`;
  return `${n} bytes`;
}
