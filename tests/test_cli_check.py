from .conftest import PROJECT, impart


def test_check_passes_on_the_real_notes():
    result = impart("check", cwd=PROJECT)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "field note(s) checked: no problems" in result.stdout


def test_check_names_a_missing_config(tmp_path):
    result = impart("check", cwd=tmp_path)
    assert result.returncode == 2
    assert "mkdocs.yml not found" in result.stderr
