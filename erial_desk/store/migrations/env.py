"""Alembic environment: migrations run on a connection given by ``erial_desk.store.migrate``.

The migrations are the one definition of the desk's SQLite schema (the store reads and writes it
with SQL of its own); there is no second copy as models to drift from them, so there is nothing
to autogenerate from: new revisions are written by hand.
"""

from alembic import context

from erial_desk.store.engine import make_engine

config = context.config
connection = config.attributes.get("connection")

if connection is None:
    # Command-line use: `alembic -x path=desk.sqlite upgrade head`.
    path = context.get_x_argument(as_dictionary=True)["path"]
    with make_engine(path).connect() as conn:
        context.configure(connection=conn, target_metadata=None, render_as_batch=True)
        with context.begin_transaction():
            context.run_migrations()
else:
    context.configure(connection=connection, target_metadata=None, render_as_batch=True)
    with context.begin_transaction():
        context.run_migrations()
