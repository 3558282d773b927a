"""Every page of the inbox is valid HTML to the Nu Html Checker, hostile answers and refusals included."""

from __future__ import annotations

import pytest

from tests.helpers.inbox import SAME_ORIGIN, csrf_of, fail_for_good, login, make_inbox, save_proposal
from tests.helpers.page_checks import vnu_errors

pytestmark = pytest.mark.html_checker


def test_every_inbox_page_is_valid_html(tmp_path):
    inbox = make_inbox(tmp_path / "project")
    reference = save_proposal(
        inbox.proposals, inbox.clock.now - 5 * 86400, organisation='<b>Bold</b> & "quoted"',
        use_case="two\nlines \u202e with a bidi override", came_from="/field-notes/x/",
    )  # fmt: skip
    fail_for_good(inbox.proposals, reference)
    client = inbox.client()
    pages = {"login": client.get("/inbox/login"), "login-refused": login(client, "ada", "not the password")}
    assert login(client).status_code == 303
    csrf = csrf_of(client.get(f"/inbox/p/{reference}"))
    pages |= {
        "list": client.get("/inbox/"),
        "search": client.get("/inbox/?q=bold&status=new"),
        "proposal": client.get(f"/inbox/p/{reference}"),
        "outbox": client.get("/inbox/outbox"),
        "not-found": client.get("/inbox/p/nothing"),
        "mark-refused": client.post(
            f"/inbox/p/{reference}/mark", data={"status": "new", "csrf": csrf}, headers=SAME_ORIGIN
        ),  # fmt: skip
        "forged": client.post(f"/inbox/p/{reference}/mark", data={"status": "won"}, headers=SAME_ORIGIN),
    }
    folder = tmp_path / "pages"
    folder.mkdir()
    for name, response in pages.items():
        assert response.mimetype == "text/html", name
        (folder / f"{name}.html").write_bytes(response.get_data())
    assert vnu_errors(folder) == []
