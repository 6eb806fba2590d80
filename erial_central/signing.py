"""Central's signature on the reference data it serves to desks: the office, policy, catalogue,
operators (with their PIN hashes) and the sealing key (see ``erial_desk.domain.reference``).

Signed where it is served, with the reference key from the secrets file, so the stored rows and
the code that writes them stay as they are; the desk learns the public key at enrolment.
"""

from __future__ import annotations

import base64
from typing import Any

from erial_desk.domain.reference import SIGNED_KINDS, sign_reference

from .settings import CentralSecrets


def sign_feed_page(secrets: CentralSecrets, page: dict[str, Any]) -> dict[str, Any]:
    """Each change of a reference kind gets ``signature``; subscribers and balances are
    central's answers to lookups, not rules the desk enforces, and are not signed."""
    key = secrets.reference_signing_key
    for change in page["changes"]:
        if change["kind"] in SIGNED_KINDS:
            change["signature"] = sign_reference(key, change["kind"], change["data"])
    return page


def sign_policy_answer(secrets: CentralSecrets, answer: dict[str, Any]) -> dict[str, Any]:
    """``/v1/policy``'s office, policy and catalogue, each signed."""
    key = secrets.reference_signing_key
    answer["signatures"] = {
        kind: sign_reference(key, kind, answer[kind]) for kind in ("office", "policy", "catalogue")
    }
    return answer


def central_key_answer(secrets: CentralSecrets) -> dict[str, str]:
    """The sealing key, signed, and the public key reference data is signed with."""
    sealing = base64.b64encode(secrets.sealing_public_key).decode()
    return {
        "sealing_public_key": sealing,
        "sealing_signature": sign_reference(
            secrets.reference_signing_key, "sealing_key", {"sealing_public_key": sealing}
        ),
        "reference_public_key": secrets.reference_public_key.hex(),
    }


def enrol_answer(secrets: CentralSecrets, answer: dict[str, Any]) -> dict[str, Any]:
    """The enrolment answer carries the reference key, which the desk pins in its key store."""
    return answer | {"reference_public_key": secrets.reference_public_key.hex()}
