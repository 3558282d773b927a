"""A wrong `extra:` value is one line naming the key, the same from `impart check`, `mkdocs build` and `impart serve`.

Each row writes one wrong value into a copy of the real mkdocs.yml; each command must refuse it with the
schema's line (impart.settings) and write nothing: no site, no proposals folder.
"""

from __future__ import annotations

import subprocess
import sys

import pytest

from impart.settings import SettingsError, extra_settings
from tests.helpers.site import PROJECT, copy_site, impart, run_env

WRONG = [
    (
        "    latest: 7 ",
        "    latest: four ",
        "mkdocs.yml: extra.home.latest: 'four' is not a whole number; write how many notes the home page lists",
    ),
    (
        "    label: Request a Proposal\n",
        "    label: [Request, Proposal]\n",
        "mkdocs.yml: extra.cta.label: ['Request', 'Proposal'] is not text; write the button's text",
    ),
    (
        "    indexed: false ",
        "    indexed: maybe ",
        "mkdocs.yml: extra.placeholders.indexed: 'maybe' is not true or false; write true to keep",
    ),
    (
        "    path: request-a-proposal/ ",
        "    path: 42 ",
        "mkdocs.yml: extra.intake.path: 42 is not text; give the intake page's address",
    ),
]
IDS = ["home.latest", "cta.label", "placeholders.indexed", "intake.path"]


@pytest.fixture(params=WRONG, ids=IDS)
def wrong_site(request, tmp_path):
    """A copy of the site with one wrong `extra:` value; yields its folder and the line expected."""
    before, after, line = request.param
    project = copy_site(tmp_path / "project")
    config = project / "mkdocs.yml"
    text = config.read_text(encoding="utf-8")
    assert before in text, f"mkdocs.yml no longer has {before!r}: update this table"
    config.write_text(text.replace(before, after, 1), encoding="utf-8")
    return project, line


def only_line(stderr: str, line: str) -> str:
    """The one line of `stderr` that names the problem; the rest is MkDocs' own chatter, never a traceback."""
    assert "Traceback" not in stderr
    found = [row for row in stderr.splitlines() if line in row]
    assert len(found) == 1, stderr
    return found[0]


def test_impart_check(wrong_site):
    project, line = wrong_site
    result = impart("--config", str(project / "mkdocs.yml"), "check", cwd=project)
    assert result.returncode == 2
    assert result.stderr.startswith(f"impart check: {line}") and result.stderr.count("\n") == 1
    assert result.stdout == ""


def test_mkdocs_build(wrong_site):
    project, line = wrong_site
    site = project / "built"
    command = [sys.executable, "-m", "mkdocs", "build", "--strict", "-f", str(project / "mkdocs.yml"), "-d", str(site)]
    result = subprocess.run(command, capture_output=True, text=True, env=run_env(), cwd=project, timeout=120)
    assert result.returncode != 0
    only_line(result.stderr, line)
    assert not (site / "index.html").exists()


def test_impart_serve_start(wrong_site):
    project, line = wrong_site
    site = project / "site"
    site.mkdir()
    (site / "index.html").write_text("<!doctype html><title>x</title>", encoding="utf-8")
    proposals = project / "proposals"
    result = impart(
        "--config", str(project / "mkdocs.yml"), "serve", "--site", str(site), "--proposals", str(proposals),
        "--port", "9", cwd=project,
    )  # fmt: skip
    assert result.returncode == 2
    assert result.stderr.startswith(f"impart serve: {line}") and result.stderr.count("\n") == 1
    assert not proposals.exists()


def test_the_real_settings_are_valid_and_typed():
    from impart.settings import load_settings

    extra = load_settings(PROJECT / "mkdocs.yml").extra
    assert (extra.home.latest, extra.intake.path, extra.placeholders.indexed) == (7, "request-a-proposal/", False)


@pytest.mark.parametrize(
    ("extra", "line"),
    [
        ({"home": ["latest"]}, "mkdocs.yml: extra.home: not a mapping; write its settings as key: value lines"),
        ({"home": {"latest": True}}, "mkdocs.yml: extra.home.latest: True is not a whole number"),
        ({"cta": {"enabled": "no"}}, "mkdocs.yml: extra.cta.enabled: 'no' is not true or false; write true or false"),
        ({"intake": {"page": 7}}, "mkdocs.yml: extra.intake.page: 7 is not text; name the intake page under docs/"),
    ],
)
def test_the_schema_names_the_key(extra, line):
    with pytest.raises(SettingsError) as raised:
        extra_settings(extra)
    assert str(raised.value).startswith(line) and "\n" not in str(raised.value)
