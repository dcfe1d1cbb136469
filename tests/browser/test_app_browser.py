"""The app in a real browser: Voilà serves notebooks/03_app.ipynb, Playwright drives chromium.

Upload a damaged workbook first (its error must show under "3 · Sheet", nowhere else), then the
sample sheet through the FileUpload input, click Connect -> Validate -> Dry run -> Run, check
the success count the page shows against a run of the same sheet in this process, check that
the wide results table scrolls horizontally inside its own box (its last column reachable),
save the report to a folder typed into the page and find the file on disk, and save a
screenshot of the result step to tests/artifacts/app_result.png.
"""

from __future__ import annotations

import os
import re
import time
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from .helpers import ARTIFACTS, CHROMIUM_ARGS, ROOT, require_chromium, serve_voila

if TYPE_CHECKING:
    from playwright.sync_api import Locator, Page

pytestmark = [pytest.mark.browser, pytest.mark.timeout(300)]

NOTEBOOK = ROOT / "notebooks" / "03_app.ipynb"
# Another deals -> contacts sheet of the demo portal can be checked with HUBFRAME_BROWSER_SHEET.
SAMPLE = Path(
    os.environ.get("HUBFRAME_BROWSER_SHEET", ROOT / "sample_data" / "deals_contacts.xlsx")
)
STEP_TIMEOUT_MS = 60_000


def button(page: Page, step: str, text: str) -> Locator:
    """A button of one step, by its text (icons add glyphs to the accessible name)."""
    exact = re.compile(rf"^\s*{re.escape(text)}\s*$")
    return page.locator(f".hf-step-{step} button", has_text=exact)


def expected_success_count(sample: Path) -> int:
    """Run the same sheet against a fresh demo sandbox, the way the app does."""
    from hubframe.hubspot.client import HubSpotClient
    from hubframe.jobs import associate
    from hubframe.sandbox import Sandbox

    with Sandbox(seed="demo") as sb:
        client = HubSpotClient(token=sb.token, base_url=sb.url)
        try:
            result = associate(sample, client, progress=False)
        finally:
            client.close()
    return int((result["status"] == "success").sum())


def upload(page: Page, path: Path) -> None:
    with page.expect_file_chooser() as chooser:
        page.locator(".hf-step-sheet button", has_text="Upload sheet").click()
    chooser.value.set_files(str(path))


def check_error_at_its_step(page: Page, broken: Path) -> None:
    """A sheet that cannot be read: the error is under "3 · Sheet", not at the top."""
    from playwright.sync_api import expect

    upload(page, broken)
    error = page.locator(".hf-step-sheet .hf-step-message .hf-error")
    expect(error).to_contain_text(broken.name)
    assert page.locator(".hf-app-message .hf-error").count() == 0
    assert page.locator(".hf-error").count() == 1  # at that step only


def check_wide_table_scrolls(page: Page) -> None:
    """The results table is wider than its step: it scrolls inside its own box, which stays
    inside the step, and its last column can be scrolled into view."""
    box = page.locator(".hf-step-results .hf-scroll").last
    box.scroll_into_view_if_needed()
    sizes = box.evaluate(
        """e => { const s = e.closest('.hf-step-results').getBoundingClientRect();
                  const b = e.getBoundingClientRect();
                  return {scroll: e.scrollWidth, client: e.clientWidth,
                          inside: b.left >= s.left && b.right <= s.right}; }"""
    )
    assert sizes["scroll"] > sizes["client"] and sizes["inside"], sizes
    reached = box.evaluate(
        """e => { e.scrollLeft = e.scrollWidth;
                  const last = e.querySelector('thead th:last-child').getBoundingClientRect();
                  const b = e.getBoundingClientRect();
                  return last.right <= b.right + 1 && last.left >= b.left; }"""
    )
    assert reached, "the last column cannot be scrolled into view"


def check_report_saved_to_folder(page: Page, folder: Path) -> None:
    from playwright.sync_api import expect

    page.locator(".hf-step-results .hf-save-folder input").fill(str(folder))
    button(page, "results", "Save report").click()
    report = folder / f"{SAMPLE.stem}_report.xlsx"
    expect(page.locator(".hf-step-results .hf-saved")).to_contain_text(str(report))
    assert report.is_file() and report.stat().st_size > 5_000


def test_app_runs_the_sample_sheet_in_chromium(tmp_path: Path) -> None:
    chromium = require_chromium()
    from playwright.sync_api import expect, sync_playwright

    expected = expected_success_count(SAMPLE)
    started = time.monotonic()
    with serve_voila(NOTEBOOK) as served, sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS, headless=True)
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 900})
            page.set_default_timeout(STEP_TIMEOUT_MS)
            page.goto(served.url, wait_until="domcontentloaded")
            expect(page.get_by_text("1 · Connect")).to_be_visible(timeout=120_000)

            button(page, "connect", "Connect").click()
            expect(page.locator(".hf-step-connect .hf-success")).to_contain_text("Connected to")

            broken = tmp_path / "broken.xlsx"
            broken.write_bytes(b"PK\x03\x04 this is not really a workbook")
            check_error_at_its_step(page, broken)

            upload(page, SAMPLE)
            expect(page.locator(".hf-step-sheet .hf-success")).to_contain_text(SAMPLE.name)
            expect(page.locator(".hf-step-sheet .hf-step-message .hf-error")).to_have_count(0)

            button(page, "validate", "Validate").click()
            expect(page.locator(".hf-step-validate .hf-message")).to_contain_text("rows read")

            button(page, "dry-run", "Dry run").click()
            expect(page.locator(".hf-step-dry-run .hf-plan")).to_contain_text("Dry run:")

            button(page, "run", "Run").click()
            success = page.locator(".hf-step-results .hf-summary-line .hf-count-success")
            expect(success).to_be_visible()
            shown = int(success.get_attribute("data-count") or "-1")
            expect(page.locator(".hf-step-results a.hf-download").first).to_be_visible()
            check_wide_table_scrolls(page)
            check_report_saved_to_folder(page, tmp_path / "saved" / "reports")

            ARTIFACTS.mkdir(parents=True, exist_ok=True)
            results = page.locator(".hf-step-results")
            results.scroll_into_view_if_needed()
            results.screenshot(path=str(ARTIFACTS / "app_result.png"))
            page.set_viewport_size({"width": 1280, "height": 3200})  # Voilà scrolls inside
            page.screenshot(path=str(ARTIFACTS / "app_full.png"), full_page=True)
            errors = page.locator(".hf-app-message .hf-error")
            assert errors.count() == 0, errors.first.inner_text()
        finally:
            browser.close()
    elapsed = time.monotonic() - started
    print(f"browser check: {elapsed:.1f} s from voila start to screenshot")
    assert shown == expected > 0
    assert (ARTIFACTS / "app_result.png").stat().st_size > 10_000
