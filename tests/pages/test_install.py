"""`pip install .` (not editable) gives a working `impart`: every subpackage and data file is in the wheel.

The wheel is built from this checkout and installed into a fresh virtual environment whose only
other packages are this environment's dependencies (a .pth line; the editable `impart` here is not
seen, since .pth files of that folder are not processed). Then, on a copy of the site and from a
folder outside the checkout, the installed command checks, lists placeholders, builds (the hooks
import the installed package), serves and lists proposals.
"""

from __future__ import annotations

import json
import shutil
import site
import subprocess
import sys
import urllib.request
import venv
from pathlib import Path

import pytest

from tests.helpers.servers import free_port, running
from tests.helpers.site import PROJECT, copy_site, run_env


@pytest.fixture(scope="module")
def installed(tmp_path_factory) -> Path:
    """A fresh virtual environment with the wheel of this checkout installed; returns its bin folder."""
    work = tmp_path_factory.mktemp("install")
    source = work / "source"  # what the package is made of, without any build/ a previous build left here
    shutil.copytree(PROJECT / "impart", source / "impart", ignore=shutil.ignore_patterns("__pycache__"))
    for name in ("pyproject.toml", "README.md"):
        shutil.copy2(PROJECT / name, source / name)
    wheels = work / "wheels"
    built = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "--wheel-dir", str(wheels), str(source)],
        capture_output=True, text=True, timeout=300, cwd=work,
    )  # fmt: skip
    assert built.returncode == 0, built.stderr
    env_dir = work / "venv"
    venv.create(env_dir, with_pip=False)
    purelib = next(env_dir.glob("lib/python*/site-packages"))
    (purelib / "dependencies.pth").write_text("\n".join(site.getsitepackages()) + "\n")
    wheel = next(wheels.glob("impart-*.whl"))
    install = subprocess.run(
        [sys.executable, "-m", "pip", "--python", str(env_dir / "bin/python"), "install", "--quiet", "--no-deps",
         str(wheel)],
        capture_output=True, text=True, timeout=300, cwd=work,
    )  # fmt: skip
    assert install.returncode == 0, install.stderr
    return env_dir / "bin"


def run(command: list[str], cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run(command, capture_output=True, text=True, cwd=cwd, env=run_env(), timeout=300)


@pytest.mark.build
def test_the_installed_command_checks_builds_and_serves_a_copy_of_the_site(installed, tmp_path):
    project = copy_site(tmp_path / "project")
    where = run([str(installed / "python"), "-c", "import impart, impart.intake.app; print(impart.__file__)"], project)
    assert where.returncode == 0, where.stderr
    assert str(installed.parent) in where.stdout  # the installed copy, not this checkout

    check = run([str(installed / "impart"), "check"], project)
    assert check.returncode == 0, check.stdout + check.stderr
    assert "field note(s) checked: no problems" in check.stdout
    placeholders = run([str(installed / "impart"), "placeholders"], project)
    assert placeholders.returncode == 0, placeholders.stderr
    assert "indicative page" in placeholders.stdout

    build = run([str(installed / "python"), "-m", "mkdocs", "build", "--strict", "--site-dir", "site"], project)
    assert build.returncode == 0, build.stderr
    port = free_port()
    serve = [str(installed / "impart"), "serve", "--site", "site", "--proposals", "proposals", "--port", str(port),
             "--inbox"]  # fmt: skip
    with running(serve, port, cwd=project):
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=10) as response:
            assert response.status == 200
            assert json.loads(response.read())  # a body that says what it checked
        # The inbox's templates and stylesheet are in the wheel.
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/inbox/login", timeout=10) as response:
            assert response.status == 200 and b'name="password"' in response.read()
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/inbox/inbox.css", timeout=10) as response:
            assert response.status == 200 and b".masthead" in response.read()
    listed = run([str(installed / "impart"), "proposals", "list", "--proposals", "proposals"], project)
    assert listed.returncode == 0, listed.stderr
