"""Serving the built site and the proposal handler: static files, logging, workers, the WSGI entry point."""
