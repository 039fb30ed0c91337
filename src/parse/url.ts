// Relative URL resolution as feed readers expect it (RFC 3986 section 5.2): the result keeps the
// characters as written (no percent-encoding or host normalization that WHATWG URL would apply),
// so a link survives byte for byte apart from the part that was relative.

const schemeRe = /^[a-zA-Z][a-zA-Z0-9+.-]*:/;

interface Parts { scheme: string; authority?: string; path: string; query?: string; fragment?: string }

function split(url: string): Parts {
  const m = /^(?:([a-zA-Z][a-zA-Z0-9+.-]*):)?(?:\/\/([^/?#]*))?([^?#]*)(?:\?([^#]*))?(?:#(.*))?$/s.exec(url)!;
  return { scheme: m[1] ?? '', authority: m[2], path: m[3] ?? '', query: m[4], fragment: m[5] };
}

function removeDots(path: string): string {
  if (path.indexOf('.') === -1) return path;
  const input = path.split('/');
  const out: string[] = [];
  for (let i = 0; i < input.length; i++) {
    const seg = input[i]!;
    if (seg === '.') {
      if (i === input.length - 1) out.push('');
    } else if (seg === '..') {
      if (out.length > 1 || (out.length === 1 && out[0] !== '')) out.pop();
      if (i === input.length - 1) out.push('');
    } else out.push(seg);
  }
  return out.join('/');
}

function join(p: Parts): string {
  let s = p.scheme ? p.scheme + ':' : '';
  if (p.authority !== undefined) s += '//' + p.authority;
  s += p.path;
  if (p.query !== undefined) s += '?' + p.query;
  if (p.fragment !== undefined) s += '#' + p.fragment;
  return s;
}

/** True when `url` has its own scheme. */
export function isAbsolute(url: string): boolean {
  return schemeRe.test(url);
}

/** Resolve `ref` against `base`. Either may be missing; whitespace around the reference is dropped. */
export function resolveUrl(base: string | undefined, ref: string): string {
  const r = ref.trim();
  if (!base) return r;
  if (schemeRe.test(r)) {
    const scheme = r.slice(0, r.indexOf(':')).toLowerCase();
    // "http:foo" relative form is resolved like urljoin does; other schemes are final.
    if (!(scheme === split(base).scheme.toLowerCase() && !r.startsWith(scheme + '://') && (scheme === 'http' || scheme === 'https'))) {
      return r;
    }
    return resolveUrl(base, r.slice(scheme.length + 1));
  }
  const b = split(base.trim());
  if (r === '') return join({ ...b, fragment: undefined });
  const rp = split(r);
  const t: Parts = { scheme: b.scheme, path: '' };
  if (rp.authority !== undefined) {
    t.authority = rp.authority;
    t.path = removeDots(rp.path);
    t.query = rp.query;
  } else {
    t.authority = b.authority;
    if (rp.path === '') {
      t.path = b.path;
      t.query = rp.query !== undefined ? rp.query : b.query;
    } else {
      if (rp.path.startsWith('/')) t.path = removeDots(rp.path);
      else {
        let merged: string;
        if (b.authority !== undefined && b.path === '') merged = '/' + rp.path;
        else {
          const slash = b.path.lastIndexOf('/');
          merged = (slash === -1 ? '' : b.path.slice(0, slash + 1)) + rp.path;
        }
        t.path = removeDots(merged);
      }
      t.query = rp.query;
    }
  }
  t.fragment = rp.fragment;
  return join(t);
}

// Attributes that hold URLs, by element (the HTML 4 list feed readers have always resolved, plus media).
const uriAttrs: Record<string, string[]> = {
  a: ['href'], applet: ['codebase'], area: ['href'], audio: ['src'], blockquote: ['cite'], body: ['background'],
  del: ['cite'], form: ['action'], frame: ['longdesc', 'src'], iframe: ['longdesc', 'src'], head: ['profile'],
  img: ['longdesc', 'src', 'usemap'], input: ['src', 'usemap'], ins: ['cite'], link: ['href'],
  object: ['classid', 'codebase', 'data', 'usemap'], q: ['cite'], script: ['src'], source: ['src'],
  video: ['poster', 'src'], track: ['src'], embed: ['src'],
};

const tagRe = /<([a-zA-Z][a-zA-Z0-9:-]*)(\s[^<>]*?)?(\/?)>/g;
const attrRe = /([^\s"'=<>/]+)(\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'>]+)))?/g;

/**
 * Make URLs inside an HTML fragment absolute, changing nothing else in the markup.
 * Returns the input itself when nothing was relative.
 */
export function resolveHtmlUrls(html: string, base: string | undefined): string {
  if (!base || html.indexOf('<') === -1) return html;
  let changed = false;
  const out = html.replace(tagRe, (whole, tag: string, attrs: string | undefined, close: string) => {
    if (!attrs) return whole;
    const names = uriAttrs[tag.toLowerCase()];
    if (!names) return whole;
    let touched = false;
    const newAttrs = attrs.replace(attrRe, (a, name: string, eq: string | undefined, dq?: string, sq?: string, uq?: string) => {
      if (!eq || !names.includes(name.toLowerCase())) return a;
      const value = dq ?? sq ?? uq ?? '';
      const decoded = value.indexOf('&') === -1 ? value : value.replace(/&amp;/g, '&');
      if (isAbsolute(decoded.trim())) {
        if (decoded === decoded.trim()) return a;
      }
      const abs = resolveUrl(base, decoded);
      touched = true;
      const enc = abs.replace(/&/g, '&amp;').replace(/"/g, '&quot;');
      return `${name}="${enc}"`;
    });
    if (!touched) return whole;
    changed = true;
    return `<${tag}${newAttrs}${close}>`;
  });
  return changed ? out : html;
}
