"""ASGI entry point for uvicorn and other servers: ``uvicorn lms_core.asgi:app``."""

from lms_core.app import create_app
from lms_core.gc_tuning import tune

app = create_app()
# everything built so far lives as long as the worker: out of the collector's sight
tune()
