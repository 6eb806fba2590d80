"""The tests' key store: secrets in process memory, gone when the process ends.

It lives here, never in the product: the ``keyring`` library may pick any key store class that is
imported, and a key that vanishes at exit is a terminal that can never sign again. Importing this
module registers it under the ``memory`` choice of ``KeyStore.open``; the ``system`` choice
refuses it like any other store that is not an OS keyring.
"""

from __future__ import annotations

from pathlib import Path

import keyring.backend
import keyring.errors

from erial_desk.sync.credentials import EXTRA_STORES

CHOICE = "memory"


class MemoryKeyring(keyring.backend.KeyringBackend):
    """Secrets in a dict; shared by every instance in the process, gone when it ends."""

    priority = 0  # never chosen by keyring on its own
    _secrets: dict[tuple[str, str], str] = {}

    def get_password(self, service: str, username: str) -> str | None:
        return self._secrets.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        self._secrets[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        if self._secrets.pop((service, username), None) is None:
            raise keyring.errors.PasswordDeleteError(username)


def _memory_store(_data_dir: Path) -> keyring.backend.KeyringBackend:
    return MemoryKeyring()


EXTRA_STORES[CHOICE] = _memory_store
