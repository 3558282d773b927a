"""The baseline for bench/intake.py: a trivial WSGI app that only writes and fsyncs one file per request.

    python bench/fsync_app.py PORT FOLDER THREADS [WORKERS]

Served by waitress with the same thread count as `impart serve`, so the two differ only in the app.
"""

from __future__ import annotations

import os
import secrets
import sys

import waitress


def make_app(folder: str):
    def app(environ, start_response):
        body = environ["wsgi.input"].read(int(environ.get("CONTENT_LENGTH") or 0))
        path = os.path.join(folder, secrets.token_hex(8))
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        try:
            os.write(fd, body)
            os.fsync(fd)
        finally:
            os.close(fd)
        start_response("303 See Other", [("Location", "/thanks/"), ("Content-Length", "0")])
        return [b""]

    return app


if __name__ == "__main__":
    port, folder, threads = int(sys.argv[1]), sys.argv[2], int(sys.argv[3])
    workers = int(sys.argv[4]) if len(sys.argv) > 4 else 1
    os.makedirs(folder, exist_ok=True)
    options = dict(threads=threads, ident="fsync-baseline")
    if workers <= 1:
        waitress.serve(make_app(folder), host="127.0.0.1", port=port, **options)
    else:  # the same process layout as `impart serve --workers N`
        from impart.serve.prefork import listening_socket, serve_in_workers

        serve_in_workers(
            lambda sock: waitress.serve(make_app(folder), sockets=[sock], **options),
            listening_socket("127.0.0.1", port),
            workers,
        )
