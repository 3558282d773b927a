"""Template code shown in a note is an example: `{% include %}` asks for a file only outside a template fence."""

from __future__ import annotations

import pytest

from impart.content.unread_syntax import unread_syntax

INCLUDE = '{% include "partials/header.html" %}'


@pytest.mark.parametrize("language", ["jinja", "Jinja2", "django", "twig", "{ .jinja }", "html+jinja"])
def test_an_include_in_a_template_fence_is_the_example_it_shows(language):
    body = f"A page template starts like this:\n\n```{language}\n{INCLUDE}\n<main>…</main>\n```\n"
    assert unread_syntax(body, "docs/field-notes/posts/templates.md") == []


@pytest.mark.parametrize("language", ["", "yaml", "html", "text"])
def test_an_include_in_any_other_fence_is_named_with_its_line(language):
    body = f"The settings:\n\n```{language}\n{INCLUDE}\n```\n"
    [problem] = unread_syntax(body, "docs/field-notes/posts/settings.md", first_line=7)
    assert problem.line == 10 and "paste the text of" in problem.message
