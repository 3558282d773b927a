"""Notification settings: mkdocs.yml, then the command line, then secrets from the environment or a file only."""

from __future__ import annotations

import pytest

from impart.intake.notify_settings import NotifySettingsError, notify_settings
from tests.helpers.site import PROJECT, copy_site, impart

SECRET_ENV = {"IMPART_WEBHOOK_SECRET": "s3cret"}


def extra(**notify) -> dict:
    return {"intake": {"notify": notify}}


def test_nothing_set_means_no_channel():
    settings = notify_settings({}, {}, {}, contact="proposals@impart.example")
    assert settings.channels == ()
    assert settings.describe() == "notifications: none set; see README, Notifications"


def test_mkdocs_yml_then_options_then_the_environment():
    settings = notify_settings(
        extra(email="a@impart.example", smtp_host="mail.impart.example", smtp_tls="starttls", acknowledge=True),
        {"email": ["b@impart.example", "c@impart.example"], "smtp_port": 2525, "webhook": "https://h.example/in"},
        {**SECRET_ENV, "IMPART_SMTP_USER": "user", "IMPART_SMTP_PASSWORD": "pw"},
        contact="proposals@impart.example",
    )
    assert settings.operators == ("b@impart.example", "c@impart.example")
    assert (settings.smtp_host, settings.smtp_port, settings.smtp_tls) == ("mail.impart.example", 2525, "starttls")
    assert settings.mail_from == "proposals@impart.example"  # the site's contact address unless set
    assert (settings.smtp_user, settings.smtp_password, settings.webhook_secret) == ("user", "pw", b"s3cret")
    assert settings.channels == ("mail", "webhook", "acknowledge")
    assert "s3cret" not in repr(settings) and "pw" not in settings.describe()


def test_a_login_without_tls_is_allowed_to_a_server_on_this_machine_only():
    settings = notify_settings({}, {"smtp_host": "127.0.0.1"}, {"IMPART_SMTP_USER": "u", "IMPART_SMTP_PASSWORD": "p"})
    assert (settings.smtp_tls, settings.smtp_user) == ("none", "u")


@pytest.mark.parametrize(("tls", "port"), [("none", 25), ("starttls", 587), ("tls", 465)])
def test_the_port_follows_the_tls_mode_unless_set(tls, port):
    assert notify_settings(extra(smtp_tls=tls), {}, {}).smtp_port == port


def test_the_webhook_secret_file_wins_over_the_environment(tmp_path):
    secret = tmp_path / "secret"
    secret.write_text("from-the-file\n")
    settings = notify_settings({}, {"webhook": "http://127.0.0.1:9/x", "webhook_secret_file": str(secret)}, SECRET_ENV)
    assert settings.webhook_secret == b"from-the-file"


BAD = [
    (extra(smtp_password="hunter2"), {}, {}, "mkdocs.yml: extra.intake.notify.smtp_password: secrets are never read"),
    (extra(webhook_secret="x"), {}, {}, "mkdocs.yml: extra.intake.notify.webhook_secret: secrets are never read"),
    (extra(emial="a@b.example"), {}, {}, "mkdocs.yml: extra.intake.notify.emial: not a setting; use one of email"),
    (extra(email="not an address"), {}, {}, "mkdocs.yml: extra.intake.notify.email: 'not an address' is not a"),
    ({}, {"email": ["a@b.example\nBcc: c@d.example"]}, {}, "--notify-email: 'a@b.example\\nBcc: c@d.example' is not"),
    (extra(smtp_tls="ssl"), {}, {}, "mkdocs.yml: extra.intake.notify.smtp_tls: 'ssl' is not one of none, starttls"),
    ({}, {"smtp_port": 70000}, {}, "--smtp-port: 70000 is not a port; give a number from 1 to 65535"),
    (extra(smtp_port="25"), {}, {}, "mkdocs.yml: extra.intake.notify.smtp_port: '25' is not a port"),
    (extra(acknowledge="yes"), {}, {}, "mkdocs.yml: extra.intake.notify.acknowledge: 'yes' is not true or false"),
    ({}, {"email": ["a@b.example"], "mail_from": "nobody"}, {}, "--mail-from: 'nobody' is not a mail address"),
    ({}, {"webhook": "ftp://h.example/in"}, SECRET_ENV, "--notify-webhook: 'ftp://h.example/in' is not an http(s)"),
    ({}, {"webhook": "https://h.example/in"}, {}, "--notify-webhook: no signing secret; set IMPART_WEBHOOK_SECRET"),
    ({}, {"webhook": "https://h.example/in", "webhook_secret_file": "/nonexistent/s"}, {}, "/nonexistent/s: cannot"),
    ({"intake": {"notify": ["a@b.example"]}}, {}, {}, "mkdocs.yml: extra.intake.notify: not a mapping"),
    (extra(smtp_tls="tls", smtp_ca_file="ca.pem"), {}, {}, "mkdocs.yml: extra.intake.notify.smtp_ca_file: 'ca.pem' is "
     "not an absolute path; give the CA's PEM file in full"),
    ({}, {"smtp_tls": "tls", "smtp_ca_file": "/nonexistent/ca.pem"}, {}, "--smtp-ca-file: /nonexistent/ca.pem: no"),
    ({}, {"smtp_tls": "starttls", "smtp_ca_file": str(PROJECT / "mkdocs.yml")}, {}, f"--smtp-ca-file: {PROJECT}/mkdocs"
     ".yml: not a CA certificate in PEM"),
    ({}, {"smtp_ca_file": str(PROJECT / "mkdocs.yml")}, {}, "--smtp-ca-file: a CA file needs TLS; set smtp_tls to"),
    (extra(smtp_host="mail.impart.example"), {}, {"IMPART_SMTP_USER": "u", "IMPART_SMTP_PASSWORD": "p"},
     "smtp_tls (none unless set): IMPART_SMTP_USER is set, and without TLS its password would cross the network in "
     "clear; set --smtp-tls starttls (port 587) or tls (465)"),
    ({}, {"smtp_host": "mail.impart.example", "smtp_tls": "none"}, {"IMPART_SMTP_USER": "u"}, "--smtp-tls: "
     "IMPART_SMTP_USER is set, and without TLS"),
]  # fmt: skip


@pytest.mark.parametrize(("configured", "options", "environ", "message"), BAD)
def test_a_setting_that_cannot_work_is_one_line_naming_where_it_was_set(configured, options, environ, message):
    with pytest.raises(NotifySettingsError) as raised:
        notify_settings(configured, options, environ, contact="proposals@impart.example")
    assert str(raised.value).startswith(message)
    assert "\n" not in str(raised.value).replace("\\n", "")


def test_impart_serve_refuses_a_secret_in_mkdocs_yml_before_serving(tmp_path, built_site):
    site = copy_site(tmp_path / "project")
    config = site / "mkdocs.yml"
    text = config.read_text(encoding="utf-8")
    config.write_text(text.replace("  intake:\n", "  intake:\n    notify: {smtp_password: hunter2}\n", 1))
    result = impart(
        "--config", str(config), "serve", "--site", str(built_site.root), "--proposals", str(tmp_path / "p"),
        "--port", "9", cwd=PROJECT,
    )  # fmt: skip
    assert result.returncode == 2
    assert result.stderr.strip().startswith("impart serve: mkdocs.yml: extra.intake.notify.smtp_password: secrets")
    assert not (tmp_path / "p").exists() or not list((tmp_path / "p").glob("*.json"))
