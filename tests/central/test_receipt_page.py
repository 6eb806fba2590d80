"""The page a receipt's QR code opens: each state told truly, in both languages, the reader's
first; the same answer as JSON; nothing private on any of them."""

from __future__ import annotations

import re

import pytest
import requests
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from erial_central import receipt_words as w
from erial_central.receipt_check import State
from erial_central.receipt_page import language_order
from erial_desk.domain.clock import muscat_text
from erial_desk.domain.entries import parse_receipt_qr, receipt_qr
from erial_desk.domain.words import text

from .conftest import Central
from .receipt_states import States, make_states, qr_of

JSON = {"Accept": "application/json"}


@pytest.fixture(scope="module")
def states(central: Central) -> States:
    return make_states(central)


def get(url: str, **headers: str) -> requests.Response:
    return requests.get(url, headers=headers, timeout=30)


def words(state: str, lang: str) -> tuple[str, str]:
    verdict = w.VERDICTS[State(state)]
    return text(lang, verdict.title), text(lang, verdict.explanation)


def visible(html: str) -> str:
    """The page's text without its markup (what a reader could see or copy)."""
    return re.sub(r"<[^>]+>", " ", html)


def test_each_state_answers_as_json(states: States):
    for name, made in states.receipts.items():
        answer = get(made.url, **JSON)
        assert answer.status_code == (404 if made.state == "no_match" else 200), name
        assert answer.headers["content-type"].startswith("application/json")
        body = answer.json()
        assert body["state"] == made.state, (name, body)
        assert body["receipt"] == made.receipt
        for lang in ("ar", "en"):
            assert body["title"][lang] == words(made.state, lang)[0]
        if "reason" in made.facts:
            assert body["reason"] == made.facts["reason"], name
        if "check_again" in made.facts:
            assert body["check_again"] is made.facts["check_again"], name


def test_a_paid_bill_shows_what_was_paid(states: States):
    made = states.receipts["confirmed_bill"]
    body = get(made.url, **JSON).json()
    assert body["plate"] == made.facts["plate"]
    assert body["bill_reference"] == made.facts["reference"]
    assert body["amount"] == made.facts["amount"]
    assert body["total"] == body["amount"] + body["service_charge"] and body["service_charge"] > 0
    assert body["method"] == "wallet"
    assert body["office"]["name_en"] and body["office"]["name_ar"]
    assert body["service"]["name_ar"] == "مخالفة مواقف"
    page = get(made.url, **{"Accept-Language": "en"}).text
    assert muscat_text(body["at"]) in page  # Muscat time, as on the paper
    assert body["at"][:19] not in page  # never the raw UTC stamp
    assert body["office"]["name_en"] in page and body["office"]["name_ar"] in page
    assert made.facts["plate"] in page and made.facts["reference"] in page
    assert "e-Rial wallet" in page and "محفظة الريال الإلكتروني" in page


def test_each_state_page_is_bilingual_in_the_readers_order(states: States):
    for name, made in states.receipts.items():
        english = get(made.url, **{"Accept-Language": "en-GB,en;q=0.9,ar;q=0.5"})
        arabic = get(made.url, **{"Accept-Language": "ar-OM,ar;q=0.9"})
        for page, first, second in ((english, "en", "ar"), (arabic, "ar", "en")):
            assert page.headers["content-type"].startswith("text/html")
            assert page.headers["cache-control"] == "no-store"
            html = page.text
            assert f'<html lang="{first}" dir="{"rtl" if first == "ar" else "ltr"}">' in html
            first_title, second_title = words(made.state, first)[0], words(made.state, second)[0]
            assert first_title in html and second_title in html, name
            assert html.index(first_title) < html.index(second_title), name
            assert "<script" not in html
            assert made.receipt in html


def test_reversed_receipts_say_why_and_what_to_do(states: States):
    wallet = get(states.receipts["reversed_wallet"].url, **{"Accept-Language": "en"}).text
    assert text("en", w.REASONS[w.Reason.WALLET_NOT_CONFIRMED]) in wallet
    assert text("en", w.BILL_STILL_DUE) in wallet  # the bill was reopened
    assert text("ar", w.BILL_STILL_DUE) in wallet
    assert "PIN" not in wallet and "الرقم السري" not in wallet  # the office's reason stays there
    cash = get(states.receipts["reversed_cash"].url, **{"Accept-Language": "en"}).text
    assert text("en", w.CASH_DUE_BACK) in cash
    assert text("en", w.BILL_STILL_DUE) not in cash


def test_void_and_voided_receipt_link_both_ways(states: States, central: Central):
    voided, slip = states.receipts["voided"], states.receipts["void_slip"]
    original = get(voided.url, **JSON).json()
    assert original["voided_by"] == slip.receipt
    there = get(central.url(original["voided_by_url"]), **JSON).json()
    assert there["state"] == "void_slip" and there["voids"] == voided.receipt
    back = get(central.url(there["voids_url"]), **JSON).json()
    assert back["state"] == "voided"
    page = get(voided.url).text
    assert f'href="{original["voided_by_url"]}"' in page
    assert f'href="{there["voids_url"]}"' in get(slip.url).text


