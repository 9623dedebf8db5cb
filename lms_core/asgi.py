"""ASGI entry point for uvicorn and other servers: ``uvicorn lms_core.asgi:app``."""

from lms_core.app import create_app

app = create_app()
