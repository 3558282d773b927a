"""impart.speed.template_precompile: templates compiled in a forked process, used only by a matching environment."""

from __future__ import annotations

import os

import jinja2
import pytest

from impart.speed import template_precompile
from impart.speed.preview_cache import CompiledTemplates

pytestmark = pytest.mark.skipif(not hasattr(os, "fork"), reason="the compiling process is forked")


def with_context(function):
    return jinja2.pass_context(function)


class Theme:
    """What the module uses of MkDocs' Theme: its folders, and environments with a bytecode cache."""

    def __init__(self, folder, cache):
        self.dirs = [str(folder)]
        self.cache = cache

    def get_env(self):
        env = jinja2.Environment(loader=jinja2.FileSystemLoader(self.dirs), auto_reload=False)
        env.filters["shout"] = with_context(lambda context, text: f"{text}!")
        env.bytecode_cache = self.cache
        return env


@pytest.fixture
def theme(tmp_path):
    folder = tmp_path / "theme"
    (folder / "partials").mkdir(parents=True)
    (folder / "main.html").write_text('{% extends "base.html" %}{% block body %}{{ "hi" | shout }}{% endblock %}')
    (folder / "base.html").write_text('<body>{% block body %}{% endblock %}{% include "partials/foot.html" %}</body>')
    (folder / "partials" / "foot.html").write_text("<footer>{{ year }}</footer>")
    (folder / "partials" / "unused.html").write_text("never named by a top-level template")
    (folder / "broken.html").write_text("{% if %}")
    return Theme(folder, CompiledTemplates())


def test_top_level_templates_and_every_template_they_name_are_compiled(theme):
    env = theme.get_env()
    names = template_precompile.top_level_templates(theme.dirs)
    assert names == ["base.html", "broken.html", "main.html"]

    assert template_precompile.compile_reachable(env, names) == 3  # base, main, partials/foot; not the broken one
    assert len(theme.cache.compiled()) == 3


def test_the_build_renders_with_code_compiled_in_another_process(theme):
    build_cache = CompiledTemplates()
    job = template_precompile.Precompiling(Theme(theme.dirs[0], build_cache))
    build_env = Theme(theme.dirs[0], build_cache).get_env()
    assert job.take(build_env) == 3

    compiled = []
    build_env.compile = lambda *args, **kwargs: (
        compiled.append(args) or jinja2.Environment.compile(build_env, *args, **kwargs)
    )
    assert build_env.get_template("main.html").render(year=2026) == "<body>hi!<footer>2026</footer></body>"
    assert compiled == []  # nothing left to compile


def test_code_compiled_for_another_environment_is_not_used(theme):
    build_cache = CompiledTemplates()
    job = template_precompile.Precompiling(Theme(theme.dirs[0], build_cache))
    build_env = Theme(theme.dirs[0], build_cache).get_env()
    build_env.filters["shout"] = lambda text: f"{text}!"  # a plugin's on_env: the filter no longer takes the context

    assert job.take(build_env) == 0
    assert build_cache.compiled() == {}
    assert build_env.get_template("main.html").render(year=2026) == "<body>hi!<footer>2026</footer></body>"
