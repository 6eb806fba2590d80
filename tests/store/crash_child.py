"""Child process of the crash and concurrency tests: appends journal entries in a loop.

    python crash_child.py DB_PATH TERMINAL_ID [COUNT [PAUSE_MS]]

The terminal's private key comes as hex in ``ERIAL_TEST_SIGNING_KEY`` (the parent's key store is
in its own memory). The child prints ``ready`` once the journal is open, then, after each append
returns (the entry is committed), the entry's id on a line of its own, flushed at once. Without
COUNT it appends until killed; with it, it appends COUNT entries and exits. PAUSE_MS, when given,
is the longest random pause between two appends (a counter does not append back to back).

Entries are realistic: a subscriber is registered, then topped up a few times, so each append
also writes the derived tables (subscribers and its full-text index, wallets, transactions,
outbox) inside the same transaction.
"""

from __future__ import annotations

import itertools
import os
import random
import sys
import time

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from erial_desk.domain.identifiers import make_account_number
from erial_desk.store import projections
from erial_desk.store.journal import Journal

KEY_VARIABLE = "ERIAL_TEST_SIGNING_KEY"
SHIFT = "01900000-0000-7000-8000-0000000000c1"
TOP_UPS_PER_SUBSCRIBER = 3

NAMES = [
    ("سالم بن سعيد الحارثي", "Salim Said Al Harthy"),
    ("فاطمة بنت علي البلوشية", "Fatma Ali Al Balushi"),
    ("ناصر بن حمد الكندي", "Nasser Hamad Al Kindi"),
    ("مريم بنت خالد الرواحية", "Maryam Khalid Al Rawahi"),
]


def registration(rng: random.Random) -> tuple[str, dict[str, object]]:
    account = make_account_number(10**10 + rng.randrange(9 * 10**10))
    name_ar, name_en = rng.choice(NAMES)
    return account, {
        "account": account,
        "kind": "individual",
        "civil_number": str(rng.randrange(10**7, 10**8)),
        "cr_number": None,
        "name_ar": name_ar,
        "name_en": name_en,
        "mobile": f"9{rng.randrange(10**7):07d}",
        "email": None,
        "authorised_person": None,
        "sealed_pin": "c2VhbGVkIHBpbg==",
    }


def payloads(rng: random.Random) -> itertools.chain[tuple[str, dict[str, object]]]:
    def one_subscriber() -> list[tuple[str, dict[str, object]]]:
        account, registered = registration(rng)
        entries: list[tuple[str, dict[str, object]]] = [("subscriber_registered", registered)]
        for _ in range(TOP_UPS_PER_SUBSCRIBER):
            amount = rng.randrange(1, 400) * 500  # baisa, in half-rial steps
            entries.append(("top_up", {"shift": SHIFT, "account": account, "amount": amount}))
        return entries

    return itertools.chain.from_iterable(one_subscriber() for _ in itertools.count())


def main(argv: list[str]) -> int:
    db_path, terminal_id = argv[0], argv[1]
    count = int(argv[2]) if len(argv) > 2 else None
    pause = float(argv[3]) / 1000 if len(argv) > 3 else 0.0
    key = Ed25519PrivateKey.from_private_bytes(bytes.fromhex(os.environ[KEY_VARIABLE]))
    journal = Journal(db_path, terminal_id, key, projector=projections.project)
    out = sys.stdout
    out.write("ready\n")
    out.flush()
    rng = random.Random()
    for entry_type, payload in itertools.islice(payloads(rng), count):
        entry = journal.append(
            entry_type, payload, operator="salim", policy_version=1, catalogue_version=1
        )
        out.write(entry.entry_id + "\n")
        out.flush()
        if pause:
            time.sleep(rng.uniform(0, pause))
    journal.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
