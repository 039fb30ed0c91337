// Builds the Feed model from the scanner's events, for RSS 0.9x/1.0/2.0 and Atom 0.3/1.0.
// Elements are matched on namespace URI (any prefix), and the document is read as a person
// would read it: mismatched or missing end tags close what they must, and every item seen is kept.
import type { Category, ExtElement, Feed, Format, Image, Item, Link, Media, Person, Source, Text, TextType } from './model.ts';
import type { Attr, XmlHandler } from './xml.ts';
import { DocEntities, decodeEntities, readDoctype, type EntityContext } from './entities.ts';
import { ATOM03, ATOM10, RSS090, XHTML, knownPrefix, namespaceUri } from './namespaces.ts';
import { resolveHtmlUrls, resolveUrl } from './url.ts';
import { parseDate, parsePeriod } from './date.ts';
import { fixC1 } from './cp1252.ts';
import { parsePerson } from './people.ts';
import { decodeText, decoded } from './utf8.ts';

type Kind =
  | 'doc' | 'root' | 'channel' | 'item' | 'image' | 'textinput' | 'source' | 'person'
  | 'skiphours' | 'skipdays' | 'mediagroup' | 'text' | 'ext' | 'skip'
  /** An element around the feed (a feed served inside <html><body>): its children may be the root. */
  | 'wrapper';

type Target = Feed | Item;

interface TextCapture {
  parts: string[];
  /** Parallel to parts: true where the part is serialized markup rather than decoded text. */
  markup: boolean[] | null;
  type: TextType;
  mode?: string;
  /** Child elements open inside a text construct (shared empty array until markup appears). */
  open: OpenMarkup[];
  /** Default namespace in scope where the text construct starts. */
  outerNs: string;
  plain: boolean;
  /** Whether the parts may hold control or C1 characters (unknown counts as yes). */
  odd: boolean;
  /** Atom 1.0 type="xhtml": the content is wrapped in one xhtml div that is not part of it. */
  wrapped: boolean;
  mime?: string;
}

interface OpenMarkup {
  qname: string;
  /** Namespace URI of the element. */
  ns: string;
  /** The name it is written with. */
  out: string;
  decl: Map<string, string> | undefined;
}

const NO_MARKUP: OpenMarkup[] = [];

interface Frame {
  qname: string;
  key: string;
  kind: Kind;
  base?: string;
  lang?: string;
  ns?: Map<string, string>;
  attrs: Attr[];
  text?: TextCapture;
  ext?: ExtElement;
  item?: Item;
  image?: Image;
  textInput?: Record<string, string>;
  source?: Source & { target: Item };
  person?: Person & { role: string };
  media?: Media[];
}

const MAX_EXT_DEPTH = 24;
const ITUNES_SCHEME = 'http://www.itunes.com/';
const MAX_STACK = 4096;
const MAX_MATCH = 1024;

// Text constructs: element key → default type. Keys are 'prefix:local' with conventional
// prefixes, or the bare local name for the feed format's own elements.
const textTypes: Record<string, TextType> = {
  title: 'text', description: 'html', summary: 'text', subtitle: 'text', tagline: 'text', info: 'text',
  rights: 'text', copyright: 'text', content: 'text', 'content:encoded': 'html', 'xhtml:body': 'xhtml',
  'xhtml:div': 'xhtml', body: 'xhtml', fullitem: 'html', 'itunes:summary': 'text', 'itunes:subtitle': 'text',
  'dc:rights': 'text', 'dc:title': 'text', 'dc:description': 'html', 'media:description': 'text', 'media:title': 'text',
};

function newItem(): Item {
  return {
    links: [], content: [], authors: [], contributors: [], categories: [], enclosures: [],
    media: [], thumbnails: [], itunes: {}, ext: [],
  };
}

export function newFeed(encoding: string): Feed {
  return {
    format: 'unknown', encoding, bozo: false, errors: [], links: [], authors: [], contributors: [],
    categories: [], skipHours: [], skipDays: [], itunes: {}, ext: [], items: [],
  };
}

function attr(attrs: Attr[], name: string): string | undefined {
  for (let i = 0; i < attrs.length; i++) if (attrs[i]!.name === name) return attrs[i]!.value;
  return undefined;
}

/** Attribute by local name, ignoring any prefix (rdf:about, about). */
function attrLocal(attrs: Attr[], local: string): string | undefined {
  for (const a of attrs) {
    const n = a.name;
    if (n === local || (n.endsWith(':' + local) && !n.startsWith('xmlns'))) return a.value;
  }
  return undefined;
}

