"""Front matter parsed and words counted once per text: `mkdocs serve` reads every note again on each save,
and each note's front matter is read twice per build (by impart and by Material's blog)."""

from __future__ import annotations

import copy

from impart.speed.fingerprint import digest

AT_MOST = 20_000  # entries kept before a cache starts again, for a preview left running for days

# Word counts by HTML digest; a build's helper process hands its own over (impart.speed.parallel_build).
COUNTED: dict[bytes, int] = {}


def _kept(table: dict, key, make):
    """`table[key]`, made by `make()` when it is not there yet."""
    if key not in table:
        value = make()
        if len(table) >= AT_MOST:
            table.clear()
        table[key] = value
    return table[key]


def parsed_once(load_yaml):
    """impart.content.front_matter.load_yaml, keeping each text's result; a fresh copy of it each time."""
    parsed: dict[str, object] = {}

    def load_yaml_once(text: str):
        return copy.deepcopy(_kept(parsed, text, lambda: load_yaml(text)))

    return load_yaml_once


def counted_once(count_words):
    """impart.content.readtime.count_words, keeping each HTML's count by its digest."""

    def count_words_once(html: str) -> int:
        return _kept(COUNTED, digest(html.encode("utf-8", "surrogatepass")), lambda: count_words(html))

    return count_words_once
