"""The signed hash chain: a valid chain verifies; every kind of tampering is named at its entry."""

from __future__ import annotations

import dataclasses
import uuid

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from hypothesis import given, settings
from hypothesis import strategies as st

from erial_desk.domain.canonical import parse
from erial_desk.domain.chain import (
    ENVELOPE_VERSION,
    ChainBreak,
    SignedEntry,
    StoredRow,
    build_envelope,
    encode_envelope,
    entry_hash,
    genesis_hash,
    iter_bodies,
    uuid7,
    verify_chain,
)
from erial_desk.domain.entries import TopUp

TERMINAL = "0190a3c2-7b1e-7c3d-9f00-1234abcd5678"
OTHER_TERMINAL = "0190a3c2-7b1e-7c3d-9f00-0000deadbeef"
BASE_MS = 1_735_689_600_000  # 2025-01-01T00:00:00Z

KEY = Ed25519PrivateKey.from_private_bytes(bytes(range(32)))
OTHER_KEY = Ed25519PrivateKey.from_private_bytes(bytes(range(32, 64)))
PUBLIC = KEY.public_key()


def make_row(
    seq: int,
    prev: str,
    *,
    key: Ed25519PrivateKey = KEY,
    terminal: str = TERMINAL,
    amount: int | None = None,
) -> StoredRow:
    entry_id = uuid7(BASE_MS + seq * 1000, bytes([seq % 256]) * 10)
    at = f"2025-01-01T08:{seq // 60 % 60:02d}:{seq % 60:02d}Z"
    payload = TopUp(shift="shift-1", account="100000000008", amount=amount or 1000 * seq)
    envelope = build_envelope(
        entry_id=entry_id,
        terminal_id=terminal,
        seq=seq,
        at=at,
        entry_type=payload.TYPE,
        operator="salim",
        policy_version=1,
        catalogue_version=1,
        payload=payload.to_payload(),
        prev=prev,
    )
    body, digest = encode_envelope(envelope)
    signature = key.sign(bytes.fromhex(digest))
    return StoredRow(seq, entry_id, str(payload.TYPE), at, body, digest, prev, signature, "salim")


def make_chain(
    n: int, *, key: Ed25519PrivateKey = KEY, terminal: str = TERMINAL, first_prev: str | None = None
) -> list[StoredRow]:
    rows: list[StoredRow] = []
    prev = first_prev if first_prev is not None else genesis_hash(terminal)
    for seq in range(1, n + 1):
        row = make_row(seq, prev, key=key, terminal=terminal)
        rows.append(row)
        prev = row.hash
    return rows


def with_body(row: StoredRow, body: bytes, *, rehash: bool, key: Ed25519PrivateKey | None = None):
    """The row with another body; ``rehash`` recomputes its hash as a forger would."""
    digest = entry_hash(body) if rehash else row.hash
    signature = key.sign(bytes.fromhex(digest)) if key is not None else row.signature
    return dataclasses.replace(row, body=body, hash=digest, signature=signature)


@pytest.fixture
def rows() -> list[StoredRow]:
    return make_chain(5)


def expect_break(result, seq: int, *words: str, checked: int | None = None) -> ChainBreak:
    count, broken = result
    assert broken is not None, "the chain should be broken"
    assert broken.seq == seq
    assert count == (seq - 1 if checked is None else checked)
    for word in words:
        assert word in broken.reason
    assert str(seq) in str(broken)
    return broken


# --- the intact chain -----------------------------------------------------------------------


def test_intact_chain_verifies(rows):
    assert verify_chain(rows, TERMINAL, PUBLIC) == (5, None)
    assert verify_chain(rows, TERMINAL, None) == (5, None)


def test_empty_chain_verifies():
    assert verify_chain([], TERMINAL, PUBLIC) == (0, None)


def test_rows_may_be_a_generator(rows):
    assert verify_chain(iter(rows), TERMINAL, PUBLIC) == (5, None)


