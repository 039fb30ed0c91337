// OPML subscription lists. Real files are often not well-formed XML (a bare
// "&" in a title, whitespace before the declaration), so reading goes through
// htmlparser2's tolerant XML mode instead of a strict parser.
import { Parser } from 'htmlparser2';

export interface OpmlFeed {
  url: string;
  title?: string;
  htmlUrl?: string;
  /** Folder path, "/"-joined, from the enclosing outlines or the category attribute. */
  category?: string;
}

export interface OpmlDocument {
  title?: string;
  feeds: OpmlFeed[];
}

/** The charset from a BOM or the XML declaration; UTF-8 otherwise. */
function decodeXml(bytes: Uint8Array): string {
  if (bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) return new TextDecoder('utf-8').decode(bytes);
  if (bytes[0] === 0xff && bytes[1] === 0xfe) return new TextDecoder('utf-16le').decode(bytes);
  if (bytes[0] === 0xfe && bytes[1] === 0xff) return new TextDecoder('utf-16be').decode(bytes);
  const head = Buffer.from(bytes.subarray(0, 512)).toString('latin1');
  const label = /^\s*<\?xml[^>]*\bencoding\s*=\s*["']([\w.:-]+)["']/i.exec(head)?.[1];
  if (label && !/^utf-?16/i.test(label)) {
    try {
      return new TextDecoder(label).decode(bytes);
    } catch {
      // An unknown label: UTF-8 is the best guess.
    }
  }
  return new TextDecoder('utf-8').decode(bytes);
}

function clean(value: string | undefined): string | undefined {
  const v = value?.replace(/\s+/g, ' ').trim();
  return v ? v : undefined;
}

/** Reads every feed outline; throws if the document is not OPML at all. */
export function readOpml(input: Uint8Array | string): OpmlDocument {
  const text = typeof input === 'string' ? input : decodeXml(input);
  const feeds: OpmlFeed[] = [];
  // One entry per open outline: its folder name, or null for a feed outline.
  const stack: (string | null)[] = [];
  let sawOpml = false;
  let inHead = false;
  let inTitle = false;
  let title = '';
  const parser = new Parser(
    {
      onopentag(name, attribs) {
        const tag = name.toLowerCase();
        if (tag === 'opml') sawOpml = true;
        else if (tag === 'head') inHead = true;
        else if (tag === 'title' && inHead) inTitle = true;
        else if (tag === 'outline') {
          const attrs: Record<string, string> = {};
          for (const [k, v] of Object.entries(attribs)) attrs[k.toLowerCase()] = v;
          const url = clean(attrs.xmlurl);
          const name = clean(attrs.title) ?? clean(attrs.text);
          if (url) {
            const folders = stack.filter((s): s is string => !!s);
            let category = folders.length ? folders.join('/') : undefined;
            if (!category && attrs.category) {
              // OPML 2.0: comma-separated list of slash-delimited paths; the first is kept.
              category = clean(attrs.category.split(',')[0].replace(/^\/+|\/+$/g, ''));
            }
            feeds.push({ url, title: name, htmlUrl: clean(attrs.htmlurl), category });
            stack.push(null);
          } else {
            stack.push(name?.replace(/\//g, '-') ?? null);
          }
        }
      },
      ontext(data) {
        if (inTitle) title += data;
      },
      onclosetag(name) {
        const tag = name.toLowerCase();
        if (tag === 'outline') stack.pop();
        else if (tag === 'title') inTitle = false;
        else if (tag === 'head') inHead = false;
      },
    },
    { xmlMode: true, decodeEntities: true, recognizeSelfClosing: true },
  );
  parser.write(text);
  parser.end();
  if (!sawOpml) throw new Error('not an OPML document (no <opml> element)');
  return { title: clean(title), feeds };
}

function escapeAttr(s: string): string {
  return s
    // Characters XML 1.0 cannot carry at all.
    .replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]/g, '')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/\t/g, '&#9;')
    .replace(/\n/g, '&#10;')
    .replace(/\r/g, '&#13;');
}

interface Folder {
  feeds: OpmlFeed[];
  folders: Map<string, Folder>;
}

/** OPML 2.0 with one nested outline per category path segment. */
export function writeOpml(doc: OpmlDocument, now = new Date()): string {
  const root: Folder = { feeds: [], folders: new Map() };
  for (const feed of doc.feeds) {
    let folder = root;
    for (const part of (feed.category ?? '').split('/').map((p) => p.trim()).filter(Boolean)) {
      let next = folder.folders.get(part);
      if (!next) folder.folders.set(part, (next = { feeds: [], folders: new Map() }));
      folder = next;
    }
    folder.feeds.push(feed);
  }
  const out: string[] = [
    '<?xml version="1.0" encoding="UTF-8"?>',
    '<opml version="2.0">',
    '  <head>',
    `    <title>${escapeAttr(doc.title ?? 'feedmirror subscriptions')}</title>`,
    `    <dateCreated>${now.toUTCString()}</dateCreated>`,
    '  </head>',
    '  <body>',
  ];
  const emit = (folder: Folder, indent: string): void => {
    for (const f of folder.feeds) {
      const name = escapeAttr(f.title ?? f.url);
      const html = f.htmlUrl ? ` htmlUrl="${escapeAttr(f.htmlUrl)}"` : '';
      out.push(`${indent}<outline type="rss" text="${name}" title="${name}" xmlUrl="${escapeAttr(f.url)}"${html}/>`);
    }
    for (const [name, sub] of folder.folders) {
      out.push(`${indent}<outline text="${escapeAttr(name)}" title="${escapeAttr(name)}">`);
      emit(sub, indent + '  ');
      out.push(`${indent}</outline>`);
    }
  };
  emit(root, '    ');
  out.push('  </body>', '</opml>', '');
  return out.join('\n');
}
