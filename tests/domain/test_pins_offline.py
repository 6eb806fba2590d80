"""Operator PIN hashing, customer PIN sealing, and the offline rule for wallet debits."""

from __future__ import annotations

import base64
import hashlib
import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from nacl.public import PrivateKey, SealedBox

from erial_desk.domain.errors import AuthError, PolicyError
from erial_desk.domain.offline import OfflineWalletState, check_offline_debit
from erial_desk.domain.pins import SCRYPT_N, hash_pin, open_sealed_pin, seal_pin, verify_pin
from erial_desk.domain.policy import Policy

FAST_N = 2**10  # scrypt cost for tests; one test keeps the production cost
SALT = bytes(range(16))
ARABIC_LETTER = re.compile(r"[\u0621-\u064a]")

# --- operator PIN hashes --------------------------------------------------------------------


def test_hash_pin_format_and_parameters():
    stored = hash_pin("1234", salt=SALT, n=FAST_N)
    scheme, n, r, p, salt, digest = stored.split("$")
    assert (scheme, n, r, p) == ("scrypt", "1024", "8", "1")
    assert base64.b64decode(salt) == SALT
    expected = hashlib.scrypt(b"1234", salt=SALT, n=FAST_N, r=8, p=1, dklen=32)
    assert base64.b64decode(digest) == expected
    assert "1234" not in stored


def test_hash_pin_verifies_the_right_pin_only():
    stored = hash_pin("2580", n=FAST_N)
    assert verify_pin("2580", stored)
    for wrong in ("2581", "0258", "258", "25800", "", "٢٥٨٠"):
        assert not verify_pin(wrong, stored)


def test_hash_pin_is_salted():
    first, second = hash_pin("1234", n=FAST_N), hash_pin("1234", n=FAST_N)
    assert first != second
    assert verify_pin("1234", first) and verify_pin("1234", second)
    assert hash_pin("1234", salt=SALT, n=FAST_N) == hash_pin("1234", salt=SALT, n=FAST_N)


def test_hash_pin_with_the_production_cost():
    stored = hash_pin("9999")
    assert stored.split("$")[1] == str(SCRYPT_N)
    assert verify_pin("9999", stored)
    assert not verify_pin("9998", stored)


@settings(max_examples=20, deadline=None, derandomize=True)
@given(st.text("0123456789", min_size=4, max_size=6), st.text("0123456789", min_size=4, max_size=6))
def test_verify_pin_property(pin, other):
    stored = hash_pin(pin, salt=SALT, n=FAST_N)
    assert verify_pin(pin, stored)
    assert verify_pin(other, stored) == (other == pin)


GOOD = hash_pin("1234", salt=SALT, n=FAST_N)


@pytest.mark.parametrize(
    "stored",
    [
        "",
        "1234",
        "garbage",
        "scrypt",
        "scrypt$1024$8$1$salt",
        GOOD + "$extra",
        GOOD.replace("scrypt", "bcrypt", 1),
        GOOD.replace("scrypt", "", 1),
    ],
)
def test_malformed_stored_hash_is_false(stored):
    assert verify_pin("1234", stored) is False


@pytest.mark.parametrize(
    "stored",
    [
        pytest.param("scrypt$x$8$1$AAAA$BBBB", id="n-not-a-number"),
        pytest.param("scrypt$1000$8$1$AAAA$BBBB", id="n-not-power-of-2"),
        pytest.param("scrypt$1024$8$1$A$BBBB", id="bad-base64"),
        pytest.param("scrypt$1024$8$1$é$BBBB", id="non-ascii"),
    ],
)
def test_malformed_stored_hash_fields_are_false(stored):
    assert verify_pin("1234", stored) is False


# --- sealed customer PINs -------------------------------------------------------------------

CENTRAL = PrivateKey(bytes(range(100, 132)))
CENTRAL_PUBLIC = bytes(CENTRAL.public_key)
OTHER = PrivateKey(bytes(range(200, 232)))
CONTEXT = "0190a3c2-7b1e-7c3d-9f00-1234abcd5678"


def wrong_pin(private: PrivateKey, sealed: str, context: str = CONTEXT) -> AuthError:
    with pytest.raises(AuthError) as err:
        open_sealed_pin(bytes(private), sealed, context)
    assert err.value.code == "wallet.wrong_pin"
    return err.value


def test_sealed_pin_round_trip():
    sealed = seal_pin(CENTRAL_PUBLIC, "4321", CONTEXT)
    assert open_sealed_pin(bytes(CENTRAL), sealed, CONTEXT) == "4321"
    assert "4321" not in sealed
    base64.b64decode(sealed, validate=True)


def test_sealing_is_randomised():
    # Two seals of the same PIN differ, so a sealed PIN reveals nothing by comparison.
    assert seal_pin(CENTRAL_PUBLIC, "4321", CONTEXT) != seal_pin(CENTRAL_PUBLIC, "4321", CONTEXT)


@settings(max_examples=30, deadline=None, derandomize=True)
@given(st.text("0123456789", min_size=4, max_size=6), st.uuids())
def test_sealed_pin_property(pin, context):
    sealed = seal_pin(CENTRAL_PUBLIC, pin, str(context))
    assert open_sealed_pin(bytes(CENTRAL), sealed, str(context)) == pin


def test_sealed_pin_is_bound_to_its_context():
    sealed = seal_pin(CENTRAL_PUBLIC, "4321", CONTEXT)
    wrong_pin(CENTRAL, sealed, "another-entry")
    wrong_pin(CENTRAL, sealed, "")


