"""Reference data signed by central: the office, policy, catalogue, operators (with their PIN
hashes) and the key customers' PINs are sealed to.

The desk keeps this data in its SQLite file, which anyone at the PC can edit; a supervisor's
PIN hash swapped there would let a clerk approve as the supervisor. So central signs each item
with its Ed25519 reference key over the canonical bytes of ``{"kind": ..., "data": ...}`` (the
kind is signed too: an operator's signature never vouches for a policy), the desk pins central's
public key outside the file (in its key store, from the enrolment answer), and checks the
signature before it uses an item.
"""

from __future__ import annotations

from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from .canonical import canonical_bytes
from .errors import IntegrityError, ValidationError
from .words import N_, text

SIGNED_KINDS = ("office", "policy", "catalogue", "operator", "sealing_key")

# What each kind is called in the refusal a person reads.
_NAMES = {
    "office": N_("office record"),
    "policy": N_("policy (limits and rules)"),
    "catalogue": N_("fee catalogue"),
    "operator": N_("operator list"),
    "sealing_key": N_("central key for customer PINs"),
}


def operator_data(
    operator_id: str,
    office_id: str,
    name_en: str,
    name_ar: str,
    role: str,
    pin_hash: str,
    active: bool,
) -> dict[str, Any]:
    """An operator as central signs it (the fields of its feed record)."""
    return {
        "operator_id": operator_id,
        "office_id": office_id,
        "name_en": name_en,
        "name_ar": name_ar,
        "role": role,
        "pin_hash": pin_hash,
        "active": bool(active),
    }


def signed_bytes(kind: str, data: Any) -> bytes:
    return canonical_bytes({"kind": kind, "data": data})


def sign_reference(key: Ed25519PrivateKey, kind: str, data: Any) -> str:
    """Central's signature of one item, as hex."""
    return key.sign(signed_bytes(kind, data)).hex()


def reference_signature_ok(public_key: bytes, kind: str, data: Any, signature: str | None) -> bool:
    if not signature:
        return False
    try:
        Ed25519PublicKey.from_public_bytes(public_key).verify(
            bytes.fromhex(signature), signed_bytes(kind, data)
        )
    except (InvalidSignature, ValueError, ValidationError):
        return False
    return True


def check_reference(public_key: bytes | None, kind: str, data: Any, signature: str | None) -> None:
    """Refuse ``data`` unless central's pinned key signed it as ``kind``."""
    if public_key is None or not reference_signature_ok(public_key, kind, data, signature):
        what = _NAMES[kind]
        raise IntegrityError("reference.unsigned", what=what, what_ar=text("ar", what))
