"""`impart.wsgi:app`, the entry point deployments already name; the app lives in `impart.serve.wsgi`."""

from impart.serve.wsgi import app

__all__ = ["app"]
