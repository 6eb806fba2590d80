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

from nacl.exceptions import CryptoError
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


def verify_pin(pin: str, stored: str) -> bool:
    try:
        scheme, n, r, p, salt, digest = stored.split("$")
    except ValueError:
        return False
    if scheme != "scrypt":
        return False
    candidate = hashlib.scrypt(
        pin.encode(), salt=_unb64(salt), n=int(n), r=int(r), p=int(p), dklen=32
    )
    return hmac.compare_digest(candidate, _unb64(digest))


def seal_pin(central_public_key: bytes, pin: str, context: str) -> str:
    """Seal ``pin`` bound to ``context`` (the entry id or account it authorises)."""
    message = canonical_bytes({"context": context, "pin": pin})
    return _b64(SealedBox(PublicKey(central_public_key)).encrypt(message))


def open_sealed_pin(central_private_key: bytes, sealed: str, context: str) -> str:
    """Central's side: the PIN inside ``sealed``, refused when it was sealed for another context."""
    try:
        message = parse(SealedBox(PrivateKey(central_private_key)).decrypt(_unb64(sealed)))
    except (CryptoError, ValueError) as exc:
        raise AuthError("wallet.wrong_pin", left="?") from exc
    if message.get("context") != context:
        raise AuthError("wallet.wrong_pin", left="?")
    return str(message["pin"])


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.b64decode(text.encode("ascii"))
