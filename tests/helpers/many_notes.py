"""A site of many generated notes, for tests that need every listing kind: paginated index, archive
years, categories, two authors, placeholders, and toolkit features that keep state in the Markdown parser
(footnotes, abbreviations, tabs). The prose is assembled from phrases written for it."""

from __future__ import annotations

import random
from pathlib import Path

CATEGORIES = ("Field notes", "Operations", "Measurement")
AUTHORS = ("impart", "desk")
OPENINGS = (
    "Most teams we meet already have a working pilot",
    "The first question we ask is who will run the system",
    "A cost line written down early saves an argument later",
    "Rollback is a plan, not a hope",
    "Numbers make a success measure honest",
)
MIDDLES = (
    "and the hard part is the handover to the people who stay",
    "so we start by listing what the pilot quietly depended on",
    "which means agreeing the threshold before anyone sees the results",
    "because an outage at night is a bad time to design a way back",
    "while the budget still has room for the dull work of monitoring",
)
ENDINGS = ("That is where we begin.", "It rarely takes long.", "The rest follows from it.", "Write it down.")


def sentence(rng: random.Random) -> str:
    return f"{rng.choice(OPENINGS)}, {rng.choice(MIDDLES)}. {rng.choice(ENDINGS)}"


def note_text(index: int, rng: random.Random) -> str:
    year = 2023 + index % 4
    date = f"{year}-{1 + index % 12:02d}-{1 + index % 27:02d}"
    authors = [AUTHORS[index % 2]] if index % 5 else list(AUTHORS)
    front = [
        "---",
        f"title: Generated note {index:03d} on {rng.choice(('handover', 'cost lines', 'rollback', 'measures'))}",
        f"description: {sentence(rng)}",
        f"date: {date}",
        f"authors: [{', '.join(authors)}]",
        f"categories: [{CATEGORIES[index % 3]}]",
    ]
    if index % 9 == 4:
        front.append(f"placeholder: {{arrives: 2027-{1 + index % 12:02d}}}")
    body = []
    for section in range(3 + index % 3):
        body += [f"## Part {section + 1}", "", " ".join(sentence(rng) for _ in range(4)), ""]
        if section == 1 and index % 4 == 0:
            body += ["- one thing to check", "- another thing to check", ""]
        if section == 2 and index % 6 == 1:
            body += ["```python", "threshold = 0.92  # agreed before launch", "```", ""]
        if section == 0 and index % 7 == 3:  # state the reused parser must not carry to the next page
            body += [f"The SLA is agreed early.[^{index}]", "", f"[^{index}]: Before the pilot ends.", "",
                     "*[SLA]: service level agreement", ""]  # fmt: skip
        if section == 1 and index % 7 == 5:
            body += ['=== "Before"', "", "    The pilot's numbers.", "", '=== "After"', "", "    The live numbers.", "",
                     '??? note "What we check"', "", "    - [x] the owner", "    - [ ] the rollback", ""]  # fmt: skip
    return "\n".join([*front, "---", "", *body])


def add_many_notes(project: Path, count: int = 64) -> None:
    """Adds `count` notes and a second author to a copy of the site made by conftest.copy_site."""
    rng = random.Random(20261130)
    posts = project / "docs/field-notes/posts"
    for index in range(count):
        (posts / f"generated-{index:03d}.md").write_text(note_text(index, rng), encoding="utf-8")
    authors = project / "docs/field-notes/.authors.yml"
    authors.write_text(
        authors.read_text(encoding="utf-8")
        + "  desk:\n    name: Impart Desk\n    description: Notes from the delivery desk\n"
        + "    avatar: assets/images/impart-editorial.svg\n",
        encoding="utf-8",
    )
