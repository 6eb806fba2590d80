"""The real central, embedded: ``erial_central`` served on loopback inside the desk's process.

The demo and the tests run the counter against the server's own rules rather than a copy of
them. The central keeps its SQLite database and secrets in a folder; it is migrated and seeded
with the demo data the first time, and reused as it is afterwards. uvicorn runs in a thread of
this process, on a port the system chooses, so that starting takes well under a second and
stopping leaves nothing running.
"""

from __future__ import annotations

import threading
from dataclasses import replace
from pathlib import Path
from types import TracebackType

import uvicorn
from sqlalchemy import Engine

from erial_central import admin
from erial_central.api import create_app
from erial_central.db import make_engine
from erial_central.demo import is_seeded, seed_demo
from erial_central.migrate import upgrade
from erial_central.settings import load_secrets
from erial_desk.config import DATABASE_FILE, Settings
from erial_desk.services import Desk

DATABASE = "central.sqlite"
SECRETS = "central-secrets.json"
START_TIMEOUT = 60.0  # seconds; a loaded machine may take a while to import and bind


class EmbeddedCentral:
    """Central on ``127.0.0.1``, its data in ``folder``; start and stop it with ``with``."""

    def __init__(self, folder: Path | str, *, subscribers: int = 200, bills: int = 500) -> None:
        self.folder = Path(folder)
        self.subscribers = subscribers
        self.bills = bills
        self._server: uvicorn.Server | None = None
        self._thread: threading.Thread | None = None
        self._engine: Engine | None = None
        self.port = 0

    @property
    def database_url(self) -> str:
        return f"sqlite:///{self.folder / DATABASE}"

    @property
    def secrets_file(self) -> Path:
        return self.folder / SECRETS

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def prepare(self) -> bool:
        """Migrate the database and seed the demo data unless it is there; True when seeded
        now. Safe to call on a folder an earlier run prepared."""
        self.folder.mkdir(parents=True, exist_ok=True)
        engine = make_engine(self.database_url)
        try:
            upgrade(engine)
            load_secrets(self.secrets_file)  # made on the first run, read afterwards
            with engine.begin() as conn:
                if is_seeded(conn):
                    return False
                seed_demo(conn, self.subscribers, self.bills)
            return True
        finally:
            engine.dispose()

    def start(self) -> EmbeddedCentral:
        """Prepare the folder and serve it; returns once central answers on its port."""
        if self.running:
            return self
        self.prepare()
        app = create_app(self.database_url, self.secrets_file, migrate=False)
        # The first start takes a port the system chooses; a restart takes the same one back,
        # so that desks enrolled here find it again.
        config = uvicorn.Config(
            app,
            host="127.0.0.1",
            port=self.port,
            log_config=None,
            log_level="warning",
            access_log=False,
        )
        server = uvicorn.Server(config)
        thread = threading.Thread(target=server.run, name="embedded-central", daemon=True)
        thread.start()
        ready = threading.Event()
        while not server.started and thread.is_alive():
            ready.wait(0.01)
        if not server.started:
            thread.join()
            raise RuntimeError("the embedded central did not start")
        self.port = int(server.servers[0].sockets[0].getsockname()[1])
        self._server, self._thread = server, thread
        self._engine = make_engine(self.database_url)
        return self

    def stop(self) -> None:
        """Stop serving: requests in flight finish, the port is closed, the database kept
        (``start`` serves it again on the same port)."""
        if self._server is not None and self._thread is not None:
            self._server.should_exit = True
            self._thread.join()
        self._server = self._thread = None
        if self._engine is not None:
            self._engine.dispose()
            self._engine = None

    def __enter__(self) -> EmbeddedCentral:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()

    # --- terminals --------------------------------------------------------------------------

    def enrolment_code(self, office_id: str) -> str:
        """A new terminal slot at ``office_id``; its one-time enrolment code."""
        engine = self._engine or make_engine(self.database_url)
        try:
            with engine.begin() as conn:
                _slot, code = admin.add_terminal_slot(conn, office_id)
        finally:
            if engine is not self._engine:
                engine.dispose()
        return code

    def enrolled_desk(
        self,
        data_dir: Path | str,
        office_id: str = "MCT-HQ",
        *,
        keyring: str = "system",
        language: str = "ar",
    ) -> Desk:
        """A new terminal at ``office_id`` in ``data_dir``, enrolled here, first sync done."""
        Desk.init_for_central(
            data_dir,
            office_id=office_id,
            central_url=self.base_url,
            keyring=keyring,
            language=language,
        )
        return Desk.enroll(data_dir, self.base_url, self.enrolment_code(office_id))

    def terminal(
        self, data_dir: Path | str, office_id: str = "MCT-HQ", keyring: str = "system"
    ) -> None:
        """Make sure ``data_dir`` holds a terminal enrolled here: made and enrolled the first
        time, and afterwards pointed at this run's port (the system chooses a new one each
        start). The desk itself is not left open."""
        data_dir = Path(data_dir)
        if not (data_dir / DATABASE_FILE).exists():
            self.enrolled_desk(data_dir, office_id, keyring=keyring).close()
            return
        settings = Settings.load(data_dir)
        if settings.central_url != self.base_url:
            replace(settings, central_url=self.base_url).save(data_dir)
