"""Journal push: idempotency by entry id, and the chain checks (sequence, previous hash,
signature, terminal) that come before any entry is applied."""

from __future__ import annotations

import hashlib
import json
import random

from .conftest import Central
from .terminal_sim import TerminalSim, random_account


def statuses(response) -> dict[str, tuple[str, str | None]]:
    assert response.status_code == 200, response.text
    return {r["id"]: (r["status"], r.get("reason")) for r in response.json()["results"]}


def test_replay_answers_duplicate_with_the_first_result(terminal: TerminalSim, subscriber: str):
    top_up = terminal.top_up(subscriber, 5_000)
    first = terminal.sync()
    assert first[top_up.entry_id]["status"] == "applied"

    again = terminal.push(terminal.wire(1))
    assert again.status_code == 200
    body = again.json()
    assert body["last_seq"] == top_up.seq
    for result in body["results"]:
        assert result["status"] == "duplicate"
        assert result["first"]["status"] == "applied"
    assert terminal.balance(subscriber) == 5_000  # applied once


def test_duplicate_of_a_flagged_entry_repeats_the_flag(terminal: TerminalSim):
    unknown = terminal.top_up(random_account(), 1_000)  # no such subscriber
    first = terminal.sync()[unknown.entry_id]
    assert first["status"] == "flagged"
    (again,) = terminal.push(terminal.wire(unknown.seq)).json()["results"]
    assert again["status"] == "duplicate"
    assert again["first"] == {"status": "flagged", "reason": first["reason"]}


def test_same_id_with_other_bytes_is_refused(terminal: TerminalSim, subscriber: str):
    top_up = terminal.top_up(subscriber, 7_000)
    terminal.sync()
    before = terminal.balance(subscriber)
    original = terminal.wire(top_up.seq, top_up.seq)[0]
    envelope = json.loads(original["body"])
    forged = terminal.forge(
        top_up.seq,
        envelope["prev"],
        payload={**envelope["payload"], "amount": 70_000},
        entry_id=top_up.entry_id,
    )
    result = statuses(terminal.push([forged]))
    assert result[top_up.entry_id] == ("rejected", "same id, different content")
    assert terminal.balance(subscriber) == before


def test_gap_is_rejected_and_later_entries_wait(terminal: TerminalSim, subscriber: str):
    a = terminal.top_up(subscriber, 1_000)
    b = terminal.top_up(subscriber, 2_000)
    c = terminal.top_up(subscriber, 4_000)
    wire = {w["seq"]: w for w in terminal.wire(a.seq)}
    result = statuses(terminal.push([wire[b.seq], wire[c.seq]]))
    assert result[b.entry_id] == ("rejected", f"gap: entry {a.seq} is missing")
    assert result[c.entry_id] == ("rejected", f"waits for entry {a.seq}")
    assert terminal.balance(subscriber) == 0

    # Once the missing entry arrives, the waiting ones apply.
    result = statuses(terminal.push([wire[a.seq], wire[b.seq], wire[c.seq]]))
    assert {status for status, _ in result.values()} == {"applied"}
    assert terminal.balance(subscriber) == 7_000


def test_wrong_previous_hash_is_rejected(terminal: TerminalSim, subscriber: str):
    seq = terminal.pushed_to + 1
    forged = terminal.forge(
        seq, "0" * 64, payload={"shift": terminal.shift, "account": subscriber, "amount": 9_000}
    )
    result = statuses(terminal.push([forged]))
    assert result[forged["id"]] == ("rejected", "previous hash does not match the chain")
    assert terminal.balance(subscriber) == 0


def test_tampered_signature_is_rejected_and_nothing_applied(terminal: TerminalSim, subscriber: str):
    a = terminal.top_up(subscriber, 1_000)
    b = terminal.top_up(subscriber, 2_000)
    batch = terminal.wire(a.seq)
    signature = bytearray(bytes.fromhex(batch[0]["signature"]))
    signature[5] ^= 0x01
    batch[0]["signature"] = bytes(signature).hex()
    result = statuses(terminal.push(batch))
    assert result[a.entry_id] == ("rejected", "signature does not verify")
    assert result[b.entry_id][0] == "rejected"
    assert terminal.balance(subscriber) == 0

    # The genuine entries are accepted afterwards: the bad copy left no trace.
    result = statuses(terminal.push(terminal.wire(a.seq)))
    assert {status for status, _ in result.values()} == {"applied"}
    assert terminal.balance(subscriber) == 3_000


def test_tampered_last_signature_keeps_the_good_prefix(terminal: TerminalSim, subscriber: str):
    a = terminal.top_up(subscriber, 1_000)
    b = terminal.top_up(subscriber, 2_000)
    batch = terminal.wire(a.seq)
    batch[-1]["signature"] = "00" * 64
    result = statuses(terminal.push(batch))
    assert result[a.entry_id] == ("applied", None)
    assert result[b.entry_id] == ("rejected", "signature does not verify")
    assert terminal.balance(subscriber) == 1_000


def test_signature_of_another_key_is_rejected(central: Central, terminal: TerminalSim):
    other = central.terminal()
    terminal.sync()
    forged = terminal.forge(
        terminal.pushed_to + 1,
        terminal.journal.last()[1],
        entry_type="cash_drop",
        payload={"shift": terminal.shift, "counts": {"1000": 1}, "amount": 1000, "approver": "x"},
        key=other.key,
    )
    result = statuses(terminal.push([forged]))
    assert result[forged["id"]] == ("rejected", "signature does not verify")


