// What changed between two versions of an item: a line diff of the HTML with
// every tag on a line of its own, so that an edited sentence shows as one line.

export type Op = { op: ' ' | '-' | '+' | '~'; line: string };

/** The HTML as lines: each tag alone, text runs trimmed, empty lines dropped. */
export function htmlLines(html: string): string[] {
  return html
    .split(/(<[^>]*>)/)
    .map((s) => s.replace(/\s+/g, ' ').trim())
    .filter((s) => s.length > 0);
}

/** Shortest edit script (Myers, O((N+M)·D)); for very different inputs, delete-all/insert-all beyond `maxD`. */
export function diffLines(a: readonly string[], b: readonly string[], maxD = 4000): Op[] {
  const n = a.length;
  const m = b.length;
  const max = Math.min(n + m, maxD);
  const off = max + 1;
  let v = new Int32Array(2 * max + 3);
  const trace: Int32Array[] = [];
  let found = -1;
  for (let d = 0; d <= max && found < 0; d++) {
    trace.push(v.slice());
    const nv = v.slice();
    for (let k = -d; k <= d; k += 2) {
      let x = k === -d || (k !== d && v[off + k - 1] < v[off + k + 1]) ? v[off + k + 1] : v[off + k - 1] + 1;
      let y = x - k;
      while (x < n && y < m && a[x] === b[y]) {
        x++;
        y++;
      }
      nv[off + k] = x;
      if (x >= n && y >= m) {
        found = d;
        break;
      }
    }
    v = nv;
  }
  if (found < 0) return [...a.map((line) => ({ op: '-' as const, line })), ...b.map((line) => ({ op: '+' as const, line }))];
  const ops: Op[] = [];
  let x = n;
  let y = m;
  for (let d = found; d > 0; d--) {
    const pv = trace[d];
    const k = x - y;
    const prevK = k === -d || (k !== d && pv[off + k - 1] < pv[off + k + 1]) ? k + 1 : k - 1;
    const px = pv[off + prevK];
    const py = px - prevK;
    while (x > px && y > py) ops.push({ op: ' ', line: a[--x] }), y--;
    if (x === px) ops.push({ op: '+', line: b[--y] });
    else ops.push({ op: '-', line: a[--x] });
  }
  while (x > 0 && y > 0) ops.push({ op: ' ', line: a[--x] }), y--;
  return ops.reverse();
}

export interface Version {
  title: string;
  url: string;
  html: string;
  /** When it was replaced (revisions) or last written (the current version). */
  time?: number;
}

/** Words for an inline diff: Latin words and numbers whole, any other character (a CJK one) alone. */
function words(s: string): string[] {
  return s.match(/[A-Za-z0-9\u00C0-\u024F'’.-]+|\s+|[^]/gu) ?? [];
}

/** One line showing both versions: removed text as [-…-], added text as {+…+}. */
export function inlineDiff(a: string, b: string): string {
  let out = '';
  let del = '';
  let add = '';
  const flush = (): void => {
    if (del) out += `[-${del}-]`;
    if (add) out += `{+${add}+}`;
    del = add = '';
  };
  for (const o of diffLines(words(a), words(b))) {
    if (o.op === '-') del += o.line;
    else if (o.op === '+') add += o.line;
    else {
      flush();
      out += o.line;
    }
  }
  flush();
  return out;
}

/** Pairs each run of removed lines with the added lines that follow, as inline diffs. */
function inline(ops: Op[]): Op[] {
  const out: Op[] = [];
  for (let i = 0; i < ops.length; ) {
    if (ops[i].op !== '-') {
      out.push(ops[i++]);
      continue;
    }
    let j = i;
    while (j < ops.length && ops[j].op === '-') j++;
    let k = j;
    while (k < ops.length && ops[k].op === '+') k++;
    const removed = ops.slice(i, j);
    const added = ops.slice(j, k);
    const n = Math.min(removed.length, added.length);
    for (let m = 0; m < n; m++) out.push({ op: '~' as Op['op'], line: inlineDiff(removed[m].line, added[m].line) });
    out.push(...removed.slice(n), ...added.slice(n));
    i = k;
  }
  return out;
}

/**
 * A readable unified diff of two versions: changed title and URL, then the HTML hunks
 * with `context` lines around. With `words`, a changed line is one `~` line marking
 * removed text [-so-] and added text {+so+}.
 */
export function diffVersions(from: Version, to: Version, context = 2, opts: { words?: boolean } = {}): string {
  const out: string[] = [];
  if (from.title !== to.title) {
    if (opts.words) out.push(`~ title: ${inlineDiff(from.title, to.title)}`);
    else out.push(`- title: ${from.title}`, `+ title: ${to.title}`);
  }
  if (from.url !== to.url) out.push(`- url: ${from.url}`, `+ url: ${to.url}`);
  let ops = diffLines(htmlLines(from.html), htmlLines(to.html));
  if (opts.words) ops = inline(ops);
  const keep = new Array<boolean>(ops.length).fill(false);
  ops.forEach((o, i) => {
    if (o.op === ' ') return;
    for (let j = Math.max(0, i - context); j <= Math.min(ops.length - 1, i + context); j++) keep[j] = true;
  });
  let gap = false;
  ops.forEach((o, i) => {
    if (!keep[i]) {
      gap = true;
      return;
    }
    if (gap && out.length) out.push('  …');
    gap = false;
    out.push(`${o.op} ${o.line}`);
  });
  if (gap && out.length) out.push('  …');
  if (!out.length) out.push('  (no visible change)');
  return out.join('\n') + '\n';
}