def test_envelope_contents(rows):
    first = parse(rows[0].body)
    assert first["v"] == ENVELOPE_VERSION
    assert first["prev"] == genesis_hash(TERMINAL)
    assert first["terminal"] == TERMINAL and first["seq"] == 1 and first["type"] == "top_up"
    assert first["payload"] == {"shift": "shift-1", "account": "100000000008", "amount": 1000}
    assert parse(rows[1].body)["prev"] == rows[0].hash
    assert [env["seq"] for env in iter_bodies(rows)] == [1, 2, 3, 4, 5]


def test_signed_entry_gives_back_its_envelope(rows):
    row = rows[2]
    entry = SignedEntry(row.seq, row.entry_id, row.body, row.hash, row.signature)
    assert entry.envelope() == parse(row.body)
    assert entry.envelope()["id"] == row.entry_id


def test_genesis_hash_depends_on_the_terminal():
    assert genesis_hash(TERMINAL) == genesis_hash(TERMINAL)
    assert genesis_hash(TERMINAL) != genesis_hash(OTHER_TERMINAL)
    assert len(genesis_hash(TERMINAL)) == 64
    int(genesis_hash(TERMINAL), 16)


def test_verification_can_start_in_the_middle(rows):
    tail = rows[2:]
    assert verify_chain(tail, TERMINAL, PUBLIC, start_seq=3, start_prev=rows[1].hash) == (3, None)
    expect_break(verify_chain(tail, TERMINAL, PUBLIC), 1, "found seq 3")
    expect_break(
        verify_chain(tail, TERMINAL, PUBLIC, start_seq=3, start_prev=rows[0].hash),
        3,
        "previous hash",
        checked=0,
    )


# --- tampering ------------------------------------------------------------------------------


@pytest.mark.parametrize("public_key", [PUBLIC, None], ids=["signed", "hash-only"])
def test_edited_body_is_named(rows, public_key):
    edited = rows[2].body.replace(b'"amount":3000', b'"amount":300000')
    assert edited != rows[2].body
    rows[2] = with_body(rows[2], edited, rehash=False)
    broken = expect_break(verify_chain(rows, TERMINAL, public_key), 3, "content edited")
    assert broken.entry_id == rows[2].entry_id


def test_edited_body_with_recomputed_hash_fails_its_signature(rows):
    edited = rows[2].body.replace(b'"amount":3000', b'"amount":300000')
    rows[2] = with_body(rows[2], edited, rehash=True)
    expect_break(verify_chain(rows, TERMINAL, PUBLIC), 3, "signature")


def test_edited_body_with_recomputed_hash_breaks_the_next_link(rows):
    # Without signatures, a forger who rehashes the entry is caught by the next entry's prev.
    edited = rows[2].body.replace(b'"amount":3000', b'"amount":300000')
    rows[2] = with_body(rows[2], edited, rehash=True, key=OTHER_KEY)
    expect_break(verify_chain(rows, TERMINAL, None), 4, "previous hash")


def test_edited_last_entry_resigned_by_another_key(rows):
    edited = rows[4].body.replace(b'"amount":5000', b'"amount":5')
    rows[4] = with_body(rows[4], edited, rehash=True, key=OTHER_KEY)
    expect_break(verify_chain(rows, TERMINAL, PUBLIC), 5, "signature")
    assert verify_chain(rows, TERMINAL, None) == (5, None)  # only the signature can tell


def test_wrong_hash_column(rows):
    rows[1] = dataclasses.replace(rows[1], hash="0" * 64)
    expect_break(verify_chain(rows, TERMINAL, PUBLIC), 2, "hash does not match")


@pytest.mark.parametrize("public_key", [PUBLIC, None], ids=["signed", "hash-only"])
def test_deleted_middle_row(rows, public_key):
    del rows[2]
    broken = expect_break(verify_chain(rows, TERMINAL, public_key), 3, "missing", "found seq 4")
    assert broken.entry_id == rows[2].entry_id  # the row found where seq 3 should be


