"""A real browser (Debian chromium through Playwright) logs in, accepts with `a`, edits with `e`, sees counts change."""
import shutil
import time
from urllib.parse import urlparse

import pytest

from review.app import create_app
from review.loadtest import running_server

from .conftest import hostile_item

CHROMIUM = shutil.which("chromium")
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--no-first-run"]

pytestmark = pytest.mark.skipif(CHROMIUM is None, reason="Debian chromium is not installed (apt-get install chromium)")


@pytest.fixture
def browser_page():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        page = browser.new_page()
        dialogs = []
        page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
        page.dialogs = dialogs
        yield page
        browser.close()


def _left(page, item: int) -> None:
    """Wait until the browser has moved on from an item page (a Python predicate: the app's CSP forbids
    the eval that string predicates of wait_for_function need)."""
    page.wait_for_url(lambda url: not urlparse(url).path.endswith(f"/items/{item}"), timeout=10_000)


def _until(check, seconds: float = 10.0) -> None:
    end = time.monotonic() + seconds
    while not check():
        assert time.monotonic() < end, "the page did not get there in time"
        time.sleep(0.05)


def _counts(page) -> tuple[int, int]:
    return int(page.locator("#reviewed").inner_text()), int(page.locator("#total").inner_text())


def test_browser_login_accept_edit_and_counts(store, token, browser_page):
    page = browser_page
    with running_server(create_app(store.url, store=store)) as base:
        page.goto(f"{base}/login")
        page.fill("#token", token)
        page.click("#login")
        page.wait_for_selector("table.queue")
        reviewed, total = _counts(page)
        assert reviewed == 0 and total > 2

        page.locator("a.item-link").first.click()
        page.wait_for_load_state("load")
        page.wait_for_selector("#decision")
        first = int(page.url.split("/items/")[1].split("?")[0])
        page.keyboard.press("a")  # accept
        _left(page, first)
        assert _counts(page) == (1, total)

        page.wait_for_load_state("load")  # the next item's keyboard handlers are attached
        page.wait_for_selector("#decision")
        second = int(page.url.split("/items/")[1].split("?")[0])
        page.keyboard.press("e")  # open the edit form
        page.wait_for_selector("#edit", state="visible", timeout=10_000)
        page.select_option("#new_type", "GRANT")
        page.fill("#comment", "type was wrong")
        page.click("#do-edit")
        _left(page, second)
        page.wait_for_load_state("load")
        assert _counts(page) == (2, total)

        page.keyboard.press("k")  # previous in the queue
        page.wait_for_selector("#decision")

        pk = hostile_item(store)
        page.goto(f"{base}/items/{pk}?status=all")
        assert "<script>alert(1)</script>" in page.locator(".clause.current").inner_text()
        _until(lambda: page.evaluate("document.querySelector('img.pageimg').complete"))
        assert page.evaluate("document.querySelector('img.pageimg').naturalWidth") > 0
        assert page.dialogs == []  # the act's text never ran as script

    assert store.item(first).status == "accepted"
    edited = store.item(second)
    assert (edited.status, edited.current["type"], edited.comment) == ("edited", "GRANT", "type was wrong")
