"""Serve the built site as a production static host would.

- folders answer with their index.html (a folder without the slash is redirected);
- text (HTML, CSS, JS, JSON, XML, SVG, plain text) is gzipped when the client
  accepts it, compressed once per file version and kept in a small cache;
- fingerprinted assets (`name.0123abcd.min.js`) are cached for a year and marked
  immutable; HTML and everything else is revalidated, with an ETag and Last-Modified;
- dot files are never served; anything missing gets the site's 404 page, and so
  does a path no filesystem can hold (a segment over 255 bytes: ENAMETOOLONG),
  rather than a 500 (tests/serve/test_static_site.py).
"""

from __future__ import annotations

import gzip
import hashlib
import mimetypes
import os
import re
import threading
import time
from collections import OrderedDict
from pathlib import Path

from werkzeug.security import safe_join
from werkzeug.utils import redirect
from werkzeug.wrappers import Request, Response

COMPRESSIBLE = {
    "text/html", "text/css", "text/javascript", "application/javascript", "application/json",
    "application/feed+json", "application/xml", "text/xml", "application/rss+xml", "image/svg+xml", "text/plain",
}  # fmt: skip
FINGERPRINTED = re.compile(r"\.[0-9a-f]{8}\.min\.(?:js|css)$")
IMMUTABLE = "public, max-age=31536000, immutable"
REVALIDATE = "no-cache"
_TYPES = {".js": "text/javascript", ".json": "application/json", ".xml": "application/xml", ".svg": "image/svg+xml"}
CACHE_ENTRIES = 256
SWITCH_SECONDS = 0.1  # how long an answer waits out a first publish's switch (it takes microseconds)
NAME_MAX = 255  # bytes in one path segment, on Linux filesystems


def content_type(path: Path) -> str:
    kind = _TYPES.get(path.suffix) or mimetypes.guess_type(path.name)[0] or "application/octet-stream"
    if path.name in ("feed_json_created.json", "feed_json_updated.json"):
        kind = "application/feed+json"
    return f"{kind}; charset=utf-8" if kind.startswith("text/") or kind in COMPRESSIBLE else kind


class StaticSite:
    def __init__(self, root: Path):
        self.root = Path(root)
        self._cache: OrderedDict[tuple, tuple[bytes, str]] = OrderedDict()
        self._lock = threading.Lock()

    def __call__(self, environ, start_response):
        request = Request(environ)
        return self.dispatch(request)(environ, start_response)

    def dispatch(self, request: Request) -> Response:
        if request.method not in ("GET", "HEAD"):
            response = Response("Method not allowed", status=405, mimetype="text/plain")
            response.headers["Allow"] = "GET, HEAD"
            return response
        # The first `impart publish` over a site built in place renames the folder into releases/ and then
        # links `site` to the new release: a file found before the rename is gone before it is read, and for
        # the moment between the two renames there is no site. Answer again from the link as it then is.
        deadline = time.monotonic() + SWITCH_SECONDS
        while time.monotonic() < deadline:
            try:
                return self._answer(request, wait_for_root=True)
            except FileNotFoundError:
                time.sleep(0.005)
        return self._answer(request, wait_for_root=False)  # no site after all: its 404, as before

    def _answer(self, request: Request, *, wait_for_root: bool) -> Response:
        if wait_for_root and not self.root.exists():  # between the two renames of a first publish
            raise FileNotFoundError(self.root)
        # Resolved once per request: when the root is a link that `impart publish` switches, every file of
        # this answer (the page, or the 404 page) comes from one release, never from two.
        root = self.root.resolve()
        relative = request.path.lstrip("/")
        target = safe_join(str(root), relative) if relative else str(root)
        parts = Path(relative).parts
        if target is None or any(part.startswith(".") or len(os.fsencode(part)) > NAME_MAX for part in parts):
            return self.not_found(request, root)
        path = Path(target)
        try:
            is_dir = path.is_dir()
            if is_dir:
                path = path / "index.html"
            found = path.is_file()
        except OSError:  # a name the filesystem refuses (too long, invalid): nothing is there
            found = False
        if not found:
            return self.not_found(request, root)
        if is_dir and not request.path.endswith("/"):
            query = f"?{request.query_string.decode('latin-1')}" if request.query_string else ""
            return redirect(request.path + "/" + query, code=301)
        return self.file_response(request, path)

    def file_response(self, request: Request, path: Path, status: int = 200) -> Response:
        stat = path.stat()
        kind = content_type(path)
        gzipped = kind.split(";")[0] in COMPRESSIBLE and "gzip" in request.accept_encodings
        body, etag = self._body(path, stat.st_mtime_ns, stat.st_size, gzipped)
        response = Response(body, status=status, content_type=kind)
        response.headers["Vary"] = "Accept-Encoding"
        if gzipped:
            response.headers["Content-Encoding"] = "gzip"
        if status != 200:
            return response
        response.set_etag(etag)
        response.last_modified = int(stat.st_mtime)
        response.headers["Cache-Control"] = IMMUTABLE if FINGERPRINTED.search(path.name) else REVALIDATE
        return response.make_conditional(request)

    def _body(self, path: Path, mtime_ns: int, size: int, gzipped: bool) -> tuple[bytes, str]:
        key = (str(path), mtime_ns, size, gzipped)
        with self._lock:
            if key in self._cache:
                self._cache.move_to_end(key)
                return self._cache[key]
        raw = path.read_bytes()
        body = gzip.compress(raw, compresslevel=9, mtime=0) if gzipped else raw
        etag = hashlib.sha256(raw).hexdigest()[:32] + ("-gz" if gzipped else "")
        with self._lock:
            self._cache[key] = (body, etag)
            while len(self._cache) > CACHE_ENTRIES:
                self._cache.popitem(last=False)
        return body, etag

    def not_found(self, request: Request, root: Path | None = None) -> Response:
        page = (root or self.root) / "404.html"
        if page.is_file():
            return self.file_response(request, page, status=404)
        return Response("Page not found", status=404, mimetype="text/plain")
