"""The acknowledgement cannot be turned into a mail cannon: through the real handler and a real aiosmtpd.

At most one acknowledgement per address a day, across a restart; a site-wide cap an hour, named in the
operator's mail past it; an address the site would not mail refused at the form (by the handler and by
the browser, from the one form definition), with nothing written; and the proposal itself always kept.
"""

from __future__ import annotations

import json
import multiprocessing
import os
import re
import time
from pathlib import Path

import pytest
from werkzeug.test import Client

from tests.helpers.form import valid_submission
from tests.helpers.handler import JSON_ORIGIN, post, reference_from
from tests.helpers.mail_and_webhook import mail_server, wait_until

OPERATOR = "ops@impart.example"
SENDER = "site@impart.example"
THIRD_PARTY = "someone.else@victim.example"


def ack_options(smtp_port: int, **more) -> dict:
    return {
        "email": [OPERATOR],
        "mail_from": SENDER,
        "smtp_host": "127.0.0.1",
        "smtp_port": smtp_port,
        "acknowledge": True,
        **more,
    }


def acknowledgements(smtp) -> list:
    with smtp.lock:
        return [mail for mail in smtp.received if mail.recipients != [OPERATOR]]


def operator_mails(smtp) -> dict:
    """The operator's mails that arrived, by the reference in their Subject."""
    with smtp.lock:
        mails = [mail for mail in smtp.received if mail.recipients == [OPERATOR]]
    return {str(mail.message["Subject"]).split()[2]: mail.message.get_content() for mail in mails}


def submit_many(app, addresses: list[str], tag: str = "") -> list[str]:
    """One proposal per address, each with its own name (the same answers twice would be one proposal)."""
    client = Client(app)
    return [
        reference_from(post(client, valid_submission(email=address, name=f"Prospect {tag}{n}")))
        for n, address in enumerate(addresses)
    ]


def settle(app, smtp, references) -> None:
    """Wait until every operator mail arrived and the outbox holds nothing pending, then a little more."""
    assert wait_until(lambda: set(operator_mails(smtp)) >= set(references) and app.notifications.counts().pending == 0)
    time.sleep(0.3)  # anything sent twice would arrive in this time


def test_forty_proposals_naming_one_third_party_send_it_one_acknowledgement(make_app, proposals):
    with mail_server() as smtp:
        app = make_app(notify=ack_options(smtp.port))
        references = submit_many(app, [THIRD_PARTY] * 20 + [THIRD_PARTY.upper()] * 20)
        settle(app, smtp, references)

        acks = acknowledgements(smtp)
        mails = operator_mails(smtp)

    assert [[r.lower() for r in mail.recipients] for mail in acks] == [[THIRD_PARTY]]  # whichever came first
    first = str(acks[0].message["Subject"]).rsplit("(", 1)[1].rstrip(")")
    assert first in references
    for reference in references:
        assert app.store.load(reference)["fields"]["name"].startswith("Prospect ")  # every proposal kept
        said = "No acknowledgement was sent to the prospect: the same address was sent an acknowledgement"
        assert (said in mails[reference]) is (reference != first), reference
    assert sorted(p.stem for p in proposals.glob("*.json")) == sorted(references)
    ended = app.notifications.outbox.entries()
    assert {(e.channel, e.state) for e in ended} == {("acknowledge", "ended")}
    assert len(ended) == len(references) - 1
    assert app.notifications.counts().pending == 0 and app.notifications.counts().failed == 0


def test_the_daily_limit_holds_across_a_restart_on_the_same_proposals_folder(make_app, proposals):
    with mail_server() as smtp:
        first = make_app(notify=ack_options(smtp.port))
        before = submit_many(first, [THIRD_PARTY])
        settle(first, smtp, before)
        first.notifications.close()

        again = make_app(notify=ack_options(smtp.port))  # a new process's app: nothing of the first in memory
        after = submit_many(again, [THIRD_PARTY, "fresh@victim.example"], tag="after restart ")
        settle(again, smtp, after)
        acks = acknowledgements(smtp)

    assert sorted(mail.recipients[0] for mail in acks) == ["fresh@victim.example", THIRD_PARTY]
    assert "within 24 hours" in operator_mails(smtp)[after[0]]
    assert len(list(proposals.glob("*.json"))) == 3


