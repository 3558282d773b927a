"""Split a Markdown file into its YAML front matter and its body."""

from __future__ import annotations

import re

import yaml

# The same delimiters MkDocs accepts: a line of three dashes, YAML, then three
# dashes or three dots.
_FRONT_MATTER = re.compile(r"\A-{3}[ \t]*\r?\n(.*?\r?\n)?(?:-{3}|\.{3})[ \t]*(?:\r?\n|\Z)", re.S)


# libyaml's loader when PyYAML has it: the same safe schema, many times faster.
_SAFE_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def load_yaml(text: str):
    """yaml.safe_load, by libyaml's loader when PyYAML has it (impart.speed.build_speed keeps its results)."""
    return yaml.load(text, Loader=_SAFE_LOADER)


class FrontMatterSyntaxError(ValueError):
    """The file has no front matter, or it is not valid YAML (`line`: where in the file, when known)."""

    def __init__(self, message: str, line: int | None = None):
        super().__init__(message)
        self.line = line


def _impossible_date(front_matter: str) -> FrontMatterSyntaxError:
    """The error for a value YAML reads as a date that does not exist, naming its key and line."""
    timestamp = "tag:yaml.org,2002:timestamp"
    pending = [(yaml.compose(front_matter, Loader=yaml.SafeLoader), "")]
    while pending:
        node, key = pending.pop()
        # Children pushed last first, so they are visited in the order written: the first bad date is named.
        if isinstance(node, yaml.MappingNode):
            pending += [(value, f"{key}.{name.value}" if key else str(name.value)) for name, value in node.value][::-1]
        elif isinstance(node, yaml.SequenceNode):
            pending += [(item, key) for item in node.value][::-1]
        elif node is not None and node.tag == timestamp:
            try:
                yaml.SafeLoader(node.value).construct_yaml_timestamp(node)
            except ValueError as error:
                return FrontMatterSyntaxError(
                    f"{key}: {node.value} is not a date ({error}); write a real day as YYYY-MM-DD",
                    node.start_mark.line + 2,
                )
    return FrontMatterSyntaxError("the front matter has a value that cannot be read; fix it between the '---' lines")


def split_front_matter(text: str) -> tuple[dict, str]:
    """The front matter and the body after it; a leading byte-order mark is not part of either."""
    text = text.lstrip("\ufeff")  # matched and sliced alike, so the body starts where the file's does
    match = _FRONT_MATTER.match(text)
    if not match:
        raise FrontMatterSyntaxError(
            "the front matter is missing; start the file with a '---' line, the keys, then another '---' line"
        )
    try:
        meta = load_yaml(match.group(1) or "") or {}
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        fix = "fix it between the '---' lines"
        if "mapping values are not allowed" in str(getattr(error, "problem", "")):
            fix = "a value with ': ' in it goes in quotes, e.g. description: \"Four numbers: the review\""
        raise FrontMatterSyntaxError(
            f"the front matter is not valid YAML; {fix}", mark.line + 2 if mark else None
        ) from None
    except ValueError:
        # YAML reads 2026-13-01 as a date and Python refuses to make it: no YAML error, so no mark to report.
        raise _impossible_date(match.group(1) or "") from None
    if not isinstance(meta, dict):
        raise FrontMatterSyntaxError("the front matter must be 'key: value' lines between the '---' lines")
    return meta, text[match.end() :]