def test_not_received_yet_tells_when_to_look_again(states: States):
    recent = states.receipts["not_received"]
    body = get(recent.url, **JSON).json()
    assert body["at"] is not None and body["amount"] is None and body["office"] is None
    page = get(recent.url, **{"Accept-Language": "en"}).text
    assert text("en", w.CHECK_AGAIN) in page and text("ar", w.CHECK_AGAIN) in page
    assert muscat_text(body["at"]) in page
    late = get(states.receipts["not_received_late"].url, **{"Accept-Language": "en"}).text
    assert text("en", w.LATE) in late and text("en", w.CHECK_AGAIN) not in late


def test_an_issue_time_that_cannot_be_true_is_not_told(states: States):
    recent = states.receipts["not_received"]
    receipt, entry_hash = parse_receipt_qr(recent.url) or ("", "")
    base = recent.url.split("/r/")[0]
    future = get(receipt_qr(base, receipt, entry_hash, "2099-01-01T00:00:00Z"), **JSON).json()
    assert (future["state"], future["at"]) == ("not_received", None)
    # Before the last entry central holds from that counter: it cannot come after them.
    past = receipt_qr(base, receipt, entry_hash, "2020-01-01T00:00:00Z")
    answer = get(past, **JSON).json()
    assert (answer["state"], answer["at"]) == ("not_received", None)
    assert "2020-01-01" not in get(past).text
    assert get(recent.url, **JSON).json()["at"] is not None  # a time that could be true is told
    no_hash = get(recent.url.split("?")[0], **JSON).json()
    assert no_hash["state"] == "no_match"  # a receipt's QR code always carries the whole hash


def test_a_revoked_counters_unsent_receipts_do_not_match(central: Central, subscriber: str):
    sim = central.terminal("MCT-HQ")
    sent = sim.top_up(subscriber, 1_000)
    sim.sync()
    unsent = sim.top_up(subscriber, 2_000)
    assert get(qr_of(central, sim, unsent), **JSON).json()["state"] == "not_received"
    revoked = requests.post(
        central.url(f"/v1/admin/terminals/{sim.terminal_id}/revoke"),
        headers=central.admin_headers,
        timeout=30,
    )
    assert revoked.status_code == 200, revoked.text
    assert get(qr_of(central, sim, unsent), **JSON).json()["state"] == "no_match"
    assert get(qr_of(central, sim, sent), **JSON).json()["state"] == "confirmed"


def test_what_does_not_match_shows_nothing(states: States, central: Central):
    forged = states.receipts["no_match"]
    real = states.receipts["confirmed_top_up"]
    page = get(forged.url)
    assert page.status_code == 404
    assert words("no_match", "en")[0] in page.text and words("no_match", "ar")[0] in page.text
    assert real.facts["amount"] not in page.text
    assert get(real.url.split("?")[0], **JSON).json()["state"] == "no_match"  # no hash
    short = real.url.split("&t=")[0][:-8]  # a few digits of the hash are not enough
    assert get(short, **JSON).json()["state"] == "no_match"
    for receipt in ("ABCDEF12-0000001", "nonsense", "<script>alert(1)</script>-1"):
        page = get(central.url(f"/r/{receipt}?h=" + "ab" * 32))
        assert page.status_code == 404
        assert "<script>" not in page.text


def test_language_order_follows_accept_language():
    assert language_order(None) == ("ar", "en")
    assert language_order("en-US,en;q=0.9") == ("en", "ar")
    assert language_order("fr-FR,fr;q=0.9,en;q=0.8,ar;q=0.7") == ("en", "ar")
    assert language_order("en;q=0.2,ar-OM;q=0.8") == ("ar", "en")
    assert language_order("de,fr") == ("ar", "en")
    assert language_order("en;q=0,ar;q=0") == ("ar", "en")
    assert language_order("en;q=nonsense,ar") == ("ar", "en")


def test_the_qr_carries_the_issue_time_and_still_parses():
    qr = receipt_qr("https://x/", "ABCDEF12-0000007", "ab" * 32, "2026-11-03T06:05:12.123456Z")
    assert qr.endswith("&t=20261103T060512Z")
    assert parse_receipt_qr(qr) == ("ABCDEF12-0000007", "ab" * 32)


REVIEWED = {"not_valid", "under_review"}


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(
    name=st.sampled_from(
        [
            "confirmed_top_up",
            "confirmed_bill",
            "under_review",
            "reversed_wallet",
            "reversed_cash",
            "voided",
            "void_slip",
            "voided_after_review",
            "not_received",
            "not_received_late",
            "no_match",
        ]
    ),
    accept_language=st.sampled_from(["", "ar", "en", "en-GB,ar;q=0.5", "fr", "ar;q=0.1,en"]),
    as_json=st.booleans(),
)
def test_no_state_shows_private_fields_or_false_confirmation(
    states: States, name: str, accept_language: str, as_json: bool
):
    made = states.receipts[name]
    headers = {"Accept-Language": accept_language}
    if as_json:
        headers |= JSON
    shown = get(made.url, **headers).text
    for private in states.private:
        assert private not in shown, (name, private)
    if made.state in REVIEWED:
        for lang in ("ar", "en"):
            for sentence in words("confirmed", lang):
                assert sentence not in shown, (name, sentence)
            assert text(lang, "Confirmed by central") not in shown
    if not as_json:
        assert "Traceback" not in visible(shown)