def test_past_the_hourly_cap_acknowledgements_are_skipped_and_the_operator_is_told(make_app, proposals):
    addresses = [f"prospect{n}@company{n}.example" for n in range(7)]
    with mail_server() as smtp:
        app = make_app(notify=ack_options(smtp.port, acknowledge_per_hour=3))
        references = submit_many(app, addresses)
        settle(app, smtp, references)
        acks = acknowledgements(smtp)
        mails = operator_mails(smtp)

    assert len(acks) == 3
    capped = [ref for ref in references if "the site's cap of 3 acknowledgements an hour was reached" in mails[ref]]
    assert len(capped) == 4
    acknowledged = {str(mail.message["Subject"]).rsplit("(", 1)[1].rstrip(")") for mail in acks}
    assert acknowledged.isdisjoint(capped) and acknowledged | set(capped) == set(references)
    assert len(list(proposals.glob("*.json"))) == 7  # the proposals themselves are all kept
    ledger = proposals / ".state" / "acknowledged"
    assert not any(address.encode() in path.read_bytes() for path in ledger.iterdir() for address in addresses)


def test_the_hourly_cap_is_a_setting_checked_at_start(make_app):
    from impart.intake.notify_settings import NotifySettingsError

    for wrong in (0, -1, "ten", True, 10001):
        with pytest.raises(NotifySettingsError, match="--acknowledge-per-hour: .* give a whole number from 1 to"):
            make_app(notify=ack_options(2525, acknowledge_per_hour=wrong))


BAD_ADDRESSES = [
    ("root@localhost.localdomain", "not one on a local network name"),
    ("ops@printer.local", "not one on a local network name"),
    ("a@1.2.3.4", "not an IP address"),
    ("a@[1.2.3.4]", "not an IP address"),
    ("a@[IPv6:2001:db8::1]", "in the correct format"),
    ("a%b@x.example", "without quotes, % or accents"),
    ('"a b"@x.example', "in the correct format"),
    ('"ab"@x.example', "without quotes, % or accents"),
    ("jöran@x.example", "without quotes, % or accents"),
    ("a.@x.example", "without quotes, % or accents"),
    ("a" * 65 + "@x.example", "without quotes, % or accents"),
    ("root@localhost", "in the correct format"),
    ("a@mail_host.example", "not an IP address"),
]


@pytest.mark.parametrize(("address", "said"), BAD_ADDRESSES, ids=[a for a, _ in BAD_ADDRESSES])
def test_an_address_the_site_would_not_mail_is_refused_at_the_form_and_nothing_is_written(
    make_app, proposals, address, said
):
    with mail_server() as smtp:
        app = make_app(notify=ack_options(smtp.port))
        response = post(Client(app), valid_submission(email=address), headers=JSON_ORIGIN)
        time.sleep(0.3)  # a mail wrongly sent would arrive in this time
        arrived = list(smtp.received)

    assert response.status_code == 422
    [message] = response.json["errors"].values()
    assert list(response.json["errors"]) == ["email"]
    assert said in message and "\n" not in message
    assert arrived == []
    written = [p for p in proposals.rglob("*") if p.is_file() and p.name != ".lock"]
    assert written == [], written


def test_the_browser_gets_the_same_address_checks_from_the_one_definition(built_site):
    from impart.intake.definition import load_form
    from impart.intake.validation import validate
    from tests.helpers.site import PROJECT

    form = load_form(PROJECT / "docs" / "request-a-proposal.md")
    island = built_site.html("/request-a-proposal/").select_one("script[type='application/json']")
    [email] = [field for field in json.loads(island.string)["fields"] if field["name"] == "email"]
    for address, said in BAD_ADDRESSES:
        served = validate(form, valid_submission(email=address)).errors["email"]
        first_failing = next(c["message"] for c in email["checks"] if not re.search(c["pattern"], address))
        assert first_failing == served and said in served, address


def test_chromium_refuses_a_bad_address_before_sending_with_the_handlers_words(browser, site_server):
    from impart.intake.definition import load_form
    from impart.intake.validation import validate
    from tests.helpers.site import PROJECT

    base, proposals = site_server
    form = load_form(PROJECT / "docs" / "request-a-proposal.md")
    context = browser.new_context()
    try:
        page = context.new_page()
        for address in ("a%b@x.example", "root@localhost.localdomain", "a@1.2.3.4"):
            before = sorted(proposals.glob("*.json"))
            page.goto(base + "/request-a-proposal/")
            page.fill("#email", address)
            page.click("button[type=submit]")
            page.locator("#email-error").wait_for(state="visible")
            shown = page.inner_text("#email-error")
            assert validate(form, valid_submission(email=address)).errors["email"] in shown, address
            assert sorted(proposals.glob("*.json")) == before
    finally:
        context.close()


