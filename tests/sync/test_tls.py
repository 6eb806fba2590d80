"""TLS: a central whose certificate the desk does not trust is refused before anything is sent;
with the municipality's CA in ``ca_bundle`` the same central works. Central sits behind a TLS
front (the proxy, terminating TLS on 127.0.0.1 as a load balancer would)."""

from __future__ import annotations

import ipaddress
import ssl
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from erial_central.admin import token_hash
from erial_desk.config import Settings
from erial_desk.domain.errors import CentralError, ConfigError
from erial_desk.domain.policy import PaymentMethod
from erial_desk.services import Desk

from .conftest import (
    CentralServer,
    eventually,
    find_bill,
    reopen,
    start_shift,
    sync_until_done,
)
from .fault_proxy import FaultProxy


class Authority:
    """A certificate authority made for the test, and server certificates it issues."""

    def __init__(self, name: str) -> None:
        self.key = ec.generate_private_key(ec.SECP256R1())
        subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
        now = datetime.now(UTC)
        self.cert = (
            x509.CertificateBuilder()
            .subject_name(subject)
            .issuer_name(subject)
            .public_key(self.key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - timedelta(days=1))
            .not_valid_after(now + timedelta(days=30))
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
            .add_extension(
                x509.KeyUsage(
                    digital_signature=True,
                    content_commitment=False,
                    key_encipherment=False,
                    data_encipherment=False,
                    key_agreement=False,
                    key_cert_sign=True,
                    crl_sign=True,
                    encipher_only=False,
                    decipher_only=False,
                ),
                critical=True,
            )
            .add_extension(
                x509.SubjectKeyIdentifier.from_public_key(self.key.public_key()), critical=False
            )
            .sign(self.key, hashes.SHA256())
        )

    def bundle(self, path: Path) -> Path:
        path.write_bytes(self.cert.public_bytes(serialization.Encoding.PEM))
        return path

    def server_context(self, workdir: Path, names: list[str], ips: list[str]) -> ssl.SSLContext:
        key = ec.generate_private_key(ec.SECP256R1())
        now = datetime.now(UTC)
        alt = [x509.DNSName(n) for n in names] + [
            x509.IPAddress(ipaddress.ip_address(i)) for i in ips
        ]
        cert = (
            x509.CertificateBuilder()
            .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "erial central")]))
            .issuer_name(self.cert.subject)
            .public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - timedelta(days=1))
            .not_valid_after(now + timedelta(days=30))
            .add_extension(x509.SubjectAlternativeName(alt), critical=False)
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .add_extension(
                x509.ExtendedKeyUsage([x509.oid.ExtendedKeyUsageOID.SERVER_AUTH]), critical=False
            )
            .add_extension(
                x509.AuthorityKeyIdentifier.from_issuer_public_key(self.key.public_key()),
                critical=False,
            )
            .sign(self.key, hashes.SHA256())
        )
        chain = workdir / f"server-{x509.random_serial_number()}.pem"
        chain.write_bytes(
            cert.public_bytes(serialization.Encoding.PEM)
            + key.private_bytes(
                serialization.Encoding.PEM,
                serialization.PrivateFormat.PKCS8,
                serialization.NoEncryption(),
            )
        )
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(chain)
        return context


@pytest.fixture(scope="module")
def municipal_ca() -> Authority:
    return Authority("Muscat Municipality test CA")


@pytest.fixture
def tls_front(central: CentralServer, municipal_ca: Authority, tmp_path: Path):
    """Central behind TLS with a certificate for 127.0.0.1 and localhost from the test CA."""
    context = municipal_ca.server_context(tmp_path, ["localhost"], ["127.0.0.1"])
    front = FaultProxy(central.port, tls=context).start()
    yield front
    front.stop()


def _with_ca_bundle(data: Path, bundle: Path) -> None:
    replace(Settings.load(data), ca_bundle=str(bundle)).save(data)


def _code_unused(central: CentralServer, code: str) -> bool:
    rows = central.query(
        "SELECT terminal_id FROM terminals WHERE enrolment_code_hash = :h", h=token_hash(code)
    )
    return rows == [(None,)]


