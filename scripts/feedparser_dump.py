#!/usr/bin/env python3
"""Parse feed files with Python feedparser and print one JSON object per file (one per line).

    feedparser_dump.py FILE...

Per file: count, bozo, bozo_exception, encoding, version, and per entry title (with its
content type), link and date (published, else updated) as UTC ISO 8601 to the second.
Used by scripts/compare-feedparser.ts; needs Debian's python3-feedparser.
"""
import calendar
import json
import sys
import time

import feedparser


def iso(st):
    if not st:
        return None
    try:
        return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(calendar.timegm(st)))
    except (OverflowError, ValueError, TypeError):
        return None


def entry(e):
    td = e.get("title_detail") or {}
    return {
        "title": e.get("title"),
        "title_type": td.get("type"),
        "link": e.get("link"),
        "published": iso(e.get("published_parsed")),
        "updated": iso(e.get("updated_parsed")),
    }


def main():
    for path in sys.argv[1:]:
        try:
            with open(path, "rb") as f:
                data = f.read()
            d = feedparser.parse(data)
            out = {
                "file": path,
                "count": len(d.entries),
                "bozo": bool(d.get("bozo")),
                "bozo_exception": str(d.get("bozo_exception")) if d.get("bozo") else None,
                "encoding": d.get("encoding"),
                "version": d.get("version"),
                "items": [entry(e) for e in d.entries],
            }
        except Exception as ex:  # keep going: one bad file must not hide the others
            out = {"file": path, "error": "%s: %s" % (type(ex).__name__, ex)}
        sys.stdout.write(json.dumps(out, ensure_ascii=False) + "\n")
        sys.stdout.flush()


if __name__ == "__main__":
    main()
