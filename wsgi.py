"""WSGI entry point: ``gunicorn wsgi:app``."""

from siteninja import create_app

app = create_app()