function escapeText(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

function escapeAttr(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

const voidElements = new Set(['area', 'base', 'br', 'col', 'embed', 'hr', 'img', 'input', 'link', 'meta', 'param', 'source', 'track', 'wbr']);

// Control characters XML forbids; feeds contain them, readers never want them.
const controlRe = /[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]/g;
/** Control or C1 characters: one scan decides whether a value needs the slow path. */
const oddRe = /[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]/;

function textTypeOf(type: string | undefined, mode: string | undefined, def: TextType): { type: TextType; mime?: string } {
  if (!type) return { type: def };
  const t = type.trim().toLowerCase();
  if (t === 'text' || t === 'text/plain') return { type: 'text' };
  if (t === 'html' || t === 'text/html') return { type: 'html' };
  if (t === 'xhtml' || t === 'application/xhtml+xml') return { type: 'xhtml' };
  if (t.endsWith('+xml') || t.endsWith('/xml')) return { type: 'xhtml', mime: t };
  if (t.startsWith('text/')) return { type: 'text', mime: t };
  return { type: mode === 'base64' ? 'text' : def, mime: t };
}

export class Builder implements XmlHandler, EntityContext {
  readonly feed: Feed;
  private readonly buf: Buffer;
  private readonly stack: Frame[];
  private readonly entities = new DocEntities();
  readonly doc = this.entities;
  private readonly seenProblems = new Set<string>();
  private format: Format = 'unknown';
  private atom = false;
  private rootSeen = false;
  private rootClosed = false;
  private channelSeen = false;
  private problemPos = -1;

  private readonly docBase: string | undefined;

  constructor(
    buf: Buffer,
    feed: Feed,
    base: string | undefined,
    lang: string | undefined,
    private readonly resolveHtml = true,
    /** The bytes are known to be valid UTF-8 (the decoder's output is). */
    private readonly valid = false,
  ) {
    this.buf = buf;
    this.feed = feed;
    this.docBase = base;
    this.stack = [{ qname: '', key: '', kind: 'doc', base, lang, attrs: [] }];
  }

  // ---- problems -------------------------------------------------------------------------

  problem(message: string, pos?: number): void {
    if (pos !== undefined) this.problemPos = pos;
    if (this.seenProblems.has(message)) return;
    this.seenProblems.add(message);
    if (this.seenProblems.size > 50) return;
    const where = this.problemPos >= 0 ? ` at ${this.position(this.problemPos)}` : '';
    this.feed.errors.push(message + where);
  }

  private position(pos: number): string {
    // Line numbers cost a scan of the prefix; problems are few.
    let line = 1;
    let last = -1;
    let i = this.buf.indexOf(0x0a, 0);
    while (i !== -1 && i < pos) {
      line++;
      last = i;
      i = this.buf.indexOf(0x0a, i + 1);
    }
    return `line ${line}, column ${pos - last}`;
  }

  attrValue(raw: string): string {
    return decodeEntities(raw, this);
  }

  doctype(decl: string): void {
    if (/netscape/i.test(decl) && /rss/i.test(decl)) this.netscape = true;
    if (decl.indexOf('[') !== -1) readDoctype(decl, this.entities, this);
  }
  private netscape = false;
  private rootName = '';

  // ---- character data ---------------------------------------------------------------------

  text(start: number, end: number): void {
    const top = this.stack[this.stack.length - 1]!;
    if (top.kind === 'text' || top.kind === 'ext') {
      this.append(top, decodeText(this.buf, start, end, this, this.valid), decoded.odd);
    } else if (top.kind === 'doc') {
      if (this.hasNonSpace(start, end)) {
        this.problem(this.rootSeen ? 'text after the root element' : 'text before the root element', start);
      }
    }
  }

  cdata(start: number, end: number): void {
    const top = this.stack[this.stack.length - 1]!;
    if (top.kind === 'text' || top.kind === 'ext') this.append(top, decodeText(this.buf, start, end, null, this.valid), decoded.odd);
  }

  private hasNonSpace(start: number, end: number): boolean {
    for (let i = start; i < end; i++) {
      const c = this.buf[i]!;
      if (c !== 0x20 && c !== 0x0a && c !== 0x0d && c !== 0x09) return true;
    }
    return false;
  }

  private append(f: Frame, s: string, odd: boolean): void {
    if (f.kind === 'ext') {
      f.ext!.value += s;
      return;
    }
    const t = f.text!;
    if (odd) t.odd = true;
    t.parts.push(s);
    if (t.markup) t.markup.push(false);
  }

  // ---- elements ---------------------------------------------------------------------------

  start(qname: string, attrs: Attr[], selfClosing: boolean, pos: number): void {
    const parent = this.stack[this.stack.length - 1]!;
    if (parent.kind === 'text') {
      this.markupStart(parent, qname, attrs, selfClosing);
      return;
    }
    if (this.stack.length >= MAX_STACK) {
      this.problem('elements nested too deeply', pos);
      if (!selfClosing) this.pushFrame({ qname, key: '', kind: 'skip', attrs: [] });
      return;
    }
    let ns: Map<string, string> | undefined;
    for (let i = 0; i < attrs.length; i++) {
      const n = attrs[i]!.name;
      if (n.charCodeAt(0) === 0x78 && (n === 'xmlns' || n.startsWith('xmlns:'))) {
        ns ??= new Map();
        ns.set(n === 'xmlns' ? '' : n.slice(6), attrs[i]!.value.trim());
      }
    }
    let name = this.names.get(qname);
    if (name === undefined) {
      const colon = qname.indexOf(':');
      const local = colon === -1 ? qname : qname.slice(colon + 1);
      // Element names are matched case-insensitively: feeds write pubDate, pubdate and PUBDATE.
      name = { prefix: colon === -1 ? '' : qname.slice(0, colon), local, lname: local.toLowerCase(), key: '', uri: undefined, atom: false, known: false };
      if (this.names.size < 4096) this.names.set(qname, name);
    }
    const { prefix, local, lname } = name;
    const uri = this.lookupNs(prefix, ns);
    let key: string;
    if (uri === undefined && prefix) this.problem(`undeclared namespace prefix "${prefix}"`, pos);
    if (name.known && name.uri === uri && name.atom === this.atom) key = name.key;
    else {
      if (uri === undefined) {
        // Undeclared prefix: read it by its conventional meaning when it has one.
        key = prefix ? `${prefix.toLowerCase()}:${lname}` : lname;
      } else {
        const known = knownPrefix(uri);
        if (known === '' || !prefix && known === undefined) key = lname;
        else if (known === 'atom') key = this.atom ? lname : 'atom:' + lname;
        else if (known !== undefined) key = known + ':' + lname;
        else key = `${prefix.toLowerCase()}:${lname}`;
      }
      name.key = key;
      name.uri = uri;
      name.atom = this.atom;
      name.known = true;
    }
    const frame: Frame = { qname, key, kind: 'skip', attrs, ns, base: parent.base, lang: parent.lang };
    if (attrs.length) {
      const b = attr(attrs, 'xml:base');
      if (b !== undefined && safeBase(b)) frame.base = resolveUrl(parent.base, b);
      const l = attr(attrs, 'xml:lang');
      if (l !== undefined) frame.lang = l.trim().replace(/_/g, '-') || undefined;
    }
    if (!this.rootSeen) {
      this.rootSeen = true;
      this.rootName = qname;
      this.startRoot(frame, local, uri ?? '');
    } else if (parent.kind === 'doc') {
      this.problem('content after the root element', pos);
      frame.kind = 'skip';
    } else this.dispatch(parent, frame, pos);
    if (selfClosing) this.finish(frame);
    else this.pushFrame(frame);
  }

  // Per element name: its parts, and the key last made of it under which namespace URI.
  private readonly names = new Map<string, { prefix: string; local: string; lname: string; key: string; uri: string | undefined; atom: boolean; known: boolean }>();

  // Namespace scopes as one stack per prefix, so a lookup costs the same at any depth.
  private readonly scopes = new Map<string, string[]>();

  private declare(decl: Map<string, string>): void {
    for (const [p, u] of decl) {
      let st = this.scopes.get(p);
      if (!st) this.scopes.set(p, (st = []));
      st.push(u);
    }
  }

  private undeclare(decl: Map<string, string>): void {
    for (const p of decl.keys()) this.scopes.get(p)?.pop();
  }

  private pushFrame(f: Frame): void {
    if (f.ns) this.declare(f.ns);
    this.stack.push(f);
  }

  private popFrame(): Frame {
    const f = this.stack.pop()!;
    if (f.kind === 'text') while (f.text!.open.length) this.closeMarkup(f.text!);
    if (f.ns) this.undeclare(f.ns);
    return f;
  }

  private lookupNs(prefix: string, own: Map<string, string> | undefined): string | undefined {
    if (prefix === 'xml') return 'http://www.w3.org/XML/1998/namespace';
    const v = own?.get(prefix);
    if (v !== undefined) return v;
    const st = this.scopes.get(prefix);
    if (st && st.length) return st[st.length - 1];
    return prefix === '' ? '' : undefined;
  }

  private startRoot(frame: Frame, local: string, uri: string): void {
    const name = local.toLowerCase();
    const feed = this.feed;
    frame.kind = 'root';
    if (name === 'rss') {
      const v = (attr(frame.attrs, 'version') ?? '').trim();
      feed.version = v || undefined;
      this.format =
        v === '2.0' || v === '2' ? 'rss20' :
        v === '0.91' ? (this.netscape ? 'rss091n' : 'rss091u') :
        v === '0.92' ? 'rss092' : v === '0.93' ? 'rss093' : v === '0.94' ? 'rss094' :
        v.startsWith('2.') ? 'rss20' : 'rss';
    } else if (name === 'rdf') {
      this.format = 'rss10';
      const def = frame.ns?.get('');
      if (def === RSS090 || (def === undefined && /my\.netscape\.com\/rdf\/simple\/0\.9/.test(this.nsDeclared(frame)))) this.format = 'rss090';
      feed.version = this.format === 'rss090' ? '0.90' : '1.0';
    } else if (name === 'feed') {
      this.atom = true;
      const v = attr(frame.attrs, 'version');
      if (uri === ATOM10) this.format = 'atom10';
      else if (uri === ATOM03 || v === '0.3') this.format = 'atom03';
      else this.format = v === '1.0' ? 'atom10' : 'atom';
      feed.version = this.format === 'atom10' ? '1.0' : this.format === 'atom03' ? '0.3' : v;
      frame.kind = 'channel';
      this.channelSeen = true;
      this.frameLang(frame);
    } else if (name === 'channel') {
      // A bare channel without <rss> around it, as some old feeds have.
      this.format = 'rss';
      frame.kind = 'channel';
      this.channelSeen = true;
    } else if (this.format === 'unknown') {
      // Not a feed root: look inside it, as readers do for feeds wrapped in HTML.
      frame.kind = 'wrapper';
      return;
    } else frame.kind = 'skip';
    feed.format = this.format;
  }

  private nsDeclared(frame: Frame): string {
    return frame.ns ? [...frame.ns.values()].join(' ') : '';
  }

  private frameLang(frame: Frame): void {
    if (frame.lang && !this.feed.lang) this.feed.lang = frame.lang;
  }

  private target(parent: Frame): Target {
    return parent.kind === 'item' ? parent.item! : this.feed;
  }

  private dispatch(parent: Frame, f: Frame, pos: number): void {
    const key = f.key;
    switch (parent.kind) {
      case 'wrapper': {
        const colon = f.qname.indexOf(':');
        this.startRoot(f, colon === -1 ? f.qname : f.qname.slice(colon + 1), this.lookupNs(colon === -1 ? '' : f.qname.slice(0, colon), f.ns) ?? '');
        if (f.kind !== 'wrapper' && f.kind !== 'skip') this.problem(`the feed is wrapped in <${this.stack[1]?.qname ?? parent.qname}>`, pos);
        return;
      }
      case 'root':
        if (key === 'channel') {
          f.kind = 'channel';
          this.channelSeen = true;
          return;
        }
        if (key === 'item' || key === 'entry') return this.startItem(f);
        if (key === 'image') return this.startImage(f);
        if (key === 'textinput') return this.startTextInput(f);
        // Anything else beside the channel (RSS 1.0) belongs to no item or channel.
        f.kind = 'skip';
        return;
      case 'channel':
        if (key === 'item' || key === 'entry') return this.startItem(f);
        return this.startChild(parent, f, this.feed);
      case 'item':
        return this.startChild(parent, f, parent.item!);
      case 'image':
      case 'textinput':
      case 'skiphours':
      case 'skipdays':
        f.kind = 'text';
        f.text = this.capture('text', f, true);
        return;
      case 'person':
        f.kind = 'text';
        f.text = this.capture('text', f, true);
        return;
      case 'source':
        return this.startSourceChild(parent, f);
      case 'mediagroup':
        return this.startMedia(parent, f, parent.media!);
      case 'ext':
        return this.startExt(parent, f);
      default:
        f.kind = 'skip';
    }
  }

  private startItem(f: Frame): void {
    f.kind = 'item';
    const item = newItem();
    f.item = item;
    const about = attrLocal(f.attrs, 'about');
    if (about !== undefined && !this.atom) item.guid = about.trim();
    if (f.lang) item.lang = f.lang;
    this.feed.items.push(item);
  }

  private startImage(f: Frame): void {
    f.kind = 'image';
    f.image = this.feed.image ?? {};
    this.feed.image = f.image;
  }

  private startTextInput(f: Frame): void {
    f.kind = 'textinput';
    f.textInput = {};
  }

  private capture(def: TextType, f?: Frame, plain = false): TextCapture {
    let type = def;
    let mode: string | undefined;
    let mime: string | undefined;
    if (f && f.attrs.length && !plain) {
      mode = attr(f.attrs, 'mode');
      const r = textTypeOf(attr(f.attrs, 'type'), mode, def);
      type = r.type;
      mime = r.mime;
    }
    const wrapped = !!f && type === 'xhtml' && (this.format === 'atom10' || attr(f.attrs, 'type')?.trim().toLowerCase() === 'xhtml');
    const t: TextCapture = { parts: [], markup: null, type, mode, open: NO_MARKUP, outerNs: '', plain, wrapped, odd: false };
    if (mime) t.mime = mime;
    if (f) t.outerNs = this.lookupNs('', f.ns) ?? '';
    return t;
  }

  private startText(f: Frame, def: TextType): void {
    f.kind = 'text';
    f.text = this.capture(def, f);
  }

  private startChild(parent: Frame, f: Frame, target: Target): void {
    if (f.key.startsWith('atom:') && atomInRss.has(f.key)) {
      // Atom elements inside RSS mean what they mean in Atom; they are kept raw as well.
      this.addExt(parent, f, target);
      const ext = f.ext;
      f.key = f.key.slice(5);
      this.startChild(parent, f, target);
      if (ext && !f.ext) f.ext = ext;
      return;
    }
    const key = f.key;
    const isItem = parent.kind === 'item';
    switch (key) {
      case 'image':
        if (!isItem && !this.atom) return this.startImage(f);
        break;
      case 'textinput':
        if (!isItem) return this.startTextInput(f);
        break;
      case 'skiphours':
        if (!isItem) { f.kind = 'skiphours'; return; }
        break;
      case 'skipdays':
        if (!isItem) { f.kind = 'skipdays'; return; }
        break;
      case 'author':
      case 'contributor':
        if (this.atom) {
          f.kind = 'person';
          f.person = { role: key };
          return;
        }
        break;
      case 'atom:author':
      case 'atom:contributor':
        f.kind = 'person';
        f.person = { role: key.slice(5) };
        return;
      case 'source':
        if (isItem && this.atom) {
          f.kind = 'source';
          f.source = { target: parent.item!, links: [], authors: [] };
          return;
        }
        break;
      case 'itunes:owner':
        f.kind = 'person';
        f.person = { role: 'owner' };
        this.addExt(parent, f, target);
        return;
      case 'itunes:category':
        this.itunesCategory(f, target);
        this.startExt(parent, f, target);
        return;
      case 'media:group':
        f.kind = 'mediagroup';
        f.media = isItem ? parent.item!.media : [];
        this.addExt(parent, f, target);
        return;
      case 'media:content':
      case 'media:thumbnail':
        if (isItem) {
          this.startMedia(parent, f, parent.item!.media);
          return;
        }
        this.channelMedia(f);
        break;
    }
    if (key in textTypes || this.isTextKey(key)) {
      this.startText(f, textTypes[key] ?? 'text');
      if (key !== 'content:encoded' && key.indexOf(':') !== -1 && !key.startsWith('atom:')) this.addExt(parent, f, target);
      return;
    }
    this.startExt(parent, f, target);
  }

  /** Elements whose value is text we map: everything in `finishText`'s tables. */
  private isTextKey(key: string): boolean {
    return simpleKeys.has(key);
  }

  private itunesCategory(f: Frame, target: Target): void {
    const text = attr(f.attrs, 'text')?.trim();
    if (text && !target.categories.some((c) => c.term === text && c.scheme === ITUNES_SCHEME)) {
      target.categories.push({ term: text, scheme: ITUNES_SCHEME });
    }
  }

  /** The raw extension element for a frame: namespace, prefix as written, attributes. */
  private extOf(f: Frame): ExtElement {
    const colon = f.qname.indexOf(':');
    const ext: ExtElement = {
      ns: canonicalNs(this.lookupNs(colon === -1 ? '' : f.qname.slice(0, colon), f.ns) ?? ''),
      prefix: colon === -1 ? '' : f.qname.slice(0, colon),
      name: colon === -1 ? f.qname : f.qname.slice(colon + 1),
      attrs: {},
      value: '',
      children: [],
    };
    for (const a of f.attrs) if (!a.name.startsWith('xmlns')) ext.attrs[a.name] = a.value;
    return ext;
  }

  private startExt(parent: Frame, f: Frame, target?: Target): void {
    if (parent.kind === 'ext' && f.key === 'itunes:category') this.itunesCategory(f, this.nearestItem() ?? this.feed);
    f.kind = 'ext';
    const ext = this.extOf(f);
    f.ext = ext;
    if (parent.kind === 'ext') {
      if (this.extDepth() > MAX_EXT_DEPTH) {
        f.kind = 'skip';
        return;
      }
      parent.ext!.children.push(ext);
    } else if (parent.kind !== 'root' || target) (target ?? this.target(parent)).ext.push(ext);
    else this.feed.ext.push(ext);
  }

  private addExt(parent: Frame, f: Frame, target: Target): void {
    // Known-module elements are also kept raw, for consumers that want the whole extension.
    const ext = this.extOf(f);
    f.ext = ext;
    target.ext.push(ext);
    void parent;
  }

  private extDepth(): number {
    let d = 0;
    for (let i = this.stack.length - 1; i >= 0 && this.stack[i]!.kind === 'ext'; i--) d++;
    return d;
  }

  private startMedia(parent: Frame, f: Frame, into: Media[]): void {
    const key = f.key;
    const item = this.nearestItem();
    if (key === 'media:content' || key === 'media:thumbnail') {
      const attrs: Record<string, string> = {};
      for (const a of f.attrs) if (!a.name.startsWith('xmlns')) attrs[a.name] = a.value;
      const m: Media = { attrs };
      if (attrs.url !== undefined) m.url = resolveUrl(f.base, attrs.url);
      if (attrs.type) m.type = attrs.type;
      if (attrs.medium) m.medium = attrs.medium;
      if (attrs.width) m.width = attrs.width;
      if (attrs.height) m.height = attrs.height;
      if (attrs.fileSize) m.fileSize = attrs.fileSize;
      if (attrs.duration) m.duration = attrs.duration;
      if (key === 'media:thumbnail') item?.thumbnails.push(m);
      else into.push(m);
    }
    // Children of media:group are kept under the group's raw element.
    if (parent.kind === 'mediagroup') this.startExt({ ...parent, kind: 'ext' }, f);
    else this.startExt(parent, f, item ?? this.feed);
  }

  /** A channel-level media thumbnail or image is the feed's image when it has no other. */
  private channelMedia(f: Frame): void {
    const url = attr(f.attrs, 'url');
    if (!url) return;
    const medium = attr(f.attrs, 'medium');
    const type = attr(f.attrs, 'type');
    if (f.key === 'media:thumbnail' || medium === 'image' || type?.startsWith('image/')) {
      this.feed.image ??= {};
      this.feed.image.url ??= resolveUrl(f.base, url);
    }
  }

  private nearestItem(): Item | undefined {
    for (let i = this.stack.length - 1; i >= 0; i--) if (this.stack[i]!.kind === 'item') return this.stack[i]!.item;
    return undefined;
  }

  private startSourceChild(parent: Frame, f: Frame): void {
    const key = f.key;
    if (key === 'author' || key === 'contributor') {
      f.kind = 'person';
      f.person = { role: 'source-' + key };
      return;
    }
    if (key === 'link') {
      f.kind = 'text';
      f.text = this.capture('text', f, true);
      return;
    }
    this.startText(f, 'text');
    void parent;
  }

  // ---- markup inside text constructs ------------------------------------------------------

  private markupStart(f: Frame, qname: string, attrs: Attr[], selfClosing: boolean): void {
    const t = f.text!;
    const colon = qname.indexOf(':');
    let decl: Map<string, string> | undefined;
    for (const a of attrs) {
      if (a.name === 'xmlns' || a.name.startsWith('xmlns:')) (decl ??= new Map()).set(a.name === 'xmlns' ? '' : a.name.slice(6), a.value);
    }
    const declared = (p: string): string | undefined => this.lookupNs(p, decl);
    const uri = declared(colon === -1 ? '' : qname.slice(0, colon)) ?? '';
    const outer = t.open.length ? t.open[t.open.length - 1]!.ns : t.outerNs;
    // Prefixed SVG/MathML/XHTML elements are written unprefixed, with their namespace declared
    // where it changes, which is how HTML consumers understand them.
    const name = colon !== -1 && uri ? qname.slice(colon + 1) : qname;
    const out: Attr[] = [];
    for (const a of attrs) {
      if (a.name === 'xmlns' || a.name.startsWith('xmlns:')) continue;
      out.push(a);
      const ac = a.name.indexOf(':');
      if (ac > 0) {
        const p = a.name.slice(0, ac);
        const u = p === 'xml' ? undefined : declared(p);
        if (u && !out.some((o) => o.name === 'xmlns:' + p)) out.push({ name: 'xmlns:' + p, value: u });
      }
    }
    if (uri && uri !== outer && uri !== XHTML) out.push({ name: 'xmlns', value: uri });
    if (out.length > 1) out.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    let s = '<' + name;
    for (const a of out) s += ` ${a.name}="${escapeAttr(a.value)}"`;
    if (selfClosing) s += voidElements.has(name.toLowerCase()) ? ' />' : `></${name}>`;
    else {
      s += '>';
      if (t.open === NO_MARKUP) t.open = [];
      t.open.push({ qname, ns: uri || outer, out: name, decl });
      if (decl) this.declare(decl);
    }
    if (!t.markup) t.markup = t.parts.map(() => false);
    t.parts.push(s);
    t.markup.push(true);
    t.odd = true;
  }

  // ---- end tags ---------------------------------------------------------------------------

  end(qname: string, pos: number): void {
    const top = this.stack[this.stack.length - 1]!;
    if (top.kind === 'text' && top.text!.open.length) {
      const t = top.text!;
      const idx = lastIndexWithin(t.open, qname, MAX_MATCH);
      if (idx === -1) {
        if (qname === top.qname) {
          // Close what the markup left open, then the text element itself.
          this.problem(`unclosed <${t.open[t.open.length - 1]!.qname}> in <${top.qname}>`, pos);
          while (t.open.length) this.closeMarkup(t);
        } else {
          this.problem(`unexpected </${qname}> in <${top.qname}>`, pos);
          return;
        }
      } else {
        if (idx !== t.open.length - 1) this.problem(`mismatched </${qname}>`, pos);
        while (t.open.length > idx) this.closeMarkup(t);
        return;
      }
    }
    if (top.qname === qname && this.stack.length > 1) {
      this.popFrame();
      this.finish(top);
      return;
    }
    // Mismatched: close up to the matching open element, if there is one nearby.
    // Searched only so deep that hostile input cannot make every end tag cost a full scan.
    for (let i = this.stack.length - 1, stop = Math.max(0, this.stack.length - 1 - MAX_MATCH); i > stop; i--) {
      if (this.stack[i]!.qname === qname) {
        this.problem(`mismatched end tag </${qname}> (expected </${top.qname}>)`, pos);
        while (this.stack.length > i) this.finish(this.popFrame());
        return;
      }
    }
    this.problem(`end tag </${qname}> without a start tag`, pos);
  }

  private closeMarkup(t: TextCapture): void {
    const m = t.open.pop()!;
    if (m.decl) this.undeclare(m.decl);
    const name = m.out;
    t.parts.push(`</${name}>`);
    t.markup!.push(true);
  }

  /** Close everything still open at the end of the document, keeping what was read. */
  close(): void {
    if (this.stack.length > 1) {
      const open = this.stack[this.stack.length - 1]!;
      this.problem(`document ends before </${open.qname}>`);
      while (this.stack.length > 1) {
        const f = this.popFrame();
        if (f.kind === 'text') while (f.text!.open.length) this.closeMarkup(f.text!);
        this.finish(f);
      }
    }
    if (!this.rootSeen) this.problem('no feed found: the document has no root element');
    else if (this.format === 'unknown') this.problem(`not a feed: the root element is <${this.rootName}>`);
    void this.rootClosed;
    void this.channelSeen;
  }

  // ---- values -----------------------------------------------------------------------------

  private finish(f: Frame): void {
    const parent = this.stack[this.stack.length - 1];
    switch (f.kind) {
      case 'text':
        if (f.ext) f.ext.value = f.text!.parts.join('');
        if (parent) this.finishText(parent, f);
        return;
      case 'ext':
        return;
      case 'item':
        this.finishItem(f.item!);
        return;
      case 'textinput':
        if (f.textInput) this.feed.textInput = { ...this.feed.textInput, ...f.textInput };
        return;
      case 'person':
        if (parent) this.finishPerson(parent, f);
        return;
      case 'source':
        if (f.source) {
          const { target, ...src } = f.source;
          if (!src.links?.length) delete src.links;
          if (!src.authors?.length) delete src.authors;
          target.source = src;
        }
        return;
      case 'root':
        this.rootClosed = true;
        return;
      default:
    }
  }

  private textValue(f: Frame): Text {
    const t = f.text!;
    let value: string;
    if (t.markup && t.type === 'html' && isWrappedText(t)) {
      // Escaped HTML inside one wrapper element (<div xmlns=xhtml>&lt;b&gt;...</div>): the text is the HTML.
      value = t.parts.slice(1, -1).join('');
    } else if (t.markup) {
      let s = '';
      for (let i = 0; i < t.parts.length; i++) s += t.markup[i] ? t.parts[i] : escapeText(t.parts[i]!);
      value = s;
      if (t.type === 'text' && !t.plain) t.type = 'html';
    } else value = t.parts.length === 1 ? t.parts[0]! : t.parts.join('');
    // Atom 0.3 mode="base64", and Atom 1.0 content of a non-text, non-XML media type, are base64.
    const binary = t.mime === 'application/octet-stream' || (f.key === 'content' && t.mime !== undefined && !/^text\/|[+/]xml$/.test(t.mime));
    if (t.mode === 'base64' || (binary && !t.markup && t.mode === undefined && /^[A-Za-z0-9+/=\s]*$/.test(value))) {
      value = Buffer.from(value, 'base64').toString('utf8');
      t.odd = true;
    }
    if (t.odd && oddRe.test(value)) {
      if (controlRe.test(value)) {
        controlRe.lastIndex = 0;
        this.problem('control characters in text');
        value = value.replace(controlRe, '');
      }
      controlRe.lastIndex = 0;
      value = fixC1(value);
    }
    let type = t.type;
    if (t.wrapped) value = stripXhtmlDiv(value, t.markup !== null);
    value = value.trim();
    if (t.mode === 'xml' && type === 'text') type = 'html';
    if (t.mode === 'escaped' && type === 'xhtml') type = 'html';
    const text: Text = { value, type };
    if (t.mime) text.mime = t.mime;
    if (f.lang) text.lang = f.lang;
    if (f.base) text.base = f.base;
    if ((type === 'html' || type === 'xhtml') && f.base && value.indexOf('<') !== -1 && (this.resolveHtml || f.base !== this.docBase)) {
      text.value = resolveHtmlUrls(value, f.base);
    }
    return text;
  }

  private finishText(parent: Frame, f: Frame): void {
    const key = f.key;
    switch (parent.kind) {
      case 'image': {
        const v = this.plain(f);
        const img = parent.image!;
        if (key === 'url') img.url = resolveUrl(f.base, v);
        else if (key === 'link') img.link = resolveUrl(f.base, v);
        else if (key === 'title') img.title = v;
        else if (key === 'width') img.width = v;
        else if (key === 'height') img.height = v;
        else if (key === 'description') img.description = v;
        return;
      }
      case 'textinput': {
        const v = this.plain(f);
        const ti = parent.textInput!;
        if (key === 'link') ti.link = resolveUrl(f.base, v);
        else if (key === 'title' || key === 'description' || key === 'name') ti[key] = v;
        return;
      }
      case 'skiphours':
        if (key === 'hour') {
          const h = parseInt(this.plain(f), 10);
          if (h >= 0 && h <= 24) this.feed.skipHours.push(h % 24);
        }
        return;
      case 'skipdays':
        if (key === 'day') {
          const d = this.plain(f);
          if (d) this.feed.skipDays.push(d.charAt(0).toUpperCase() + d.slice(1).toLowerCase());
        }
        return;
      case 'person': {
        const v = this.plain(f);
        const p = parent.person!;
        const local = key.slice(key.indexOf(':') + 1);
        if (local === 'name') p.name = v;
        else if (local === 'email') p.email = v;
        else if (local === 'uri' || local === 'url' || local === 'homepage') p.uri = resolveUrl(f.base, v);
        return;
      }
      case 'source':
        return this.finishSourceText(parent, f);
      case 'channel':
      case 'item':
        return this.assign(parent.kind === 'item' ? parent.item! : this.feed, parent.kind === 'item', f);
      default:
    }
  }

  private finishSourceText(parent: Frame, f: Frame): void {
    const src = parent.source!;
    const key = f.key;
    if (key === 'link') {
      const l = this.linkFrom(f);
      if (l) src.links!.push(l);
      if (l && l.rel === 'alternate' && !src.url) src.url = l.href;
    } else if (key === 'title') src.title = this.textValue(f).value;
    else if (key === 'id') src.id = this.plain(f);
    else if (key === 'updated' || key === 'modified') {
      src.updatedRaw = this.plain(f);
      src.updated = parseDate(src.updatedRaw);
    } else if (key === 'rights' || key === 'copyright') src.rights = this.textValue(f);
    else if (key === 'subtitle' || key === 'tagline') src.subtitle = this.textValue(f);
    else if (key === 'category') {
      const c: Category = { term: (attr(f.attrs, 'term') ?? this.plain(f)).trim() };
      const scheme = attr(f.attrs, 'scheme');
      if (scheme !== undefined) c.scheme = scheme;
      const label = attr(f.attrs, 'label');
      if (label !== undefined) c.label = label;
      if (!c.term && scheme === undefined && label === undefined) return;
      (src.categories ??= []).push(c);
    } else if (key === 'generator') src.generator = this.generatorOf(f); else if (key === 'icon' || key === 'logo') src[key] = resolveUrl(f.base, this.plain(f));
  }

  private generatorOf(f: Frame): NonNullable<Feed['generator']> {
    const g: NonNullable<Feed['generator']> = {};
    const name = this.plain(f);
    if (name) g.name = name;
    const uri = attr(f.attrs, 'uri') ?? attr(f.attrs, 'url');
    if (uri) g.uri = resolveUrl(f.base, uri);
    const version = attr(f.attrs, 'version');
    if (version) g.version = version;
    return g;
  }

  private plain(f: Frame): string {
    const t = f.text!;
    let v = t.parts.length === 1 ? t.parts[0]! : t.markup ? this.textValue(f).value : t.parts.join('');
    if (t.odd && oddRe.test(v)) {
      v = fixC1(v.replace(controlRe, ''));
      controlRe.lastIndex = 0;
    }
    return v.trim();
  }

  private linkFrom(f: Frame): Link | undefined {
    const href = attr(f.attrs, 'href');
    if (href === undefined && (this.atom || f.key === 'atom:link')) {
      // Kept as described (rel, type...), but never used as a link.
      const l: Link = { href: resolveUrl(f.base, this.plain(f)), rel: (attr(f.attrs, 'rel') ?? 'alternate').trim() || 'alternate' };
      for (const k of ['type', 'title', 'length', 'hreflang'] as const) {
        const v = attr(f.attrs, k);
        if (v !== undefined) l[k] = v;
      }
      return l;
    }
    if (href === undefined) {
      const v = this.plain(f);
      if (!v) return undefined;
      return { href: resolveUrl(f.base, v), rel: 'alternate', type: 'text/html' };
    }
    const link: Link = { href: resolveUrl(f.base, href), rel: (attr(f.attrs, 'rel') ?? 'alternate').trim() || 'alternate' };
    const type = attr(f.attrs, 'type');
    if (type !== undefined) link.type = type;
    const title = attr(f.attrs, 'title');
    if (title !== undefined) link.title = title;
    const length = attr(f.attrs, 'length');
    if (length !== undefined) link.length = length;
    const hreflang = attr(f.attrs, 'hreflang');
    if (hreflang !== undefined) link.hreflang = hreflang;
    return link;
  }

  private setDate(t: Target, field: 'published' | 'updated' | 'created' | 'expired', raw: string): void {
    const rawKey = (field + 'Raw') as 'publishedRaw';
    const target = t as Item;
    target[rawKey] = raw;
    const ms = parseDate(raw);
    if (ms !== undefined) target[field] = ms;
    else delete target[field];
  }

  private assign(t: Target, isItem: boolean, f: Frame): void {
    const key = f.key;
    const item = isItem ? (t as Item) : undefined;
    const feed = isItem ? undefined : (t as Feed);
    switch (key) {
      case 'title':
      case 'dc:title':
        if (key === 'dc:title' && t.title) return;
        t.title = this.textValue(f);
        return;
      case 'link':
      case 'atom:link': {
        const l = this.linkFrom(f);
        if (!l) return;
        if (key === 'atom:link' || this.atom || attr(f.attrs, 'href') !== undefined) {
          t.links.push(l);
          if (!l.href || attr(f.attrs, 'href') === undefined) return;
          // RSS feeds that repeat <link> correct themselves last; Atom's first alternate is the link.
          if (l.rel === 'alternate' && (!t.link || (key === 'link' && !this.atom))) t.link = l.href;
          if (l.rel === 'self' && feed && !feed.feedUrl) feed.feedUrl = l.href;
          if (l.rel === 'enclosure' && item) item.enclosures.push({ url: l.href, type: l.type, length: l.length });
        } else {
          t.link = l.href;
          t.links.push(l);
        }
        return;
      }
      case 'description':
        if (isItem) {
          if (!item!.summary || item!.summary === this.itunesSummary.get(item!)) item!.summary = this.textValue(f);
          else item!.content.push(this.textValue(f));
        } else if (!feed!.subtitle) feed!.subtitle = this.textValue(f);
        return;
      case 'summary':
        if (isItem) {
          if (!this.atom && item!.summary && item!.summary !== this.itunesSummary.get(item!)) item!.content.push(this.textValue(f));
          else item!.summary = this.textValue(f);
        }
        else feed!.subtitle ??= this.textValue(f);
        return;
      case 'itunes:summary': {
        const v = this.textValue(f);
        t.itunes.summary = v.value;
        if (isItem) {
          if (!item!.summary) {
            item!.summary = v;
            this.itunesSummary.set(item!, v);
          }
        } else feed!.summary ??= v;
        return;
      }
      case 'itunes:subtitle':
        t.itunes.subtitle = this.textValue(f).value;
        return;
      case 'subtitle':
      case 'tagline':
        if (feed) feed.subtitle = this.textValue(f);
        return;
      case 'info':
        if (feed) feed.info = this.textValue(f);
        return;
      case 'rights':
      case 'copyright':
      case 'dc:rights':
        if (key === 'dc:rights' && t.rights) return;
        t.rights = this.textValue(f);
        return;
      case 'content':
      case 'content:encoded':
      case 'xhtml:body':
      case 'body':
      case 'xhtml:div':
      case 'fullitem': {
        if (!item) return;
        const c = this.textValue(f);
        const src = attr(f.attrs, 'src');
        if (src !== undefined && key === 'content') c.src = resolveUrl(f.base, src);
        item.content.push(c);
        return;
      }
      case 'guid':
      case 'id': {
        if (!item && key === 'guid') return;
        const v = this.plain(f);
        if (feed) {
          feed.id = this.atom ? resolveUrl(f.base, v) : v;
          return;
        }
        // Atom ids are IRIs and may be relative to xml:base; RSS guids are opaque strings.
        item!.guid = key === 'id' && this.atom ? resolveUrl(f.base, v) : v;
        if (key === 'guid') {
          const perma = (attr(f.attrs, 'isPermaLink') ?? attr(f.attrs, 'ispermalink') ?? 'true').trim().toLowerCase();
          item!.guidIsPermalink = perma !== 'false';
        }
        return;
      }
      case 'pubdate':
      case 'published':
      case 'issued':
      case 'dcterms:issued':
        return this.setDate(t, 'published', this.plain(f));
      case 'lastbuilddate':
      case 'updated':
      case 'modified':
      case 'dc:date':
      case 'dcterms:modified':
        return this.setDate(t, 'updated', this.plain(f));
      case 'created':
      case 'dcterms:created':
        return this.setDate(t, 'created', this.plain(f));
      case 'expirationdate':
        if (item) this.setDate(t, 'expired', this.plain(f));
        return;
      case 'author':
      case 'managingeditor':
      case 'dc:creator':
      case 'dc:author':
      case 'itunes:author': {
        const v = this.plain(f);
        if (!v) return;
        const p = parsePerson(v);
        if (!t.authors.some((a) => a.raw === p.raw)) t.authors.push(p);
        if (key === 'itunes:author') t.itunes.author = v;
        return;
      }
      case 'webmaster':
      case 'dc:publisher': {
        const v = this.plain(f);
        if (v) t.publisher = parsePerson(v);
        return;
      }
      case 'dc:contributor': {
        const v = this.plain(f);
        if (v) t.contributors.push(parsePerson(v));
        return;
      }
      case 'category':
      case 'dc:subject': {
        const term = attr(f.attrs, 'term');
        let c: Category;
        if (key === 'category' && (this.atom || term !== undefined)) {
          // Atom categories are attributes; one with only a scheme or label still says something.
          c = { term: (term ?? '').trim() || this.plain(f) };
          const scheme = attr(f.attrs, 'scheme');
          if (scheme !== undefined) c.scheme = scheme;
          const label = attr(f.attrs, 'label');
          if (label !== undefined) c.label = label;
          if (!c.term && c.scheme === undefined && c.label === undefined) return;
        } else {
          const v = this.plain(f);
          if (!v) return;
          c = { term: v };
          const domain = attr(f.attrs, 'domain');
          if (domain !== undefined) c.scheme = domain;
        }
        t.categories.push(c);
        return;
      }
      case 'itunes:keywords': {
        const v = this.plain(f);
        t.itunes.keywords = v;
        for (const k of v.split(/,/)) {
          const term = k.trim();
          if (term && !t.categories.some((c) => c.term === term && c.scheme === ITUNES_SCHEME)) t.categories.push({ term, scheme: ITUNES_SCHEME });
        }
        return;
      }
      case 'media:category': {
        const term = this.plain(f);
        if (!term) return;
        const c: Category = { term, scheme: attr(f.attrs, 'scheme') ?? 'http://search.yahoo.com/mrss/category_schema' };
        const label = attr(f.attrs, 'label');
        if (label !== undefined) c.label = label;
        t.categories.push(c);
        return;
      }
      case 'cc:license':
      case 'creativecommons:license': {
        const href = attrLocal(f.attrs, 'resource') ?? this.plain(f);
        if (href) t.links.push({ href: resolveUrl(f.base, href), rel: 'license' });
        return;
      }
      case 'itunes:image':
      case 'itunes:link': {
        const href = attr(f.attrs, 'href') ?? attr(f.attrs, 'url') ?? this.plain(f);
        if (!href) return;
        const url = resolveUrl(f.base, href.trim());
        t.itunes.image = url;
        if (item) item.image ??= url;
        else if (feed) {
          feed.image ??= {};
          feed.image.url ??= url;
        }
        return;
      }
      case 'itunes:new-feed-url':
        if (feed) feed.newLocation = resolveUrl(f.base, this.plain(f));
        t.itunes['new-feed-url'] = this.plain(f);
        return;
      case 'language':
      case 'dc:language':
        if (feed) feed.lang ??= this.plain(f) || undefined;
        else item!.lang ??= this.plain(f) || undefined;
        return;
      case 'generator':
        if (feed) feed.generator = this.generatorOf(f);
        return;
      case 'icon':
      case 'logo':
        if (feed) feed[key] = resolveUrl(f.base, this.plain(f));
        return;
      case 'docs':
        if (feed) feed.docs = resolveUrl(f.base, this.plain(f));
        return;
      case 'ttl':
        if (feed) {
          const n = parseInt(this.plain(f), 10);
          if (Number.isFinite(n) && n >= 0) feed.ttl = n;
        }
        return;
      case 'cloud':
        if (feed) {
          const c: Record<string, string> = {};
          for (const a of f.attrs) c[a.name.toLowerCase()] = a.value;
          feed.cloud = c;
        }
        return;
      case 'dcterms:valid':
        if (feed) {
          const raw = this.plain(f);
          feed.valid = { raw, ...parsePeriod(raw) };
        }
        return;
      case 'sy:updateperiod':
        if (feed) feed.updatePeriod = this.plain(f).toLowerCase();
        return;
      case 'sy:updatefrequency':
        if (feed) {
          const n = parseInt(this.plain(f), 10);
          if (n > 0) feed.updateFrequency = n;
        }
        return;
      case 'enclosure': {
        if (!item) return;
        const url = attr(f.attrs, 'url') ?? attr(f.attrs, 'href');
        if (!url) return;
        const enc = { url: resolveUrl(f.base, url), type: attr(f.attrs, 'type'), length: attr(f.attrs, 'length') };
        item.enclosures.push(enc);
        const l: Link = { href: enc.url, rel: 'enclosure' };
        if (enc.type !== undefined) l.type = enc.type;
        if (enc.length !== undefined) l.length = enc.length;
        item.links.push(l);
        return;
      }
      case 'comments':
        if (item) item.comments = resolveUrl(f.base, this.plain(f));
        return;
      case 'wfw:commentrss':
        if (item) item.commentsFeed = resolveUrl(f.base, this.plain(f));
        return;
      case 'wfw:comment':
        if (item) item.commentApi = resolveUrl(f.base, this.plain(f));
        return;
      case 'slash:comments':
        if (item) {
          const n = parseInt(this.plain(f), 10);
          if (Number.isFinite(n)) item.commentCount = n;
        }
        return;
      case 'source':
        if (item) {
          const url = attr(f.attrs, 'url');
          item.source = { title: this.plain(f) };
          if (url !== undefined) item.source.url = resolveUrl(f.base, url);
        }
        return;
      case 'media:description':
      case 'media:title':
      case 'dc:description':
        if (!item) return;
        if (key === 'media:title') item.title ??= this.textValue(f);
        else item.summary ??= this.textValue(f);
        return;
      default:
        if (key.startsWith('itunes:')) {
          const v = attr(f.attrs, 'href') ?? this.plain(f);
          t.itunes[key.slice(7)] = v;
        }
    }
  }

  private itunesSummary = new WeakMap<Item, Text>();

  private finishPerson(parent: Frame, f: Frame): void {
    const { role, ...p } = f.person!;
    const person: Person = p;
    if (parent.kind === 'source') {
      if (role === 'source-author') parent.source!.authors!.push(person);
      else (parent.source!.contributors ??= []).push(person);
      return;
    }
    const t = parent.kind === 'item' ? parent.item! : parent.kind === 'channel' ? this.feed : undefined;
    if (!t) return;
    if (role === 'author') t.authors.push(person);
    else if (role === 'owner') t.publisher = person;
    else t.contributors.push(person);
  }

  private finishItem(item: Item): void {
    if (!item.link) {
      const alt = item.links.find((l) => l.rel === 'alternate' && l.href);
      if (alt) item.link = alt.href;
      else if (item.guid && item.guidIsPermalink !== false && /^https?:\/\//i.test(item.guid)) {
        item.link = item.guid;
        item.linkFromGuid = true;
      }
    }
    if (!item.image) {
      const thumb = item.thumbnails[0]?.url ?? item.media.find((m) => m.medium === 'image' || m.type?.startsWith('image/'))?.url;
      if (thumb) item.image = thumb;
      else {
        // The lead image of the article: the first image in its HTML.
        const html = item.content.find((c) => c.type !== 'text') ?? (item.summary?.type !== 'text' ? item.summary : undefined);
        const src = html && firstImage(html.value);
        if (src) item.image = resolveUrl(html.base, src);
      }
    }
  }
}

/** A base URI that may be used for resolution: relative, or of a scheme that names a location. */
export function safeBase(url: string): boolean {
  const m = /^\s*([a-zA-Z][a-zA-Z0-9+.-]*):/.exec(url);
  return !m || /^(https?|ftp|file)$/i.test(m[1]!);
}

/** One element around text only: markup first and last, text between. */
function isWrappedText(t: TextCapture): boolean {
  const m = t.markup!;
  const n = m.length;
  if (n < 3 || !m[0] || !m[n - 1] || !t.parts[0]!.startsWith('<div')) return false;
  for (let i = 1; i < n - 1; i++) if (m[i]) return false;
  return true;
}

/** Known modules' namespaces in their canonical spelling, so consumers can compare URIs. */
function canonicalNs(uri: string): string {
  const p = knownPrefix(uri);
  return (p && namespaceUri(p)) || uri;
}

/** The innermost index of `name` among the last `limit` open elements, or -1. */
function lastIndexWithin(list: OpenMarkup[], name: string, limit: number): number {
  for (let i = list.length - 1, stop = Math.max(-1, list.length - 1 - limit); i > stop; i--) if (list[i]!.qname === name) return i;
  return -1;
}

const imgOpen = /<img\b/gi;
const srcAttr = /\ssrc\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+))/i;