def test_deleted_first_row(rows):
    expect_break(verify_chain(rows[1:], TERMINAL, PUBLIC), 1, "missing", "found seq 2")


def test_inserted_forged_row_fails_its_signature(rows):
    forged = make_row(3, rows[1].hash, key=OTHER_KEY, amount=999_000)
    rows.insert(2, forged)
    broken = expect_break(verify_chain(rows, TERMINAL, PUBLIC), 3, "signature")
    assert broken.entry_id == forged.entry_id


def test_inserted_row_is_found_without_signatures(rows):
    forged = make_row(3, rows[1].hash, key=OTHER_KEY, amount=999_000)
    rows.insert(2, forged)
    # The forged row links correctly; the original seq 3 then arrives where seq 4 is due.
    expect_break(verify_chain(rows, TERMINAL, None), 4, "inserted", "found seq 3")


def test_duplicated_row(rows):
    rows.insert(3, rows[2])
    expect_break(verify_chain(rows, TERMINAL, PUBLIC), 4, "found seq 3")


def test_swapped_rows(rows):
    rows[1], rows[2] = rows[2], rows[1]
    expect_break(verify_chain(rows, TERMINAL, PUBLIC), 2, "found seq 3")


def test_swapped_rows_with_renumbered_seq_columns(rows):
    # Renumbering the seq columns hides the swap from the sequence check but not from the chain.
    second, third = rows[1], rows[2]
    rows[1] = dataclasses.replace(third, seq=2)
    rows[2] = dataclasses.replace(second, seq=3)
    expect_break(verify_chain(rows, TERMINAL, None), 2, "previous hash")


@pytest.mark.parametrize(
    "change",
    [
        {"entry_type": "bill_paid"},
        {"entry_id": str(uuid.UUID(int=1))},
        {"at": "2024-12-31T23:59:59Z"},
    ],
    ids=lambda c: next(iter(c)),
)
def test_column_differs_from_signed_body(rows, change):
    rows[3] = dataclasses.replace(rows[3], **change)
    expect_break(verify_chain(rows, TERMINAL, PUBLIC), 4, "columns differ")


def test_prev_hash_column_differs(rows):
    rows[3] = dataclasses.replace(rows[3], prev_hash=rows[1].hash)
    expect_break(verify_chain(rows, TERMINAL, PUBLIC), 4, "previous hash")


def test_seq_in_body_differs_from_column():
    genesis = genesis_hash(TERMINAL)
    row = make_row(7, genesis)  # body says seq 7
    row = dataclasses.replace(row, seq=1)
    expect_break(verify_chain([row], TERMINAL, PUBLIC), 1, "columns differ")


def test_rows_of_another_terminal_do_not_verify(rows):
    expect_break(verify_chain(rows, OTHER_TERMINAL, PUBLIC), 1, "previous hash")
    foreign = make_chain(1, terminal=OTHER_TERMINAL, first_prev=genesis_hash(TERMINAL))
    expect_break(verify_chain(foreign, TERMINAL, PUBLIC), 1, "columns differ")


@pytest.mark.parametrize("first_prev", ["0" * 64, genesis_hash(OTHER_TERMINAL), ""])
def test_first_entry_must_chain_to_the_genesis_hash(first_prev):
    rows = make_chain(3, first_prev=first_prev)
    expect_break(verify_chain(rows, TERMINAL, PUBLIC), 1, "previous hash")
    expect_break(verify_chain(rows, TERMINAL, None), 1, "previous hash")


def test_signature_by_another_key(rows):
    rows[1] = dataclasses.replace(rows[1], signature=OTHER_KEY.sign(bytes.fromhex(rows[1].hash)))
    expect_break(verify_chain(rows, TERMINAL, PUBLIC), 2, "signature does not verify")


