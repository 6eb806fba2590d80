"""PIN hashing and PIN sealing.

Operator PINs are stored as a salted scrypt hash (slow on purpose: a 4-6 digit PIN has at most a
million values). Customer wallet PINs never get a verifier at the desk: the desk seals the PIN to
central's public key (libsodium sealed box) together with the entry it authorises, so a sealed PIN
cannot be replayed for another payment.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os

from nacl.public import PrivateKey, PublicKey, SealedBox

from .canonical import canonical_bytes, parse
from .errors import AuthError

# scrypt cost: about 50 ms per check on a cheap PC; memory 16 MiB.
SCRYPT_N = 2**14
SCRYPT_R = 8
SCRYPT_P = 1


def hash_pin(pin: str, *, salt: bytes | None = None, n: int = SCRYPT_N) -> str:
    """``scrypt$N$r$p$salt$hash`` with base64 fields."""
    salt = salt if salt is not None else os.urandom(16)
    digest = hashlib.scrypt(pin.encode(), salt=salt, n=n, r=SCRYPT_R, p=SCRYPT_P, dklen=32)
    return "$".join(["scrypt", str(n), str(SCRYPT_R), str(SCRYPT_P), _b64(salt), _b64(digest)])


MIN_SCRYPT_N = 2**10  # a stored hash weaker than this is refused, not trusted


def verify_pin(pin: str, stored: str) -> bool:
    """True when ``pin`` matches ``stored``; False for a wrong PIN or any malformed hash."""
    try:
        scheme, n_text, r_text, p_text, salt, digest = stored.split("$")
        n, r, p = int(n_text), int(r_text), int(p_text)
        if scheme != "scrypt" or n < MIN_SCRYPT_N or r < 1 or p < 1:
            return False
        candidate = hashlib.scrypt(pin.encode(), salt=_unb64(salt), n=n, r=r, p=p, dklen=32)
        return hmac.compare_digest(candidate, _unb64(digest))
    except (ValueError, TypeError, UnicodeError, MemoryError):
        return False


def seal_pin(central_public_key: bytes, pin: str, context: str) -> str:
    """Seal ``pin`` bound to ``context`` (the entry id or account it authorises)."""
    message = canonical_bytes({"context": context, "pin": pin})
    return _b64(SealedBox(PublicKey(central_public_key)).encrypt(message))


def pin_reset_context(account: str, request_id: str) -> str:
    """What a new wallet PIN chosen at a counter is sealed to: that account and that request,
    so that neither a payment's sealed PIN nor an earlier reset's opens as this one."""
    return f"pin-reset:{account}:{request_id}"


def open_sealed_pin(central_private_key: bytes, sealed: str, context: str) -> str:
    """Central's side: the PIN inside ``sealed``, refused when it was sealed for another context."""
    # Anyone can seal anything to a public key: whatever does not parse as ours is a wrong PIN.
    try:
        message = parse(SealedBox(PrivateKey(central_private_key)).decrypt(_unb64(sealed)))
    except Exception as exc:
        raise AuthError("wallet.wrong_pin", left="?") from exc
    if not isinstance(message, dict) or message.get("context") != context:
        raise AuthError("wallet.wrong_pin", left="?")
    pin = message.get("pin")
    if not isinstance(pin, str):
        raise AuthError("wallet.wrong_pin", left="?")
    return pin


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.b64decode(text.encode("ascii"))
