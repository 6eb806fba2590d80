"""The receipt check page in a real browser (Debian's headless Chromium, driven by selenium and
chromedriver) at a phone's size and a desk's: every state, in Arabic first and in English first.

Each view is saved to test-artefacts/receipt-page/ for a person to look at; the test reads the
text back from the page, checks that it fits the width, that the page's font drew it and that
the browser logged no error. Without Chromium the tests skip with a message; under CI=true they
fail (``make test`` installs it when it runs as root).
"""

from __future__ import annotations

import base64
import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

from erial_central import receipt_words as w
from erial_central.receipt_check import State
from erial_desk.domain.clock import muscat_text
from erial_desk.domain.words import text

from .conftest import ROOT, Backend, Central
from .receipt_states import States, make_states

ARTEFACTS = ROOT / "test-artefacts" / "receipt-page"
CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")
SIZES = ((390, 844), (1280, 900))
MISSING = (
    "Chromium is not installed (/usr/bin/chromium and /usr/bin/chromedriver, Debian packages"
    " chromium and chromium-driver): the receipt page's browser tests are skipped; `make test`"
    " installs them when run as root"
)


def browser_paths() -> tuple[Path, Path]:
    chromium = Path(os.environ.get("ERIAL_TEST_CHROMIUM") or shutil.which("chromium") or CHROMIUM)
    driver = Path(
        os.environ.get("ERIAL_TEST_CHROMEDRIVER") or shutil.which("chromedriver") or CHROMEDRIVER
    )
    if not (chromium.exists() and driver.exists()):
        if os.environ.get("CI") == "true":
            pytest.fail(f"CI runs the browser tests: {MISSING}", pytrace=False)
        pytest.skip(MISSING)
    return chromium, driver


@pytest.fixture(scope="module")
def backend(tmp_path_factory: pytest.TempPathFactory) -> Backend:
    """The page reads alike from both databases (test_receipt_page runs on both): the browser
    looks at it once, on SQLite."""
    return Backend("sqlite", tmp_path_factory.mktemp("central-sqlite-browser"))


@pytest.fixture(scope="module")
def states(central: Central) -> States:
    browser_paths()  # skip before making receipts when there is no browser to show them
    return make_states(central)


@pytest.fixture(scope="module", params=["ar", "en"])
def browser(request: pytest.FixtureRequest) -> Iterator[object]:
    """Chromium whose reader prefers ``request.param``."""
    chromium, driver_path = browser_paths()
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = str(chromium)
    for argument in (
        "--headless=new",
        "--no-sandbox",  # CI runs as root
        "--disable-dev-shm-usage",
        "--disable-gpu",
        "--hide-scrollbars",
        f"--lang={request.param}",
    ):
        options.add_argument(argument)
    options.add_experimental_option("prefs", {"intl.accept_languages": request.param})
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(service=Service(str(driver_path)), options=options)
    driver.language = request.param  # type: ignore[attr-defined]
    try:
        yield driver
    finally:
        driver.quit()


def show(driver, url: str, width: int, height: int) -> None:
    driver.execute_cdp_cmd(
        "Emulation.setDeviceMetricsOverride",
        {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": width < 600},
    )
    driver.get(url)
    driver.execute_async_script("document.fonts.ready.then(arguments[arguments.length - 1])")


def screenshot(driver, path: Path, width: int, height: int) -> None:
    """The whole page: the window is made as tall as the page for the picture, then put back
    (Chromium's capture beyond the window shifts right-to-left pages)."""
    full = max(height, driver.execute_script("return document.documentElement.scrollHeight"))
    metrics = {"width": width, "deviceScaleFactor": 1, "mobile": width < 600}
    driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", {**metrics, "height": full})
    shot = driver.execute_cdp_cmd("Page.captureScreenshot", {"format": "png"})
    driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", {**metrics, "height": height})
    path.write_bytes(base64.b64decode(shot["data"]))


def console_errors(driver, url: str, state: str) -> list[str]:
    errors = [e["message"] for e in driver.get_log("browser") if e["level"] == "SEVERE"]
    if state == State.NO_MATCH:
        # The page of a receipt that does not match answers 404, which Chromium logs once.
        page = url.split("?")[0]
        errors = [e for e in errors if not (e.startswith(page) and "404" in e)]
    return errors


def test_every_state_in_the_browser(browser, states: States, central: Central):
    driver, lang = browser, browser.language
    other = "en" if lang == "ar" else "ar"
    ARTEFACTS.mkdir(parents=True, exist_ok=True)
    for name, made in states.receipts.items():
        facts = requests.get(made.url, headers={"Accept": "application/json"}, timeout=30).json()
        verdict = w.VERDICTS[State(made.state)]
        for width, height in SIZES:
            show(driver, made.url, width, height)
            screenshot(driver, ARTEFACTS / f"{name}-{lang}-{width}x{height}.png", width, height)
            where = f"{name} {lang} {width}x{height}"
            page = driver.find_element("tag name", "body").text
            first, second = text(lang, verdict.title), text(other, verdict.title)
            assert first in page and second in page, where
            assert page.index(first) < page.index(second), where
            assert made.receipt in page, where
            if facts["at"] is not None:
                assert muscat_text(facts["at"]) in page, where
            assert text(lang, w.REPORT, phone="1111").replace("\u2068", "").replace(
                "\u2069", ""
            ) in page.replace("\u2068", "").replace("\u2069", ""), where
            for private in states.private:
                assert private not in page, (where, private)
            layout = driver.execute_script(
                """
                const html = document.documentElement;
                const sections = [...document.querySelectorAll('section.answer')];
                return {
                  overflow: html.scrollWidth - window.innerWidth,
                  lang: html.lang,
                  directions: sections.map(s => getComputedStyle(s).direction),
                  font: document.fonts.check('16px "Receipt Sans"', 'بلدية'),
                  scripts: document.scripts.length,
                };
                """
            )
            assert layout["overflow"] <= 0, (where, layout)  # nothing runs off the side
            assert layout["lang"] == lang, where
            expected = ["rtl", "ltr"] if lang == "ar" else ["ltr", "rtl"]
            assert layout["directions"] == expected, (where, layout)
            assert layout["font"], where  # the page's own Arabic font drew it
            assert layout["scripts"] == 0, where
            assert console_errors(driver, made.url, made.state) == [], where
