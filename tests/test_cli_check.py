from .conftest import PROJECT, impart


def test_check_passes_on_the_real_notes():
    result = impart("check", cwd=PROJECT)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "field note(s) checked: no problems" in result.stdout


def test_check_names_a_missing_config(tmp_path):
    result = impart("check", cwd=tmp_path)
    assert result.returncode == 2
    assert "mkdocs.yml not found" in result.stderr


def test_check_reports_a_bad_form_definition_and_a_bad_build_date(tmp_path):
    from .conftest import copy_site

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
