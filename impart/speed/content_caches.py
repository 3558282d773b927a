"""Front matter parsed and words counted once per text: `mkdocs serve` reads every note again on each save,
and each note's front matter is read twice per build (by impart and by Material's blog)."""

from __future__ import annotations

import copy

from impart.speed.fingerprint import digest

AT_MOST = 20_000  # entries kept before a cache starts again, for a preview left running for days

_counted: dict[bytes, int] = {}


def parsed_once(load_yaml):
    """impart.content.front_matter.load_yaml, keeping each text's result; a fresh copy of it each time."""
    parsed: dict[str, object] = {}

    def load_yaml_once(text: str):
        if text not in parsed:
            value = load_yaml(text)
            if len(parsed) >= AT_MOST:
                parsed.clear()
            parsed[text] = value
        return copy.deepcopy(parsed[text])

    return load_yaml_once


def counted_once(count_words):
    """impart.content.readtime.count_words, keeping each HTML's count by its digest."""

    def count_words_once(html: str) -> int:
        key = digest(html.encode("utf-8", "surrogatepass"))
        words = _counted.get(key)
        if words is None:
            if len(_counted) >= AT_MOST:
                _counted.clear()
            words = _counted[key] = count_words(html)
        return words

    return count_words_once


def counts() -> dict[bytes, int]:
    """The counts made so far, by HTML digest, to hand to another process (impart.speed.parallel_build)."""
    return dict(_counted)


def receive_counts(made: dict[bytes, int]) -> None:
    _counted.update(made)
