"""The intake page, assembled from the one form definition, read from real builds."""

from __future__ import annotations

import json

import pytest
import yaml
from bs4 import BeautifulSoup

from impart.intake.definition import load_form
from tests.helpers.site import PROJECT, copy_site, mkdocs_build

INTAKE = "/request-a-proposal/"
EXPECTED_ORDER = [
    "name", "email", "organisation", "role", "use_case", "operator",
    "cost_line", "success_measure", "rollback", "timeline", "consent",
]  # fmt: skip


@pytest.fixture(scope="module")
def definition():
    return load_form(PROJECT / "docs/request-a-proposal.md")


@pytest.fixture(scope="module")
def form(built_site):
    return built_site.html(INTAKE).find("form", attrs={"data-impart-form": True})


def control_of(form, field):
    return form.find(["input", "textarea", "select"], attrs={"name": field.name})


def test_definition_has_the_fields_in_order(definition):
    assert [f.name for f in definition.visible_fields] == EXPECTED_ORDER
    assert definition.honeypot is not None
    measure = next(f for f in definition.fields if f.name == "success_measure")
    assert measure.rules == ("contains_digit",)


def test_form_posts_to_the_handler_without_browser_validation(form):
    assert form["method"] == "post"
    assert form["action"] == INTAKE
    assert form.has_attr("novalidate")
    assert form.find("input", attrs={"type": "hidden", "name": "from"}) is not None
    assert not form.find(attrs={"placeholder": True}), "no placeholder text stands in for a label"


def test_every_field_matches_the_definition(form, definition):
    for field in definition.visible_fields:
        control = control_of(form, field)
        assert control is not None, field.name
        assert control["id"] == field.name
        label = form.find("label", attrs={"for": field.name})
        text = " ".join(label.get_text().split())
        assert text == f"{field.label} ({'required' if field.required else 'optional'})"
        expected_tag = {"textarea": "textarea", "select": "select"}.get(field.type, "input")
        assert control.name == expected_tag
        if expected_tag == "input":
            assert control["type"] == field.type
        assert control.has_attr("required") is field.required
        if field.type in ("text", "email", "tel", "textarea"):
            assert int(control["maxlength"]) == field.max_length
        assert control.get("autocomplete", "") == field.autocomplete
        described = control.get("aria-describedby", "").split()
        if field.hint:
            hint = form.find(id=field.hint_id)
            assert field.hint in hint.get_text()
            assert field.hint_id in described
        if field.type == "select":
            values = [o["value"] for o in control.find_all("option") if o["value"]]
            assert values == list(field.options)


def test_consent_links_to_the_privacy_note_on_the_page(built_site, form):
    link = form.find(id="consent-hint").find("a")
    assert link["href"] == "#privacy"
    assert built_site.html(INTAKE).find(id="privacy") is not None


def test_honeypot_is_hidden_from_people_and_assistive_technology(form, definition):
    trap = form.find("input", attrs={"name": definition.honeypot.name})
    wrapper = trap.find_parent("div")
    assert wrapper["aria-hidden"] == "true" and "impart-hp" in wrapper["class"]
    assert trap["tabindex"] == "-1" and trap["autocomplete"] == "off"


def test_browser_rules_come_from_the_definition(form, definition):
    island = form.find("script", id="impart-form-rules")
    assert json.loads(island.string) == definition.client_rules()
    measure = next(f for f in json.loads(island.string)["fields"] if f["name"] == "success_measure")
    assert measure["checks"] == [{"pattern": "[0-9]", "message": measure["checks"][0]["message"]}]


def test_fallback_contact_and_script(built_site):
    page = built_site.html(INTAKE)
    assert page.find("a", href="mailto:proposals@impart.example") is not None
    assert any(s.get("src", "").endswith("assets/javascripts/intake.js") for s in page.find_all("script"))
    assert (built_site.root / "assets/javascripts/intake.js").is_file()


def test_thanks_page_has_a_reference_slot(built_site):
    page = built_site.html(INTAKE + "thanks/")
    slot = page.find(attrs={"data-impart-reference": True})
    assert slot.has_attr("hidden")
    assert slot.find(attrs={"data-impart-reference-value": True}) is not None
    assert "What happens next" in page.get_text()


def replace_in(path, old, new):
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


PHONE = """    - name: phone
      label: Telephone
      hint: Only if you would rather we called.
      type: tel
      max_length: 30
      autocomplete: tel
"""


@pytest.mark.build
def test_a_field_added_to_the_definition_appears_with_no_other_change(tmp_path):
    project = copy_site(tmp_path / "project")
    replace_in(
        project / "docs/request-a-proposal.md", "    - name: organisation\n", PHONE + "    - name: organisation\n"
    )
    result = mkdocs_build(project / "mkdocs.yml", tmp_path / "site")
    assert result.returncode == 0, result.stderr
    page = BeautifulSoup((tmp_path / "site/request-a-proposal/index.html").read_text(), "html.parser")
    phone = page.find("input", attrs={"name": "phone"})
    assert phone["type"] == "tel" and phone["maxlength"] == "30" and phone["autocomplete"] == "tel"
    assert phone["aria-describedby"] == "phone-hint"
    names = [c["name"] for c in page.select("form [name]") if c.get("type") != "hidden"]
    assert names.index("phone") == names.index("email") + 1


def change_definition(source, change):
    """Apply `change` to the parsed `form:` and write the page back with its copy unchanged."""
    _, front, body = source.read_text(encoding="utf-8").split("---\n", 2)
    meta = yaml.safe_load(front)
    change({f["name"]: f for f in meta["form"]["fields"]}, meta["form"]["fields"])
    source.write_text(f"---\n{yaml.safe_dump(meta, allow_unicode=True, sort_keys=False)}---\n{body}", encoding="utf-8")


BAD_DEFINITIONS = [
    ("unknown type", lambda by, _: by["name"].update(type="widget"), "form field 'name': type 'widget' is unknown"),
    ("name twice", lambda by, fields: fields.insert(2, dict(by["email"])), "form field 'email' is defined twice"),
    ("no options", lambda by, _: by["cost_line"].pop("options"), "form field 'cost_line': a select needs 'options'"),
    (
        "unknown rule",
        lambda by, _: by["success_measure"].update(rules=["contains_letters"]),
        "form field 'success_measure': rule 'contains_letters' is unknown",
    ),
]


@pytest.mark.build
@pytest.mark.parametrize(("case", "change", "message"), BAD_DEFINITIONS, ids=[b[0] for b in BAD_DEFINITIONS])
def test_a_bad_definition_fails_the_build_naming_the_field(tmp_path, case, change, message):
    project = copy_site(tmp_path / "project")
    change_definition(project / "docs/request-a-proposal.md", change)
    result = mkdocs_build(project / "mkdocs.yml", tmp_path / "site")
    assert result.returncode != 0
    assert f"docs/request-a-proposal.md: {message}" in result.stderr
    assert not (tmp_path / "site/request-a-proposal/index.html").exists()


@pytest.mark.build
def test_the_yaml_round_trip_itself_builds(tmp_path):
    project = copy_site(tmp_path / "project")
    change_definition(project / "docs/request-a-proposal.md", lambda by, fields: None)
    result = mkdocs_build(project / "mkdocs.yml", tmp_path / "site")
    assert result.returncode == 0, result.stderr