def test_whole_chain_signed_by_another_key():
    rows = make_chain(3, key=OTHER_KEY)
    expect_break(verify_chain(rows, TERMINAL, PUBLIC), 1, "signature")
    assert verify_chain(rows, TERMINAL, OTHER_KEY.public_key()) == (3, None)


@pytest.mark.parametrize("signature", [b"", b"\x00" * 64, b"garbage"])
def test_missing_or_garbage_signature(rows, signature):
    rows[0] = dataclasses.replace(rows[0], signature=signature)
    expect_break(verify_chain(rows, TERMINAL, PUBLIC), 1, "signature")


def test_hash_only_mode_skips_signatures(rows):
    unsigned = [dataclasses.replace(row, signature=b"") for row in rows]
    assert verify_chain(unsigned, TERMINAL, None) == (5, None)


def test_body_that_is_not_json(rows):
    rows[1] = with_body(rows[1], b"not json", rehash=True)
    expect_break(verify_chain(rows, TERMINAL, None), 2, "not canonical JSON")


@pytest.mark.parametrize("body", [b"[1]", b"42", b'{"amount":1.5}'])
@pytest.mark.parametrize("public_key", [PUBLIC, None], ids=["signed", "hash-only"])
def test_rehashed_body_of_the_wrong_shape_is_a_chain_break(rows, body, public_key):
    # A JSON body that is not an object, or that holds a float, must be reported as a break
    # (verify-journal names the entry) rather than crash the verification.
    rows[1] = with_body(rows[1], body, rehash=True)
    expect_break(verify_chain(rows, TERMINAL, public_key), 2)


def test_chain_break_names_the_entry():
    broken = ChainBreak(3, "abc", "content edited (hash does not match)")
    assert str(broken) == "entry 3 (abc): content edited (hash does not match)"
    assert str(ChainBreak(3, None, "missing")) == "entry 3: missing"


# --- uuid7 ----------------------------------------------------------------------------------

ms = st.integers(0, 2**48 - 1)
rand = st.binary(min_size=10, max_size=16)


@settings(max_examples=300, deadline=None, derandomize=True)
@given(ms, rand)
def test_uuid7_layout(unix_ms, random_bytes):
    text = uuid7(unix_ms, random_bytes)
    value = uuid.UUID(text)
    assert str(value) == text and len(text) == 36
    assert value.version == 7
    assert value.variant == uuid.RFC_4122
    assert (value.int >> 76) & 0xF == 0x7
    assert (value.int >> 62) & 0b11 == 0b10
    assert value.int >> 80 == unix_ms
    # The random bits come from the random bytes.
    assert (value.int >> 64) & 0x0FFF == int.from_bytes(random_bytes[:2], "big") & 0x0FFF
    assert value.int & ((1 << 62) - 1) == int.from_bytes(random_bytes[2:10], "big") & (
        (1 << 62) - 1
    )


@settings(max_examples=300, deadline=None, derandomize=True)
@given(ms, ms, rand, rand)
def test_uuid7_is_time_ordered(ms_a, ms_b, rand_a, rand_b):
    if ms_a == ms_b:
        return
    first, second = sorted([ms_a, ms_b])
    early, late = uuid7(first, rand_a), uuid7(second, rand_b)
    assert early < late
    assert uuid.UUID(early).int < uuid.UUID(late).int


def test_uuid7_with_extreme_random_bytes_keeps_version_and_variant():
    for fill in (b"\x00", b"\xff"):
        value = uuid.UUID(uuid7(BASE_MS, fill * 10))
        assert value.version == 7 and value.variant == uuid.RFC_4122


def test_uuid7_needs_ten_random_bytes():
    with pytest.raises(ValueError):
        uuid7(BASE_MS, b"\x00" * 9)


def test_uuid7_differs_with_the_random_bytes():
    assert uuid7(BASE_MS, b"\x00" * 10) != uuid7(BASE_MS, b"\x00" * 9 + b"\x01")