def test_untrusted_certificate_is_refused_and_nothing_is_sent(
    central: CentralServer, tls_front: FaultProxy, municipal_ca: Authority, tmp_path: Path
):
    data = tmp_path / "desk"
    code = central.enrolment_code("MCT-HQ")
    Desk.init_for_central(data, office_id="MCT-HQ", central_url=tls_front.url, keyring="memory")
    with pytest.raises(CentralError) as err:
        Desk.enroll(data, tls_front.url, code)
    assert err.value.code == "central.untrusted_certificate"
    assert "ca_bundle" in err.value.message("en")
    assert tls_front.seen == [] and tls_front.forwarded == 0, "no request reached the server"
    assert eventually(lambda: tls_front.counts["tls_refused"] == 1)
    assert tls_front.counts["tls_refused"] == 1, "a certificate error is not retried"
    assert _code_unused(central, code)
    # With the municipality's CA as the bundle, the same server is trusted.
    _with_ca_bundle(data, municipal_ca.bundle(tmp_path / "municipal-ca.pem"))
    with start_shift(Desk.enroll(data, tls_front.url, code)) as desk:
        (bill,) = central.open_bills(1)
        desk.pay_bill(find_bill(desk, bill), PaymentMethod.CASH)
        assert sync_until_done(desk).waiting == 0
        assert len(central.entries_of(desk.terminal_id)) == 2
    assert not _code_unused(central, code)


def test_a_certificate_for_another_name_is_refused(
    central: CentralServer, municipal_ca: Authority, tmp_path: Path
):
    context = municipal_ca.server_context(tmp_path, ["central.example"], [])
    front = FaultProxy(central.port, tls=context).start()
    try:
        data = tmp_path / "desk"
        code = central.enrolment_code("MCT-HQ")
        Desk.init_for_central(data, office_id="MCT-HQ", central_url=front.url, keyring="memory")
        _with_ca_bundle(data, municipal_ca.bundle(tmp_path / "municipal-ca.pem"))
        with pytest.raises(CentralError) as err:
            Desk.enroll(data, front.url, code)
        assert err.value.code == "central.untrusted_certificate"
        assert front.seen == [] and front.forwarded == 0
        assert _code_unused(central, code)
    finally:
        front.stop()


def test_an_enrolled_desk_facing_another_certificate_sends_nothing(
    central: CentralServer, tls_front: FaultProxy, municipal_ca: Authority, tmp_path: Path
):
    data = tmp_path / "desk"
    code = central.enrolment_code("MCT-HQ")
    Desk.init_for_central(data, office_id="MCT-HQ", central_url=tls_front.url, keyring="memory")
    _with_ca_bundle(data, municipal_ca.bundle(tmp_path / "municipal-ca.pem"))
    with start_shift(Desk.enroll(data, tls_front.url, code)) as desk:
        (bill,) = central.open_bills(1)
        found = find_bill(desk, bill)
    # Someone else answers at central's address now, with a certificate from another CA.
    rogue = Authority("Not the municipality")
    tls_front.tls = rogue.server_context(tmp_path, ["localhost"], ["127.0.0.1"])
    seen, forwarded = len(tls_front.seen), tls_front.forwarded
    with reopen(data) as desk:  # opens from what it kept: the server is not trusted
        start_shift_again = desk.login("salim", "1111")
        assert start_shift_again.operator_id == "salim"
        desk.pay_bill(found, PaymentMethod.CASH)
        status = desk.sync_once()
        assert status.last_error == "central.untrusted_certificate" and status.waiting == 2
    assert len(tls_front.seen) == seen and tls_front.forwarded == forwarded
    assert central.entries_of(desk.terminal_id) == []


def test_plain_http_is_only_for_loopback(tmp_path: Path):
    with pytest.raises(ConfigError) as err:
        Desk.init_for_central(
            tmp_path / "d",
            office_id="MCT-HQ",
            central_url="http://central.example",
            keyring="memory",
        )
    assert err.value.code == "config.invalid_setting"
    assert not (tmp_path / "d" / "desk.sqlite").exists()
