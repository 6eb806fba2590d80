"""Alembic environment for central: runs on a connection given by ``erial_central.migrate``."""

from alembic import context

from erial_central.models import metadata

connection = context.config.attributes["connection"]
context.configure(connection=connection, target_metadata=metadata, render_as_batch=True)
with context.begin_transaction():
    context.run_migrations()
