"""Serve the built site's files: index.html for folders, the site's 404 page, conditional requests."""

from __future__ import annotations

from pathlib import Path

from werkzeug.security import safe_join
from werkzeug.utils import redirect, send_file
from werkzeug.wrappers import Request, Response


class StaticSite:
    def __init__(self, root: Path):
        self.root = Path(root)

    def __call__(self, environ, start_response):
        request = Request(environ)
        return self.dispatch(request)(environ, start_response)

    def dispatch(self, request: Request) -> Response:
        if request.method not in ("GET", "HEAD"):
            response = Response("Method not allowed", status=405, mimetype="text/plain")
            response.headers["Allow"] = "GET, HEAD"
            return response
        relative = request.path.lstrip("/")
        target = safe_join(str(self.root), relative) if relative else str(self.root)
        if target is None or any(part.startswith(".") for part in Path(relative).parts):
            return self.not_found(request)
        path = Path(target)
        if path.is_dir():
            if not request.path.endswith("/"):
                query = f"?{request.query_string.decode('latin-1')}" if request.query_string else ""
                return redirect(request.path + "/" + query, code=301)
            path = path / "index.html"
        if not path.is_file():
            return self.not_found(request)
        return send_file(path, request.environ, conditional=True, etag=True, max_age=self._max_age(path))

    def _max_age(self, path: Path) -> int | None:
        return 0 if path.suffix == ".html" else 3600

    def not_found(self, request: Request) -> Response:
        page = self.root / "404.html"
        body = page.read_bytes() if page.is_file() else b"Page not found"
        return Response(body, status=404, mimetype="text/html" if page.is_file() else "text/plain")
