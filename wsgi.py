"""WSGI entry point: `gunicorn wsgi:app`."""

from surveyapp.app import create_app

app = create_app()