/** The src of the first <img> in HTML; each tag is looked at once, so the cost stays linear. */
function firstImage(html: string): string | undefined {
  imgOpen.lastIndex = 0;
  for (let m = imgOpen.exec(html); m; m = imgOpen.exec(html)) {
    const end = html.indexOf('>', m.index);
    if (end === -1) return undefined;
    const src = srcAttr.exec(html.slice(m.index + 4, end));
    if (src) return (src[1] ?? src[2] ?? src[3])!.replace(/&amp;/g, '&') || undefined;
    imgOpen.lastIndex = end + 1;
  }
  return undefined;
}

function stripXhtmlDiv(value: string, hadMarkup: boolean): string {
  if (!hadMarkup) return value;
  const m = /^\s*<div(?:\s[^>]*)?>([\s\S]*)<\/div>\s*$/.exec(value);
  if (!m) return value;
  // Only strip when this div wraps everything (its end tag is the last one for it).
  const inner = m[1]!;
  let depth = 0;
  const re = /<(\/?)div\b[^>]*?(\/?)>/g;
  let t: RegExpExecArray | null;
  while ((t = re.exec(inner)) !== null) {
    if (t[2]) continue;
    depth += t[1] ? -1 : 1;
    if (depth < 0) return value;
  }
  return depth === 0 ? inner : value;
}

