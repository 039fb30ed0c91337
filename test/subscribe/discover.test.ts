import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { Fetcher } from '../../src/fetch/index.ts';
import { discover, feedLinks, sniffFeed } from '../../src/subscribe/index.ts';
import { serve, rss } from '../schedule/serve.ts';

const fetcher = new Fetcher({ allow: ['127.0.0.1'], perHostIntervalMs: 0 });
after(() => fetcher.close());

const page = (head: string): string => `<!doctype html><html><head><title>Blog</title>${head}</head><body>hi</body></html>`;

test('sniffFeed tells feeds from pages', () => {
  const b = (s: string): Uint8Array => new TextEncoder().encode(s);
  assert.equal(sniffFeed(b('  <?xml version="1.0"?><!-- x --><rss version="2.0">')), 'rss');
  assert.equal(sniffFeed(b('<?xml version="1.0"?><rdf:RDF xmlns:rdf="x">')), 'rss');
  assert.equal(sniffFeed(b('\ufeff<feed xmlns="http://www.w3.org/2005/Atom">')), 'atom');
  assert.equal(sniffFeed(b('{"version": "https://jsonfeed.org/version/1.1", "title": "x"}')), 'json');
  assert.equal(sniffFeed(b('{"version": 2}')), undefined);
  assert.equal(sniffFeed(b('<!DOCTYPE html><html><head>')), undefined);
  assert.equal(sniffFeed(undefined), undefined);
});

test('feedLinks resolves relative links against <base> and the page, skipping non-feeds', () => {
  const links = feedLinks(page(`
    <base href="/blog/">
    <link rel="alternate" type="application/rss+xml" title="Posts" href="feed.xml">
    <link rel="alternate" type="application/atom+xml" href="https://other.example/atom">
    <link rel="alternate" type="application/json" href="/wp-json/wp/v2/pages/2">
    <link rel="alternate" type="application/feed+json" href="/feed.json">
    <link rel="stylesheet" type="text/css" href="/s.css">
    <link rel="alternate" type="application/rss+xml" href="javascript:alert(1)">
    <LINK REL="Alternate" TYPE="application/rss+xml" HREF="feed.xml">`), 'https://site.example/index.html');
  assert.deepEqual(links, [
    { url: 'https://site.example/blog/feed.xml', title: 'Posts', type: 'application/rss+xml' },
    { url: 'https://other.example/atom', title: undefined, type: 'application/atom+xml' },
    { url: 'https://site.example/feed.json', title: undefined, type: 'application/feed+json' },
  ]);
});

test('a feed URL is taken as it is', async () => {
  const s = await serve((req, res) => {
    res.setHeader('content-type', 'application/rss+xml');
    res.end(rss('Direct'));
  });
  try {
    const d = await discover(fetcher, `${s.url}/feed.rss`);
    assert.equal(d.url, `${s.url}/feed.rss`);
    assert.equal(d.via, 'direct');
    assert.equal(d.kind, 'rss');
    assert.equal(d.title, 'Direct');
    assert.deepEqual(s.hits, ['/feed.rss']);
  } finally {
    await s.close();
  }
});

test('a page: its first working <link rel="alternate"> feed, the others listed', async () => {
  const s = await serve((req, res) => {
    if (req.url === '/') {
      res.setHeader('content-type', 'text/html');
      res.end(page(`
        <link rel="alternate" type="application/rss+xml" title="Broken" href="/gone.xml">
        <link rel="alternate" type="application/atom+xml" title="Atom" href="/atom">
        <link rel="alternate" type="application/feed+json" title="JSON" href="/j.json">`));
    } else if (req.url === '/atom') {
      res.setHeader('content-type', 'application/atom+xml');
      res.end('<?xml version="1.0"?><feed xmlns="http://www.w3.org/2005/Atom"><title>Atom feed</title></feed>');
    } else {
      res.statusCode = 404;
      res.end('no');
    }
  });
  try {
    const d = await discover(fetcher, `${s.url}/`);
    assert.equal(d.url, `${s.url}/atom`);
    assert.equal(d.via, 'link');
    assert.equal(d.kind, 'atom');
    assert.equal(d.title, 'Atom feed');
    assert.deepEqual(d.candidates.map((c) => c.url), [`${s.url}/gone.xml`, `${s.url}/atom`, `${s.url}/j.json`]);
    assert.deepEqual(s.hits, ['/', '/gone.xml', '/atom']);
  } finally {
    await s.close();
  }
});

test('a page without links: the common paths, in order', async () => {
  const s = await serve((req, res) => {
    if (req.url === '/') {
      res.setHeader('content-type', 'text/html');
      res.end(page(''));
    } else if (req.url === '/feed.json') {
      res.setHeader('content-type', 'application/feed+json');
      res.end(JSON.stringify({ version: 'https://jsonfeed.org/version/1.1', title: 'JSON blog', items: [] }));
    } else if (req.url === '/rss') {
      // A soft 404: an HTML page with status 200 is not a feed.
      res.setHeader('content-type', 'text/html');
      res.end(page(''));
    } else {
      res.statusCode = 404;
      res.end();
    }
  });
  try {
    const d = await discover(fetcher, `${s.url}/`);
    assert.equal(d.url, `${s.url}/feed.json`);
    assert.equal(d.via, 'guess');
    assert.equal(d.kind, 'json');
    assert.equal(d.title, 'JSON blog');
    assert.deepEqual(s.hits, ['/', '/feed', '/rss', '/rss.xml', '/atom.xml', '/feed.xml', '/index.xml', '/feed.json']);
  } finally {
    await s.close();
  }
});

test('no feed anywhere: a clear error', async () => {
  const s = await serve((req, res) => {
    res.statusCode = req.url === '/' ? 200 : 404;
    res.end(page(''));
  });
  try {
    await assert.rejects(discover(fetcher, `${s.url}/`), /no feed found at .*\/feed\.json/);
  } finally {
    await s.close();
  }
});

test('unreachable or blocked addresses: an error, not a crash', async () => {
  const strict = new Fetcher({ perHostIntervalMs: 0 });
  try {
    await assert.rejects(discover(strict, 'http://127.0.0.1:9/'), /cannot fetch .*private|cannot fetch .*blocked/i);
  } finally {
    await strict.close();
  }
  await assert.rejects(discover(fetcher, 'ftp://example.org/feed'), /unsupported URL scheme/);
});