def test_edited_body_is_rejected(terminal: TerminalSim, subscriber: str):
    entry = terminal.top_up(subscriber, 1_000)
    (wire,) = terminal.wire(entry.seq)
    wire["body"] = wire["body"].replace('"amount":1000', '"amount":9000')
    result = statuses(terminal.push([wire]))
    assert result[entry.entry_id] == ("rejected", "hash does not match the entry")


def test_malformed_bodies_are_rejected_not_errors(terminal: TerminalSim):
    seq = terminal.pushed_to + 1
    for body in ("[]", '{"amount":1.5}', "not json", '"text"'):
        digest = hashlib.sha256(body.encode()).hexdigest()
        batch = [{"seq": seq, "id": f"m-{seq}", "body": body, "hash": digest, "signature": "00"}]
        result = statuses(terminal.push(batch))
        assert result[f"m-{seq}"][0] == "rejected"


def test_entries_of_another_terminal_are_rejected(central: Central, terminal: TerminalSim):
    other = central.terminal()
    other.top_up(random_account(), 1_000)
    result = statuses(terminal.push(other.wire(1)))
    assert {status for status, _ in result.values()} == {"rejected"}
    first = other.wire(1, 1)[0]["id"]
    assert result[first][1] == "entry belongs to another terminal"
    # The other terminal's own push still works: nothing of its chain was taken.
    assert {r["status"] for r in other.sync().values()} == {"applied", "flagged"}


def test_shuffled_batch_is_applied_in_sequence_order(terminal: TerminalSim, subscriber: str):
    for amount in (1_000, 2_000, 3_000, 4_000, 5_000):
        terminal.top_up(subscriber, amount)
    batch = terminal.wire(terminal.pushed_to + 1)
    random.Random(3).shuffle(batch)
    response = terminal.push(batch)
    assert {status for status, _ in statuses(response).values()} == {"applied"}
    assert [r["seq"] for r in response.json()["results"]] == sorted(w["seq"] for w in batch)
    assert terminal.balance(subscriber) == 15_000


def test_resend_after_a_lost_answer_applies_only_the_new_entries(
    terminal: TerminalSim, subscriber: str
):
    a = terminal.top_up(subscriber, 1_000)
    terminal.push(terminal.wire(a.seq))  # the answer is "lost": the desk resends everything
    b = terminal.top_up(subscriber, 2_000)
    result = statuses(terminal.push(terminal.wire(a.seq)))
    assert result[a.entry_id][0] == "duplicate"
    assert result[b.entry_id][0] == "applied"
    assert terminal.balance(subscriber) == 3_000


def test_batch_limits_and_bad_signatures_are_request_errors(terminal: TerminalSim):
    (wire,) = terminal.wire(1, 1)
    too_many = [wire] * 1001
    response = terminal.push(too_many)
    assert response.status_code == 422
    assert response.json()["error"]["code"] == "push.too_large"
    response = terminal.push([{**wire, "signature": "not hex"}])
    assert response.status_code == 422
    assert response.json()["error"]["code"] == "request.invalid"


def test_signed_but_malformed_entries_do_not_jam_the_chain(terminal: TerminalSim, subscriber: str):
    """An entry the terminal signed is part of its chain even when its payload is unusable: it
    is kept, flagged and has no effect, and the entries after it apply."""
    bad_payloads = [
        ("top_up", {"shift": terminal.shift, "account": subscriber, "amount": 0}),
        ("top_up", {"shift": terminal.shift, "account": subscriber, "amount": "5"}),
        ("top_up", {"shift": terminal.shift, "account": 12, "amount": 5}),
        ("bill_paid", {"shift": terminal.shift, "bill_id": "PV-1"}),
        ("void", {"shift": terminal.shift}),
        ("no_such_type", {"x": 1}),
    ]
    _, prev = terminal.journal.last()
    seq = terminal.pushed_to + 1
    batch = []
    for entry_type, payload in bad_payloads:
        wire = terminal.forge(seq, prev, entry_type=entry_type, payload=payload)
        batch.append(wire)
        prev, seq = wire["hash"], seq + 1
    good = terminal.forge(
        seq, prev, payload={"shift": terminal.shift, "account": subscriber, "amount": 2_000}
    )
    result = statuses(terminal.push([*batch, good]))
    for wire in batch:
        status, reason = result[wire["id"]]
        assert status == "flagged", (wire["body"], reason)
        assert reason
    assert result[good["id"]] == ("applied", None)
    assert terminal.balance(subscriber) == 2_000


def test_the_same_entries_pushed_at_once_are_applied_once_and_answered_duplicate(
    terminal: TerminalSim, subscriber: str
):
    """A desk that timed out and sent again while its first push was still running: the pushes
    wait for each other on the terminal's row; the later ones must see the first one's entries
    as duplicates (not as entries in the way of the chain), and the money moves once."""
    from concurrent.futures import ThreadPoolExecutor

    import requests

    made = [terminal.top_up(subscriber, 1_000) for _ in range(200)]
    batch = terminal.wire(1)

    def send(_: int) -> dict[str, str]:
        with requests.Session() as session:
            session.headers.update(terminal.session.headers)
            answer = session.post(
                f"{terminal.base}/v1/journal",
                json={"terminal_id": terminal.terminal_id, "entries": batch},
                timeout=120,
            )
        assert answer.status_code == 200, answer.text
        return {r["id"]: r["status"] for r in answer.json()["results"]}

    with ThreadPoolExecutor(max_workers=4) as pool:
        answers = list(pool.map(send, range(4)))
    for entry in made:
        seen = sorted(a[entry.entry_id] for a in answers)
        assert seen == ["applied", "duplicate", "duplicate", "duplicate"], seen
    assert terminal.balance(subscriber) == 200_000
