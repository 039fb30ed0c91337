// Reads a response body: undoes Content-Encoding and stops at the byte cap,
// counting DECOMPRESSED bytes, so a small gzip bomb cannot fill memory.
import { Transform, Writable, type Readable, type TransformCallback } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import zlib from 'node:zlib';
import { FetchFailure } from './errors.ts';

const hasZstd = typeof (zlib as { createZstdDecompress?: unknown }).createZstdDecompress === 'function';

/** What we advertise in Accept-Encoding. */
export const ACCEPT_ENCODING = hasZstd ? 'gzip, deflate, br, zstd' : 'gzip, deflate, br';

const lenient = { finishFlush: zlib.constants.Z_SYNC_FLUSH };

/** "deflate" is zlib-wrapped per the RFC, but some servers send raw deflate: sniff the header. */
class AutoInflate extends Transform {
  private inner: zlib.Inflate | zlib.InflateRaw | undefined;

  override _transform(chunk: Buffer, _enc: BufferEncoding, cb: TransformCallback): void {
    if (!this.inner) {
      const zlibHeader = chunk.length >= 2 && (chunk[0] & 0x0f) === 8 && ((chunk[0] << 8) | chunk[1]) % 31 === 0;
      this.inner = zlibHeader ? zlib.createInflate(lenient) : zlib.createInflateRaw(lenient);
      this.inner.on('data', (d: Buffer) => this.push(d));
      this.inner.on('error', (e) => this.destroy(e));
    }
    this.inner.write(chunk, () => cb());
  }

  override _flush(cb: TransformCallback): void {
    if (!this.inner) return cb();
    this.inner.once('end', () => cb());
    this.inner.end();
  }

  override _destroy(err: Error | null, cb: (error: Error | null) => void): void {
    this.inner?.destroy();
    cb(err);
  }
}

function decoder(coding: string): Transform | undefined {
  switch (coding) {
    case 'gzip':
    case 'x-gzip':
      return zlib.createGunzip(lenient);
    case 'deflate':
      return new AutoInflate();
    case 'br':
      return zlib.createBrotliDecompress();
    case 'zstd':
      if (hasZstd) return (zlib as unknown as { createZstdDecompress: () => Transform }).createZstdDecompress();
      break;
    case 'identity':
    case '':
      return undefined;
  }
  throw new FetchFailure('other', `unsupported Content-Encoding: ${coding.slice(0, 40)}`);
}

/**
 * Collects `body` into one buffer. Both the bytes on the wire and the decoded
 * bytes are capped at `maxBytes`; over the cap → FetchFailure('too-large').
 */
export async function readBody(body: Readable, contentEncoding: string | undefined, maxBytes: number, host: string): Promise<Uint8Array> {
  const codings = (contentEncoding ?? '').split(',').map((c) => c.trim().toLowerCase()).filter((c) => c && c !== 'identity');
  if (codings.length > 3) throw new FetchFailure('other', `too many Content-Encodings (${host})`);
  const stages = codings.reverse().map(decoder).filter((d): d is Transform => d !== undefined);
  const tooLarge = () => new FetchFailure('too-large', `response larger than ${formatBytes(maxBytes)} (${host})`);
  let wire = 0;
  const wireCounter = new Transform({
    transform(chunk: Buffer, _enc, cb) {
      wire += chunk.length;
      if (wire > maxBytes) return cb(tooLarge());
      cb(null, chunk);
    },
  });
  const chunks: Buffer[] = [];
  let total = 0;
  const sink = new Writable({
    write(chunk: Buffer, _enc, cb) {
      total += chunk.length;
      if (total > maxBytes) return cb(tooLarge());
      chunks.push(chunk);
      cb();
    },
  });
  await pipeline([body, wireCounter, ...stages, sink]);
  const out = Buffer.concat(chunks, total);
  return new Uint8Array(out.buffer, out.byteOffset, out.byteLength);
}

export function formatBytes(n: number): string {
  if (n >= 1024 * 1024 && n % (1024 * 1024) === 0) return `${n / 1024 / 1024} MiB`;
  if (n >= 1024 && n % 1024 === 0) return `${n / 1024} KiB`;
  return `${n} bytes`;
}