// Keys with a text value that `assign` maps (besides the text constructs above).
const atomInRss = new Set(['atom:content', 'atom:summary', 'atom:category', 'atom:published', 'atom:updated', 'atom:id', 'atom:rights', 'atom:link']);

const simpleKeys = new Set([
  'dcterms:valid',
  'itunes:name', 'itunes:email', 'media:category', 'cc:license', 'creativecommons:license',
  'link', 'atom:link', 'guid', 'id', 'pubdate', 'pubdate', 'published', 'issued', 'dcterms:issued', 'lastbuilddate',
  'lastbuilddate', 'updated', 'modified', 'dc:date', 'dcterms:modified', 'created', 'dcterms:created',
  'expirationdate', 'expirationdate', 'author', 'managingeditor', 'managingeditor', 'dc:creator', 'dc:author',
  'itunes:author', 'webmaster', 'webmaster', 'dc:publisher', 'dc:contributor', 'category', 'dc:subject',
  'itunes:keywords', 'itunes:category', 'itunes:image', 'itunes:link', 'itunes:new-feed-url', 'language',
  'dc:language', 'generator', 'icon', 'logo', 'docs', 'ttl', 'cloud', 'sy:updateperiod', 'sy:updatefrequency',
  'enclosure', 'comments', 'wfw:commentrss', 'wfw:commentrss', 'wfw:comment', 'slash:comments', 'source',
  'itunes:duration', 'itunes:explicit', 'itunes:block', 'itunes:episode', 'itunes:season', 'itunes:episodeType',
  'itunes:type', 'itunes:complete', 'itunes:isClosedCaptioned', 'itunes:order', 'itunes:title',
].map((k) => k.toLowerCase()));