# -- the ledger itself, across processes ---------------------------------------------------------------


def _decide_many(state: str, cap: int, jobs: list[tuple[str, str]], answers) -> None:
    from impart.intake.ack_ledger import AckLedger

    ledger = AckLedger(Path(state), cap)
    answers.put([(reference, ledger.decide(reference, address).allowed) for reference, address in jobs])


def test_processes_deciding_at_once_admit_one_per_address_and_no_more_than_the_cap(tmp_path):
    from impart.intake.ack_ledger import AckLedger

    AckLedger(tmp_path, 10).prepare()
    context = multiprocessing.get_context("fork")
    answers = context.Queue()
    work = []
    for p in range(4):
        same = [(f"20261203-0900{p:02d}-SAME{n:02d}", THIRD_PARTY) for n in range(10)]
        many = [(f"20261203-0900{p:02d}-MANY{n:02d}", f"p{p}n{n}@company.example") for n in range(10)]
        work.append(context.Process(target=_decide_many, args=(str(tmp_path), 10, same + many, answers)))
    for process in work:
        process.start()
    decided = [pair for _ in work for pair in answers.get(timeout=30)]
    for process in work:
        process.join(timeout=30)

    admitted = [reference for reference, allowed in decided if allowed]
    assert len(decided) == 80
    assert len(admitted) == 10  # the hour's cap, whoever got there first
    assert sum("SAME" in reference for reference in admitted) == 1  # one for the one address, at most


def test_the_ledger_forgets_what_is_a_day_old_when_the_hour_turns(tmp_path):
    from impart.intake.ack_ledger import DAY, HOUR, AckLedger

    now = [1_800_000_000.0]
    ledger = AckLedger(tmp_path, 5, clock=lambda: now[0])
    ledger.prepare()
    assert ledger.decide("20261203-090000-AAAAAA", THIRD_PARTY).allowed
    assert not ledger.decide("20261203-090001-BBBBBB", THIRD_PARTY).allowed
    records = [path for path in ledger.folder.iterdir() if not path.name.startswith(".")]
    assert len(records) == 2  # the address's day, and the refusal
    for path in records:
        os.utime(path, (time.time() - DAY - 60, time.time() - DAY - 60))
    now[0] += DAY + HOUR

    assert ledger.decide("20261204-100000-CCCCCC", THIRD_PARTY).allowed  # a day later, the address again
    left = sorted(path.name for path in ledger.folder.iterdir() if not path.name.startswith("."))
    assert len(left) == 1 and not left[0].startswith("refused-")


def test_the_hourly_cap_is_read_from_mkdocs_yml_and_a_wrong_one_named_there():
    from impart.intake.notify_settings import DEFAULT_ACKNOWLEDGE_PER_HOUR, NotifySettingsError, notify_settings

    def extra(**notify):
        return {"intake": {"notify": {"mail_from": SENDER, "acknowledge": True, **notify}}}

    assert notify_settings(extra(), environ={}).acknowledge_per_hour == DEFAULT_ACKNOWLEDGE_PER_HOUR
    assert notify_settings(extra(acknowledge_per_hour=5), environ={}).acknowledge_per_hour == 5
    overridden = notify_settings(extra(acknowledge_per_hour=5), {"acknowledge_per_hour": 7}, environ={})
    assert overridden.acknowledge_per_hour == 7
    with pytest.raises(NotifySettingsError) as refused:
        notify_settings(extra(acknowledge_per_hour="lots"), environ={})
    assert str(refused.value) == (
        "mkdocs.yml: extra.intake.notify.acknowledge_per_hour: 'lots' is not a count; "
        "give a whole number from 1 to 10000"
    )


def test_notify_refuses_a_wrong_cap_in_one_line(proposals):
    from tests.helpers.site import PROJECT, impart

    proposals.mkdir()
    result = impart(
        "proposals", "notify", "--proposals", str(proposals), "--acknowledge", "--mail-from", SENDER,
        "--acknowledge-per-hour", "0", cwd=PROJECT,
    )  # fmt: skip
    assert result.returncode == 2
    assert result.stderr == "--acknowledge-per-hour: 0 is not a count; give a whole number from 1 to 10000\n"
    assert sorted(p.relative_to(proposals) for p in proposals.rglob("*")) == []
