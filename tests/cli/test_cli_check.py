from tests.helpers.site import PROJECT, impart


def test_check_passes_on_the_real_notes():
    result = impart("check", cwd=PROJECT)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "field note(s) checked: no problems" in result.stdout


def test_check_names_a_missing_config(tmp_path):
    result = impart("check", cwd=tmp_path)
    assert result.returncode == 2
    assert "mkdocs.yml not found" in result.stderr


def test_check_reports_a_bad_form_definition_and_a_bad_build_date(tmp_path):
    from tests.helpers.site import copy_site

    project = copy_site(tmp_path / "project")
    intake = project / "docs/request-a-proposal.md"
    intake.write_text(intake.read_text().replace("type: textarea", "type: textbox", 1))
    result = impart("check", cwd=project)
    assert result.returncode == 1
    assert "docs/request-a-proposal.md: form field 'use_case': type 'textbox' is unknown" in result.stdout
    dated = impart("check", cwd=project, SOURCE_DATE_EPOCH="yesterday")
    assert dated.returncode == 2
    assert "SOURCE_DATE_EPOCH is 'yesterday'; set it to whole seconds since 1970" in dated.stderr
    assert "Traceback" not in dated.stderr


def test_a_page_that_is_not_utf8_is_one_line_in_check_and_placeholders_not_a_traceback(tmp_path):
    from tests.helpers.site import copy_site

    project = copy_site(tmp_path / "project")
    (project / "docs/field-notes/posts/latin.md").write_bytes("---\ntitle: Caf\xe9\n---\n".encode("latin-1"))
    line = "docs/field-notes/posts/latin.md: the file is not UTF-8 text; save it as UTF-8"
    check = impart("check", cwd=project)
    assert check.returncode == 1 and "Traceback" not in check.stderr, check.stderr
    assert check.stdout.splitlines().count(f"error: {line}") == 1  # said once, though two checks read pages
    placeholders = impart("placeholders", cwd=project)
    assert "Traceback" not in placeholders.stderr, placeholders.stderr
    assert f"error: {line}" in placeholders.stderr.splitlines()
