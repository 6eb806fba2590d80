"""ASGI entry point for uvicorn workers: the app built from the environment's settings."""

from __future__ import annotations

from .api import create_app
from .settings import database_url, reconcile_every, secrets_path

app = create_app(database_url(), secrets_path(), migrate=False, reconcile_every=reconcile_every())
