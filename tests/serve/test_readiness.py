"""/readyz through a real `impart serve`: 200 when all is well, 503 when the served site is missing or empty,
or when a notification has been failing longer than extra.health.notify_failing_minutes; /healthz unchanged."""

from __future__ import annotations

import os
import time
from pathlib import Path

from impart.intake.outbox import Counts
from impart.intake.readiness import readiness_problems
from tests.helpers.form import valid_submission
from tests.helpers.nginx_stack import request, submit
from tests.helpers.servers import free_port, running, serve_command
from tests.helpers.site import copy_site

WAIT_SECONDS = 15  # bounds the wait for a failing notification to be seen


def project_failing_after(tmp_path: Path, minutes: int) -> Path:
    """A copy of the site's sources whose mkdocs.yml sets extra.health.notify_failing_minutes."""
    project = copy_site(tmp_path / "project")
    config = project / "mkdocs.yml"
    text = config.read_text(encoding="utf-8")
    assert "\nextra:\n" in text
    config.write_text(
        text.replace("\nextra:\n", f"\nextra:\n  health:\n    notify_failing_minutes: {minutes}\n", 1), encoding="utf-8"
    )
    return project


def switch(link: Path, target: Path) -> None:
    temporary = link.with_name(link.name + ".new")
    temporary.symlink_to(target, target_is_directory=True)
    os.replace(temporary, link)


def ready(port: int) -> tuple[int, str]:
    status, _headers, body = request(port, "GET", "/readyz")
    return status, body.decode("utf-8")


def test_readyz_fails_while_the_served_site_is_empty_and_healthz_does_not(tmp_path, built_site):
    project = project_failing_after(tmp_path, 15)
    site, empty = tmp_path / "site", tmp_path / "empty"
    empty.mkdir()
    site.symlink_to(built_site.root, target_is_directory=True)
    port = free_port()
    command = serve_command(site, tmp_path / "proposals", port, config=project / "mkdocs.yml")
    with running(command, port, log=tmp_path / "serve.log"):
        assert ready(port) == (200, "ready\n")
        switch(site, empty)
        status, body = ready(port)
        assert status == 503
        assert body.startswith(f"site: no index.html in {site}")
        assert request(port, "GET", "/healthz")[0] == 200  # liveness is not readiness
        switch(site, built_site.root)
        assert ready(port) == (200, "ready\n")


def test_readyz_fails_once_a_notification_has_failed_longer_than_the_setting(tmp_path, built_site):
    project = project_failing_after(tmp_path, 0)  # any notification still unsent after a second is failing
    proposals = tmp_path / "proposals"
    dead = free_port()  # no mail server listens here: every send fails
    port = free_port()
    command = serve_command(built_site.root, proposals, port, "--notify-email", "team@impart.example",
                            "--mail-from", "site@impart.example", "--smtp-host", "127.0.0.1", "--smtp-port", str(dead),
                            config=project / "mkdocs.yml")  # fmt: skip
    with running(command, port, log=tmp_path / "serve.log"):
        assert ready(port) == (200, "ready\n")  # nothing owed yet
        status, _headers, _body = submit(port, valid_submission())
        assert status == 303
        deadline = time.monotonic() + WAIT_SECONDS
        while time.monotonic() < deadline and ready(port)[0] == 200:
            time.sleep(0.2)
        status, body = ready(port)
        assert status == 503
        assert body.startswith("notifications: one pending for ")
        assert request(port, "GET", "/healthz")[0] == 200


def test_a_notification_given_up_in_failed_makes_readyz_fail_whatever_the_threshold(built_site):
    counts = Counts(pending=0, failed=1, oldest_pending_seconds=0)
    problems = readiness_problems(built_site.root, True, counts, failing_seconds=10**9)
    assert problems == ["notifications: 1 failed for good; see impart proposals notify --retry-failed"]
    assert readiness_problems(built_site.root, True, Counts(pending=1, failed=0, oldest_pending_seconds=60), 900) == []
