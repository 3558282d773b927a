"""The inbox in Chromium, as the operator uses it: log in, find a proposal by a word in its answers, mark it
through three statuses with notes, export, log out; axe-core on every page in both schemes and at 390 px,
and screenshots (light, dark, phone) in artifacts/ for a person to judge."""

from __future__ import annotations

import json
import shutil

import pytest

from tests.helpers.inbox import PASSWORD, fail_for_good, save_proposal, write_accounts
from tests.helpers.page_checks import axe_violations
from tests.helpers.servers import free_port, running, serve_command
from tests.helpers.site import ARTIFACTS, copy_site

WORD = "heliotrope"
NOW = 1796143477.0


@pytest.fixture(scope="module")
def inbox_server(built_site, tmp_path_factory):
    """`impart serve --inbox` on loopback over a dozen proposals, one of them mentioning WORD."""
    folder = tmp_path_factory.mktemp("inbox-browser")
    project = copy_site(folder / "project")
    write_accounts(project / "inbox-accounts.json", (("ada", PASSWORD),))
    proposals = folder / "proposals"
    for n in range(11):
        note = "/field-notes/pilot-to-production/"
        save_proposal(
            proposals, NOW - 3600 * (n + 1), organisation=f"Company {n} Ltd", use_case=f"Batch {n}.", came_from=note
        )
    wanted = save_proposal(
        proposals, NOW - 7200.5, organisation="Ink & Dye Cooperative",
        use_case=f"Sorting {WORD} dye orders by hand.\nThe team wants a second pair of eyes.",
        cost_line="Under £25,000", came_from="/field-notes/rollback-paths/",
    )  # fmt: skip
    old = save_proposal(proposals, NOW - 5 * 86400, organisation="Long Ago Ltd", came_from="")
    fail_for_good(proposals, old, error="mail via mail.impart.example:587: the server refused the login (535)")
    site = folder / "site"
    shutil.copytree(built_site.root, site)
    port = free_port()
    command = serve_command(site, proposals, port, "--inbox", config=project / "mkdocs.yml")
    with running(command, port):
        yield f"http://127.0.0.1:{port}", proposals, wanted


def _log_in(page, base):
    page.goto(base + "/inbox/", wait_until="load")
    assert page.url.endswith("/inbox/login")
    page.get_by_label("Account name").fill("ada")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(base + "/inbox/")


def test_an_operators_round_in_the_inbox(browser, inbox_server, tmp_path):
    base, proposals, wanted = inbox_server
    context = browser.new_context(viewport={"width": 1280, "height": 900}, accept_downloads=True)
    page = context.new_page()
    blocked = []
    page.on(
        "console", lambda message: blocked.append(message.text) if "Content Security Policy" in message.text else None
    )
    _log_in(page, base)
    # The inbox's own stylesheet loads under its strict policy: the masthead is the site's dark band.
    assert page.evaluate("getComputedStyle(document.querySelector('.masthead')).backgroundColor") == "rgb(22, 32, 44)"

    page.get_by_label("Search the answers").fill(WORD)
    page.get_by_role("button", name="Show").click()
    rows = page.locator("tbody tr")
    assert rows.count() == 1 and "Ink & Dye Cooperative" in rows.first.inner_text()
    rows.first.get_by_role("link", name=wanted).click()
    page.wait_for_url(f"{base}/inbox/p/{wanted}")
    assert WORD in page.locator(".answers").inner_text()

    for status, note in (("in-review", "Read it; promising."), ("proposal-sent", "Sent the written proposal."),
                         ("won", "Signed on Friday.")):  # fmt: skip
        page.get_by_label("New status").select_option(status)
        page.get_by_label("Note").fill(note)
        page.get_by_role("button", name="Mark").click()
        page.wait_for_url(f"{base}/inbox/p/{wanted}")
        last = page.locator(".history li").last.inner_text()
        assert f"→ {status}" in last and "by ada" in last and note in last
    record = json.loads((proposals / f"{wanted}.json").read_text(encoding="utf-8"))
    assert [(c["was"], c["status"], c["by"]) for c in record["history"]] == [
        ("new", "in-review", "ada"), ("in-review", "proposal-sent", "ada"), ("proposal-sent", "won", "ada")
    ]  # fmt: skip

    with page.expect_download() as download:
        page.get_by_role("link", name="Export CSV").click()
    exported = download.value.path().read_bytes().decode("utf-8")
    assert exported.startswith("\ufeffreference,")
    assert f"{wanted}," in exported and ",won," in exported and "Under £25,000" in exported

    page.get_by_role("button", name="Log out").click()
    page.wait_for_url(base + "/inbox/login?ended=1")
    assert "You have logged out" in page.inner_text("main")
    page.goto(base + "/inbox/", wait_until="load")
    assert page.url.endswith("/inbox/login")  # the session ended on the server
    assert not blocked, blocked
    context.close()


SCHEMES = [("light", 1280), ("dark", 1280), ("light", 390), ("dark", 390)]


@pytest.mark.parametrize("scheme, width", SCHEMES, ids=[f"{s}-{w}" for s, w in SCHEMES])
def test_axe_finds_nothing_on_the_inbox_pages(browser, inbox_server, scheme, width):
    base, _, wanted = inbox_server
    # axe is injected as a script, which the inbox's own policy forbids: this context alone sets it aside.
    context = browser.new_context(viewport={"width": width, "height": 900}, color_scheme=scheme, bypass_csp=True)
    page = context.new_page()
    page.goto(base + "/inbox/login", wait_until="load")
    found = {"login": axe_violations(page)}
    _log_in(page, base)
    for name, url in (("list", "/inbox/"), ("proposal", f"/inbox/p/{wanted}"), ("outbox", "/inbox/outbox"),
                      ("search", f"/inbox/?q={WORD}&status=new"), ("not found", "/inbox/p/nothing")):  # fmt: skip
        page.goto(base + url, wait_until="load")
        found[name] = axe_violations(page)
        if width == 390:
            # Nothing wider than a phone: the page never scrolls sideways (a wide table scrolls in its box).
            assert page.evaluate("document.documentElement.scrollWidth") <= 390, name
    assert not {name: v for name, v in found.items() if v}, found
    context.close()


@pytest.mark.parametrize("look", ["light", "dark", "phone"])
def test_screenshots_for_a_person_to_judge(browser, inbox_server, look):
    base, _, wanted = inbox_server
    width = 390 if look == "phone" else 1280
    context = browser.new_context(viewport={"width": width, "height": 900},
                                  color_scheme="dark" if look == "dark" else "light")  # fmt: skip
    page = context.new_page()
    ARTIFACTS.mkdir(exist_ok=True)
    page.goto(base + "/inbox/login", wait_until="load")
    page.screenshot(path=str(ARTIFACTS / f"inbox-login-{look}.png"), full_page=True)
    _log_in(page, base)
    page.screenshot(path=str(ARTIFACTS / f"inbox-list-{look}.png"), full_page=True)
    page.goto(f"{base}/inbox/p/{wanted}", wait_until="load")
    page.screenshot(path=str(ARTIFACTS / f"inbox-proposal-{look}.png"), full_page=True)
    page.goto(f"{base}/inbox/outbox", wait_until="load")
    page.screenshot(path=str(ARTIFACTS / f"inbox-outbox-{look}.png"), full_page=True)
    assert (ARTIFACTS / f"inbox-proposal-{look}.png").stat().st_size > 10_000
    context.close()
