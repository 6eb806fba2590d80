"""Property-based requests from the app's own OpenAPI document against the live server: whatever
the request, and whoever sends it (no or a made-up credential, a terminal, the admin, the
website), the answer is never a server error, and every refusal has the API's error shape.

The schema is loaded from the running server, so the operations are walked inside the test
(schemathesis's lazy pytest loader does not run on this pytest); each operation gets valid
and invalid requests from its own strategy.
"""

from __future__ import annotations

from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode, openapi

from .conftest import Central

EXAMPLES = 15  # per operation and generation mode; four calls each


def assert_error_shape(response: Any, where: str) -> None:
    """Every refusal of the API has one JSON shape with a stable code and a message (the
    receipt page, a page for people, answers in HTML)."""
    try:
        error = response.json()["error"]
    except (ValueError, KeyError, TypeError):
        raise AssertionError(f"{where}: not the error shape: {response.text[:300]}") from None
    assert isinstance(error.get("code"), str) and error["code"], where
    assert error.get("message") and error.get("message_ar"), where


def check_operation(operation: Any, mode: GenerationMode, credentials: dict[str, str]) -> None:
    @given(case=operation.as_strategy(generation_mode=mode))
    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        database=None,
        derandomize=True,
        suppress_health_check=list(HealthCheck),
    )
    def run(case: Any) -> None:
        # As generated (no credential or an arbitrary one), then with each real credential.
        answers = [("generated", case.call(timeout=30))]
        for who, token in credentials.items():
            headers = {"Authorization": f"Bearer {token}"}
            answers.append((who, case.call(headers=headers, timeout=30)))
        for who, response in answers:
            where = f"{case.method} {case.formatted_path} as {who}: {response.status_code}"
            assert response.status_code < 500, f"{where} {response.text[:300]}"
            if response.status_code >= 400 and not case.formatted_path.startswith("/r/"):
                assert_error_shape(response, where)

    run()


def test_no_server_errors(central: Central):
    fuzzer = central.terminal("CAFE-RUWI")
    assert fuzzer.push().status_code == 200
    credentials = {
        "terminal": fuzzer.token,
        "admin": central.admin_token,
        "website": central.website_token,
    }
    schema = openapi.from_url(central.url("/openapi.json"))
    failures = []
    operations = 0
    for result in schema.get_all_operations():
        operation = result.ok()
        operations += 1
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
            try:
                check_operation(operation, mode, credentials)
            except Unsatisfiable:
                continue  # nothing invalid to send: no parameters, or only free text
            except Exception as exc:  # gather every operation's failure, then report them all
                failures.append(f"{operation.label} ({mode.value}): {exc}")
    assert operations >= 15
    assert not failures, "\n\n".join(failures)