def test_sealed_pin_opens_only_with_central_s_key():
    wrong_pin(OTHER, seal_pin(CENTRAL_PUBLIC, "4321", CONTEXT))


@pytest.mark.parametrize(
    "sealed",
    [
        "",
        "not base64!",
        "AAAA",
        base64.b64encode(bytes(range(100))).decode(),
        seal_pin(CENTRAL_PUBLIC, "4321", CONTEXT)[:-8],
        "é",
    ],
)
def test_garbage_is_refused(sealed):
    wrong_pin(CENTRAL, sealed)


def test_tampered_ciphertext_is_refused():
    raw = bytearray(base64.b64decode(seal_pin(CENTRAL_PUBLIC, "4321", CONTEXT)))
    raw[-1] ^= 1
    wrong_pin(CENTRAL, base64.b64encode(bytes(raw)).decode())


@pytest.mark.parametrize(
    "plaintext", [b"[1]", b'"4321"', b'{"context":"%s"}' % CONTEXT.encode(), b'{"context":1.5}']
)
def test_well_sealed_message_of_the_wrong_shape_is_refused(plaintext):
    sealed = base64.b64encode(SealedBox(CENTRAL.public_key).encrypt(plaintext)).decode()
    wrong_pin(CENTRAL, sealed)


# --- offline wallet debits ------------------------------------------------------------------

POLICY = Policy()  # 20.000 OMR per payment, 50.000 OMR per wallet per day, balance <= 24 h old
FRESH = OfflineWalletState(
    known_balance=100_000, balance_age_hours=1, pending_debits=0, offline_today=0
)


def refused(amount: int, wallet: OfflineWalletState, policy: Policy = POLICY) -> PolicyError:
    with pytest.raises(PolicyError) as err:
        check_offline_debit(policy, amount, wallet)
    assert err.value.code == "offline.not_allowed"
    return err.value


def state(**changes) -> OfflineWalletState:
    values = {
        "known_balance": FRESH.known_balance,
        "balance_age_hours": FRESH.balance_age_hours,
        "pending_debits": FRESH.pending_debits,
        "offline_today": FRESH.offline_today,
    }
    values.update(changes)
    return OfflineWalletState(**values)


def test_debit_inside_every_bound_is_allowed():
    check_offline_debit(POLICY, 5_000, FRESH)


def test_bounds_are_inclusive():
    check_offline_debit(POLICY, 20_000, FRESH)  # exactly the per-payment cap
    check_offline_debit(POLICY, 20_000, state(offline_today=30_000))  # exactly the daily cap
    check_offline_debit(POLICY, 5_000, state(balance_age_hours=24))  # exactly the maximum age
    check_offline_debit(POLICY, 5_000, state(known_balance=8_000, pending_debits=3_000))


def test_per_payment_cap():
    error = refused(20_001, FRESH)
    assert "20.000 OMR" in error.message("en")
    assert "per payment" in error.params["rule"]


def test_daily_cap_per_wallet():
    error = refused(10_000, state(offline_today=40_001))
    assert "50.000 OMR" in error.message("en")
    assert "daily" in error.params["rule"]


@pytest.mark.parametrize(
    "wallet",
    [state(known_balance=None), state(balance_age_hours=None)],
    ids=["balance", "age"],
)
def test_unknown_balance(wallet):
    assert "not known" in refused(1_000, wallet).params["rule"]


def test_balance_too_old():
    assert "too old" in refused(1_000, state(balance_age_hours=24.5)).params["rule"]


def test_last_known_balance_minus_pending_debits():
    error = refused(5_001, state(known_balance=8_000, pending_debits=3_000))
    assert "5.000 OMR" in error.message("en")
    error = refused(1_000, state(known_balance=2_000, pending_debits=3_000))
    assert "0.000 OMR" in error.message("en")  # never a negative allowance


def test_first_broken_rule_is_named():
    error = refused(30_000, state(known_balance=None, offline_today=45_000))
    assert "per payment" in error.params["rule"]


def test_caps_come_from_the_policy():
    strict = Policy(
        offline_transaction_cap=1_000,
        offline_daily_cap_per_wallet=1_500,
        offline_balance_max_age_hours=1,
    )
    refused(1_001, FRESH, strict)
    refused(1_000, state(offline_today=600), strict)
    refused(1_000, state(balance_age_hours=2), strict)
    check_offline_debit(strict, 1_000, FRESH)


def test_refusal_has_an_arabic_message():
    error = refused(20_001, FRESH)
    assert ARABIC_LETTER.search(error.message("ar"))
    assert ARABIC_LETTER.search(error.params["rule_ar"])
    assert "20.000 ر.ع." in error.params["rule_ar"]


def test_arabic_message_states_the_rule_in_arabic():
    error = refused(20_001, FRESH)
    assert error.params["rule_ar"] in error.message("ar")
    assert "per payment" not in error.message("ar")


@settings(max_examples=500, deadline=None, derandomize=True)
@given(
    amount=st.integers(1, 60_000),
    known=st.none() | st.integers(0, 100_000),
    age=st.none() | st.integers(0, 48),
    pending=st.integers(0, 60_000),
    today=st.integers(0, 60_000),
)
def test_offline_rule_property(amount, known, age, pending, today):
    wallet = OfflineWalletState(known, age, pending, today)
    allowed = (
        amount <= POLICY.offline_transaction_cap
        and today + amount <= POLICY.offline_daily_cap_per_wallet
        and known is not None
        and age is not None
        and age <= POLICY.offline_balance_max_age_hours
        and amount <= known - pending
    )
    if allowed:
        check_offline_debit(POLICY, amount, wallet)
    else:
        refused(amount, wallet)
