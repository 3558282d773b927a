"""Build time and peak memory of the Impart site against stock Material, on generated field notes.

A benchmark, not a test: it prints figures and never fails on them.

    .venv/bin/python bench/build.py [--notes 100,300,1000] [--runs N] [--max-seconds 1800]

For each note count N it generates N field notes (about 800 words of seeded,
English-like prose each, 4 to 6 `##` sections, front matter like the real
notes) and writes them into two sites in a temporary folder:

(a) "ours": a copy of mkdocs.yml, docs/, overrides/ and hooks/, with the real
    notes in docs/field-notes/posts/ replaced by the generated ones;
(b) "stock": the same notes, authors file and blog index on stock Material and
    its blog plugin only: no hooks, no overrides, no rss plugin (a minimal
    mkdocs.yml written by this script), with the same Markdown extensions as
    ours (mkdocs.yml's markdown_extensions, Material's own emoji generator in
    place of impart's, pymdownx.arithmatex for impart's maths, and impart's
    other small extensions left out).

It then times `python -m mkdocs build -q` of (a) and (b) alternately
(a, b, a, b, ...), so that both see the same background load on a shared,
noisy machine, and after each build of (a), `python -m impart check` of (a)
(every check the strict build makes, without building; target: at most
0.25 of the build's time); a ratio of the two measured in one run means more than either
figure alone. Every build starts from an empty output folder, with
NO_MKDOCS_2_WARNING=1 and SOURCE_DATE_EPOCH fixed. Wall-clock time is
time.perf_counter around the whole subprocess (interpreter start, imports and
the build: what an editor waits for).

Peak memory: resource.getrusage(RUSAGE_CHILDREN) cannot be used, since it is
the maximum over every child this process has waited for, not per build. With
GNU time at /usr/bin/time (checked with `--version`), each build runs as
`/usr/bin/time -f "%M %U %S" -o FILE python -m mkdocs build ...`: %M is the
maximum resident set size of the build process, in KiB, from wait4(), written
to a file so it cannot mix with the build's own output. Without GNU time, the build
runs under a small Python launcher (`python -c LAUNCHER FILE build ...`) that
runs the `mkdocs` module in-process and, in a `finally`, writes its own
getrusage(RUSAGE_SELF).ru_maxrss to FILE: the same process, measured from the
inside. `--memory` chooses one explicitly. The method used is printed.

Both ways also give the build's CPU time (user + system), and the table prints
the CPU ratio next to the wall-clock one. CPU time leaves out time spent
waiting for a core, but not a core slowed by its neighbours (on a shared VM
both move by 10 to 20 % between identical builds), so neither replaces the
alternation; when the two ratios disagree, the machine was busy.

The whole run stops at --max-seconds (a build still running then is killed)
and prints what it has.
"""

from __future__ import annotations

import argparse
import datetime as dt
import functools
import os
import platform
import random
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

sys.path.insert(0, str(Path(__file__).resolve().parent))
from machine import cpu_model  # noqa: E402

SOURCE_DATE_EPOCH = "1795780800"  # 2026-11-27 12:00 UTC
SEED = 20261127
CATEGORIES = ("Field notes", "Operations", "Measurement")
AUTHOR = "impart"
FIRST_DATE = dt.date(2019, 1, 7)
LAST_DATE = dt.date(2026, 10, 30)  # before SOURCE_DATE_EPOCH: no note from the future
GNU_TIME = "/usr/bin/time"

LAUNCHER = """\
import resource, runpy, sys
out = sys.argv[1]
sys.argv = ["mkdocs"] + sys.argv[2:]
try:
    runpy.run_module("mkdocs", run_name="__main__", alter_sys=True)
finally:
    with open(out, "w") as handle:
        usage = resource.getrusage(resource.RUSAGE_SELF)
        handle.write(f"{usage.ru_maxrss} {usage.ru_utime} {usage.ru_stime}")
"""

# --- Prose -------------------------------------------------------------------
# A small vocabulary of our own; sentences are drawn from templates below.

NOUNS = (
    "team system model pilot operator sponsor budget measure report review process source owner release "
    "service dashboard threshold sample incident decision question answer queue form record handover "
    "schedule routine figure signal request workflow document policy estimate forecast target method "
    "baseline change risk cost margin customer colleague analyst manager contract supplier network "
    "platform archive ledger library account invoice meeting summary interview survey checklist rota "
    "deadline milestone backlog feature prompt label dataset pipeline table column log alert notice "
    "deputy board brief proposal plan outcome result error failure delay gap habit trial"
).split()

ADJECTIVES = (
    "small large quiet steady careful clear simple modest useful weekly daily monthly early late "
    "practical honest narrow broad familiar manual automated shared single written agreed reliable "
    "fragile visible hidden costly cheap slow quick rough precise formal informal local central "
    "ordinary unusual first final previous current stale fresh busy calm thorough brief separate "
    "common rare obvious subtle dependable known"
).split()

VERBS = (
    "check review measure record run own track plan test change publish compare agree trace "
    "schedule confirm explain approve pause retire replace escalate sample count monitor rehearse "
    "document estimate reduce raise flag support describe protect answer collect share"
).split()

ADVERBS = (
    "quietly carefully early often rarely usually slowly quickly openly gradually routinely "
    "sometimes eventually deliberately promptly regularly steadily plainly"
).split()

PREPOSITIONS = "for with from behind before after within across beside under around during".split()
DETERMINERS = ("the", "the", "a", "each", "every", "that", "this", "one")
PLURAL_DETERMINERS = ("the", "most", "some", "many", "few", "those", "our", "their")
MODALS = ("will", "should", "can", "may", "must", "would", "could")
PEOPLE = ("we", "they", "most teams", "operators", "our clients", "sponsors", "delivery leads")
OPENERS = (
    "In our experience,",
    "In practice,",
    "More often than not,",
    "After launch,",
    "Before launch,",
    "During the first month,",
    "Once the pilot ends,",
    "For most clients,",
    "Later on,",
    "On an ordinary morning,",
)

TEMPLATES = (
    "{Det} {adj} {noun} {verbs} {det} {noun} {prep} {det} {noun}.",
    "When {det} {noun} {verbs} {adv}, {det} {noun} {modal} {verb} {det} {adj} {noun}.",
    "{Opener} {people} {verb} {det} {noun} before {det} {noun} {verbs}.",
    "{Opener} {pdet} {nouns} {verb} {det} {adj} {noun} {adv}.",
    "It is {adj} to {verb} {det} {noun} {prep} {det} {adj} {noun}, and {adj} to {verb} it {adv}.",
    "{Pdet} {nouns} {verb} {det} {noun} {prep} {det} {noun}, but {det} {noun} {modal} still {verb} {pdet} {nouns}.",
    "Who {verbs} {det} {noun} when {det} {noun} {verbs}?",
    "{Det} {noun} is {adj}; {det} {noun} behind it is {adj} and {adj}.",
    "{People} {adv} {verb} {det} {adj} {noun}, because {det} {noun} {modal} {verb} {det} {noun} {prep} {det} {noun}.",
    "A {adj} {noun} that nobody {verbs} is {det} {noun} waiting to happen.",
    "{Opener} {det} {noun} {modal} {verb} {pdet} {adj} {nouns} {prep} {det} {noun} and {verb} {det} {noun}.",
    "That is why {people} {verb} {det} {noun} {prep} {det} {adj} {noun}.",
    "{Pdet} {adj} {nouns} {verb} {adv}, and {det} {noun} {verbs} {prep} them.",
    "If {det} {noun} {verbs} {adv}, {verb} {det} {noun} and {verb} {det} {adj} {noun} {prep} {det} {noun}.",
)

LIST_TEMPLATES = (
    "{Verb} {det} {noun} {prep} {det} {adj} {noun}.",
    "{Adj} {nouns}: {det} {noun} {verbs} {det} {noun} {adv}.",
    "{Verb} {pdet} {nouns} {adv}, and {verb} {det} {noun} when it {verbs}.",
    "{Det} {adj} {noun} {prep} {det} {noun}, {verbed} {adv}.",
)

HEADINGS = (
    "{Adj} {nouns} first",
    "{Verb} the {noun}",
    "Why {det} {noun} {verbs}",
    "What the {noun} {verbs}",
    "The {adj} {noun}",
    "{Nouns} and {nouns}",
    "{Verb} it {adv}",
    "When the {noun} {verbs}",
)

TITLES = (
    "{Verb} the {noun} before the {noun} {verbs}",
    "The {adj} {noun} behind every {noun}",
    "What {adj} {nouns} {verb} about {nouns}",
    "{Adj} {nouns} and the {noun} that {verbs} them",
    "A {adj} {noun} for the {adj} {noun}",
    "Why the {noun} {verbs} {adv}",
    "{Verb} {adj} {nouns} {prep} the {noun}",
)

_AN = re.compile(r"\b([Aa]) (?=(?:[aio]|e(?!u)|un(?!i)|hon)\w)")
_SLOT = re.compile(r"\{(\w+)\}")


def plural(noun: str) -> str:
    if noun.endswith(("s", "sh", "ch", "x")):
        return noun + "es"
    if noun.endswith("y") and noun[-2] not in "aeiou":
        return noun[:-1] + "ies"
    return noun + "s"


def third_person(verb: str) -> str:
    return plural(verb)  # the same spelling rules for these verbs


def past(verb: str) -> str:
    if verb.endswith("e"):
        return verb + "d"
    if verb.endswith("y") and verb[-2] not in "aeiou":
        return verb[:-1] + "ied"
    if verb == "run":
        return verb
    if verb in ("plan", "flag"):
        return verb + verb[-1] + "ed"
    return verb + "ed"


class Prose:
    """English-like prose from a seeded random.Random: the same seed, the same text."""

    # Each slot's words, inflected once (drawing from a tuple is what keeps 1000 notes fast).
    WORDS = {
        "noun": NOUNS,
        "nouns": tuple(map(plural, NOUNS)),
        "adj": ADJECTIVES,
        "verb": VERBS,
        "verbs": tuple(map(third_person, VERBS)),
        "verbed": tuple(map(past, VERBS)),
        "adv": ADVERBS,
        "prep": PREPOSITIONS,
        "det": DETERMINERS,
        "pdet": PLURAL_DETERMINERS,
        "modal": MODALS,
        "people": PEOPLE,
        "opener": OPENERS,
    }

    def __init__(self, rng: random.Random):
        self.rng = rng

    @staticmethod
    @functools.cache
    def _compile(template: str) -> tuple[str, tuple[tuple[tuple[str, ...], bool, str], ...]]:
        """The template as its first literal, then (words, capitalised, following literal) per slot."""
        parts = _SLOT.split(template)
        slots = []
        for i in range(1, len(parts), 2):
            name = parts[i]
            words = Prose.WORDS[name.lower()]
            if name[0].isupper():
                words = tuple(word[0].upper() + word[1:] for word in words)
            slots.append((words, len(words), parts[i + 1]))
        return parts[0], tuple(slots)

    def fill(self, template: str) -> str:
        head, slots = self._compile(template)
        draw = self.rng.random
        out = [head]
        for words, size, literal in slots:
            out.append(words[int(draw() * size)])
            out.append(literal)
        return _AN.sub(r"\1n ", "".join(out))

    def sentence(self) -> str:
        text = self.fill(self.rng.choice(TEMPLATES))
        if self.rng.random() < 0.04:  # now and then a phrase in bold, as editors do
            words = text.split()
            i = self.rng.randrange(1, len(words) - 1)
            if words[i].isalpha():
                words[i] = f"**{words[i]}**"
            text = " ".join(words)
        return text

    def paragraph(self, sentences: int) -> str:
        return " ".join(self.sentence() for _ in range(sentences))

    def bullet_list(self) -> str:
        return "\n".join("- " + self.fill(self.rng.choice(LIST_TEMPLATES)) for _ in range(self.rng.randint(3, 5)))

    def title(self) -> str:
        return self.fill(self.rng.choice(TITLES))

    def heading(self) -> str:
        return self.fill(self.rng.choice(HEADINGS))

    def description(self) -> str:
        """One or two sentences, 80 to 250 characters (our hooks accept 50 to 300)."""
        while True:
            text = self.sentence()
            if len(text) < 80:
                text += " " + self.sentence()
            if 80 <= len(text) <= 250:
                return text.replace("**", "")


def words_in(text: str) -> int:
    return len(text.split())


@dataclass
class Note:
    stem: str
    text: str
    words: int


def generate_note(index: int, date: dt.date) -> Note:
    """Note `index`: its text depends only on the index, so the first 100 notes are the same in every set."""
    rng = random.Random(SEED * 100_003 + index)
    prose = Prose(rng)
    title = prose.title()
    description = prose.description()
    category = CATEGORIES[rng.randrange(len(CATEGORIES))]
    target = rng.randint(760, 840)
    sections = rng.randint(4, 6)

    blocks = [prose.paragraph(rng.randint(3, 5)), prose.paragraph(rng.randint(2, 4))]
    count = sum(map(words_in, blocks))
    for left in range(sections, 0, -1):
        budget = (target - count) / left
        section = [f"## {prose.heading()}"]
        used = 0
        while used < budget - 15:
            if len(section) > 2 and rng.random() < 0.12:
                block = prose.bullet_list()
            elif len(section) > 2 and rng.random() < 0.03:
                block = f"```\n{prose.fill('{noun}:')}\n  {prose.fill('{noun}_{noun}: {adj}')}\n```"
            else:
                block = prose.paragraph(rng.randint(2, 5))
            section.append(block)
            used += words_in(block)
        blocks.extend(section)
        count += used + words_in(section[0])

    slug = re.sub(r"[^a-z0-9]+", "-", title.lower()).strip("-")
    front_matter = (
        "---\n"
        f"title: {title}\n"
        f"description: {description}\n"
        f"date: {date.isoformat()}\n"
        f"authors: [{AUTHOR}]\n"
        f"categories: [{category}]\n"
        "---\n\n"
    )
    return Note(
        stem=f"{slug[:60].rstrip('-')}-{index:04d}", text=front_matter + "\n\n".join(blocks) + "\n", words=count
    )


def generate_notes(count: int) -> list[Note]:
    days = (LAST_DATE - FIRST_DATE).days + 1
    if count > days:
        raise SystemExit(f"at most {days} notes: each needs its own date")
    offsets = sorted(random.Random(SEED + count).sample(range(days), count))
    return [generate_note(i, FIRST_DATE + dt.timedelta(days=offset)) for i, offset in enumerate(offsets)]


# --- Sites -------------------------------------------------------------------


def blog_settings() -> tuple[str, tuple[str, ...]]:
    from impart.settings import load_settings

    settings = load_settings(ROOT / "mkdocs.yml")
    return settings.blog_dir, settings.categories_allowed


def write_notes(posts: Path, notes: list[Note]) -> None:
    posts.mkdir(parents=True, exist_ok=True)
    for note in notes:
        (posts / f"{note.stem}.md").write_text(note.text, encoding="utf-8")


def make_ours(target: Path, blog_dir: str, notes: list[Note]) -> Path:
    target.mkdir(parents=True)
    shutil.copy2(ROOT / "mkdocs.yml", target / "mkdocs.yml")
    skip = shutil.ignore_patterns("__pycache__")
    for name in ("docs", "overrides", "hooks"):
        shutil.copytree(ROOT / name, target / name, ignore=skip)
    posts = target / "docs" / blog_dir / "posts"
    shutil.rmtree(posts)
    write_notes(posts, notes)
    return target / "mkdocs.yml"


def stock_markdown_extensions() -> str:
    """mkdocs.yml's markdown_extensions as stock Material would have them: Material's emoji generator for
    impart's, and without impart's own extensions (they are ours, measured in ours)."""
    text = (ROOT / "mkdocs.yml").read_text(encoding="utf-8")
    block = re.search(r"^markdown_extensions:\n(?:(?:[ #].*)?\n)*", text, re.M).group(0)
    block = block.replace("impart.content.emoji.to_svg_or_character", "material.extensions.emoji.to_svg")
    # Stock Material's maths: arithmatex marks formulas for a script to typeset (ours typesets them at build time).
    block = re.sub(
        r"^  - impart\.content\.maths\b.*$", "  - pymdownx.arithmatex:\n      generic: true", block, flags=re.M
    )
    return "".join(line for line in block.splitlines(keepends=True) if "- impart." not in line)


def make_stock(target: Path, blog_dir: str, categories: tuple[str, ...], notes: list[Note]) -> Path:
    docs = target / "docs"
    blog = docs / blog_dir
    blog.mkdir(parents=True)
    allowed = "".join(f"\n        - {name}" for name in categories)
    (target / "mkdocs.yml").write_text(
        "site_name: Impart (stock Material)\n"
        "theme:\n"
        "  name: material\n"
        "  font: false\n"
        "plugins:\n"
        "  - search\n"
        "  - blog:\n"
        f"      blog_dir: {blog_dir}\n"
        '      post_url_format: "{file}"\n'
        f"      categories_allowed:{allowed}\n"
        "      pagination_per_page: 5\n"
        "      authors_profiles: true\n"
        "      archive: true\n" + stock_markdown_extensions(),
        encoding="utf-8",
    )
    (docs / "index.md").write_text("# Impart\n\nField notes on taking AI systems into daily use.\n", encoding="utf-8")
    real_blog = ROOT / "docs" / blog_dir
    shutil.copy2(real_blog / "index.md", blog / "index.md")
    shutil.copy2(real_blog / ".authors.yml", blog / ".authors.yml")
    # The author's avatar, so the authors' pages link to a file that exists, as in ours.
    avatar = ROOT / "docs" / "assets" / "images" / "impart-editorial.svg"
    if avatar.exists():
        (docs / "assets" / "images").mkdir(parents=True)
        shutil.copy2(avatar, docs / "assets" / "images" / avatar.name)
    write_notes(blog / "posts", notes)
    return target / "mkdocs.yml"


# --- Builds ------------------------------------------------------------------


def venv_python() -> str:
    candidate = ROOT / ".venv" / "bin" / "python"
    return str(candidate) if candidate.exists() else sys.executable


def has_gnu_time() -> bool:
    try:
        probe = subprocess.run([GNU_TIME, "--version"], capture_output=True, text=True, timeout=10)
    except (OSError, subprocess.SubprocessError):
        return False
    return "GNU" in probe.stdout + probe.stderr


def time_check(python: str, config: Path, env: dict, timeout: float) -> float | None:
    """Seconds `impart check` takes on a site (interpreter start included, as for a build), or None if it fails."""
    start = time.perf_counter()
    try:
        done = subprocess.run(
            [python, "-m", "impart", "--config", str(config), "check"],
            cwd=config.parent,
            env=env,
            capture_output=True,
            timeout=timeout,
        )
    except subprocess.TimeoutExpired:
        return None
    return time.perf_counter() - start if done.returncode == 0 else None


@dataclass
class Build:
    seconds: float
    peak_kib: int | None
    cpu_seconds: float | None
    ok: bool
    message: str = ""
    timed_out: bool = False


class Builder:
    def __init__(self, python: str, memory: str):
        self.python = python
        self.memory = memory
        self.env = dict(os.environ, NO_MKDOCS_2_WARNING="1", SOURCE_DATE_EPOCH=SOURCE_DATE_EPOCH)

    def command(self, config: Path, outdir: Path, rss_file: Path) -> list[str]:
        args = ["build", "-q", "-f", str(config), "-d", str(outdir)]
        if self.memory == "gnu-time":
            return [GNU_TIME, "-f", "%M %U %S", "-o", str(rss_file), self.python, "-m", "mkdocs", *args]
        return [self.python, "-c", LAUNCHER, str(rss_file), *args]

    def run(self, config: Path, outdir: Path, timeout: float) -> Build:
        shutil.rmtree(outdir, ignore_errors=True)
        rss_file = outdir.with_name(outdir.name + ".maxrss")
        rss_file.unlink(missing_ok=True)
        command = self.command(config, outdir, rss_file)
        start = time.perf_counter()
        process = subprocess.Popen(
            command,
            cwd=config.parent,
            env=self.env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            start_new_session=True,  # so a timeout can stop the build and its children together
        )
        try:
            _, stderr = process.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.communicate()
            return Build(time.perf_counter() - start, None, None, False, "stopped at the time cap", timed_out=True)
        seconds = time.perf_counter() - start
        peak = cpu = None
        if rss_file.exists():
            lines = rss_file.read_text().strip().splitlines()  # GNU time may write a status line first
            fields = lines[-1].split() if lines else []
            try:
                peak, cpu = int(fields[0]), float(fields[1]) + float(fields[2])
            except (IndexError, ValueError):
                pass
            if peak is not None and sys.platform == "darwin":  # ru_maxrss is in bytes there
                peak //= 1024
        if process.returncode != 0:
            tail = "\n".join(stderr.strip().splitlines()[-15:])
            return Build(seconds, peak, cpu, False, f"exit status {process.returncode}\n{tail}")
        return Build(seconds, peak, cpu, True)


def missing_pages(outdir: Path, blog_dir: str, notes: list[Note]) -> list[str]:
    return [note.stem for note in notes if not (outdir / blog_dir / note.stem / "index.html").exists()]


# --- Report ------------------------------------------------------------------


@dataclass
class Result:
    notes: int
    words: int = 0
    generate_seconds: float = 0.0
    ours: list[Build] = field(default_factory=list)
    stock: list[Build] = field(default_factory=list)
    checks: list[float] = field(default_factory=list)
    failed: str = ""


def version(package: str) -> str:
    try:
        return metadata.version(package)
    except metadata.PackageNotFoundError:
        return "?"


def print_header(python: str, memory: str, counts: list[int]) -> None:
    usable = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    load = " ".join(f"{x:.2f}" for x in os.getloadavg()) if hasattr(os, "getloadavg") else "?"
    python_version = subprocess.run(
        [python, "-c", "import platform; print(platform.python_version())"], capture_output=True, text=True
    ).stdout.strip()
    how = "GNU time %M %U %S" if memory == "gnu-time" else "launcher, getrusage(RUSAGE_SELF).ru_maxrss"
    print(f"Impart build benchmark, {dt.datetime.now().astimezone().isoformat(timespec='seconds')}")
    print(f"machine: nproc {usable} (of {os.cpu_count()}), {cpu_model()}, {platform.system()} {platform.machine()}")
    print(f"load average at start: {load}")
    print(
        f"python {python_version} ({python}); mkdocs {version('mkdocs')}, "
        f"mkdocs-material {version('mkdocs-material')}, mkdocs-rss-plugin {version('mkdocs-rss-plugin')}"
    )
    print(f"notes: {', '.join(map(str, counts))}; builds alternate ours, stock; peak memory: {how}")
    print(f"SOURCE_DATE_EPOCH={SOURCE_DATE_EPOCH}; MB below are MiB (1024 * 1024 bytes)")
    print(flush=True)


def median(values: list[float]) -> float | None:
    return statistics.median(values) if values else None


def show(value: float | None, digits: int = 2) -> str:
    return "-" if value is None else f"{value:.{digits}f}"


def print_table(results: list[Result]) -> None:
    heads = (
        "notes",
        "ours median s",
        "stock median s",
        "ours/stock",
        "median of pair ratios",
        "check median s",
        "check/ours",
        "cpu ratio",
        "ours peak MB",
        "stock peak MB",
        "runs",
    )
    rows = []
    for result in results:
        ours = [b.seconds for b in result.ours if b.ok]
        stock = [b.seconds for b in result.stock if b.ok]
        pairs = [a.seconds / b.seconds for a, b in zip(result.ours, result.stock, strict=False) if a.ok and b.ok]
        ours_median, stock_median = median(ours), median(stock)
        ratio = ours_median / stock_median if ours_median and stock_median else None
        ours_cpu = median([b.cpu_seconds for b in result.ours if b.ok and b.cpu_seconds])
        stock_cpu = median([b.cpu_seconds for b in result.stock if b.ok and b.cpu_seconds])
        cpu_ratio = ours_cpu / stock_cpu if ours_cpu and stock_cpu else None
        check = median(result.checks)
        ours_peak = max((b.peak_kib for b in result.ours if b.peak_kib), default=None)
        stock_peak = max((b.peak_kib for b in result.stock if b.peak_kib), default=None)
        rows.append(
            (
                str(result.notes),
                show(ours_median),
                show(stock_median),
                show(ratio),
                show(median(pairs)),
                show(check),
                show(check / ours_median if check and ours_median else None),
                show(cpu_ratio),
                show(ours_peak / 1024 if ours_peak else None, 1),
                show(stock_peak / 1024 if stock_peak else None, 1),
                f"{len(ours)}/{len(stock)}",
            )
        )
    widths = [max(len(head), *(len(row[i]) for row in rows)) for i, head in enumerate(heads)]
    print("  ".join(head.rjust(width) for head, width in zip(heads, widths, strict=True)))
    for row in rows:
        print("  ".join(cell.rjust(width) for cell, width in zip(row, widths, strict=True)))
    for result in results:
        if result.failed:
            print(f"notes={result.notes}: {result.failed}")


def parse_counts(text: str) -> list[int]:
    try:
        counts = [int(part) for part in text.split(",") if part.strip()]
    except ValueError:
        raise argparse.ArgumentTypeError(f"a comma-separated list of note counts, not {text!r}") from None
    if not counts or min(counts) < 1:
        raise argparse.ArgumentTypeError("note counts must be positive")
    return counts


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--notes", type=parse_counts, default=[100, 300, 1000], help="note counts (100,300,1000)")
    parser.add_argument("--runs", type=int, help="builds of each site per note count (default 3; 2 above 300 notes)")
    parser.add_argument("--max-seconds", type=float, default=1800, help="stop after this long (1800)")
    parser.add_argument("--memory", choices=("auto", "gnu-time", "launcher"), default="auto", help="peak memory method")
    parser.add_argument("--keep", action="store_true", help="keep the temporary sites and print where they are")
    args = parser.parse_args(argv)
    if args.runs is not None and args.runs < 1:
        parser.error("--runs must be at least 1")

    started = time.perf_counter()
    deadline = started + args.max_seconds
    memory = args.memory
    if memory == "auto":
        memory = "gnu-time" if has_gnu_time() else "launcher"
    python = venv_python()
    builder = Builder(python, memory)
    blog_dir, categories = blog_settings()
    print_header(python, memory, args.notes)

    workdir = Path(tempfile.mkdtemp(prefix="impart-bench-"))
    results: list[Result] = []
    capped = False
    try:
        for count in args.notes:
            if time.perf_counter() >= deadline:
                capped = True
                break
            result = Result(count)
            results.append(result)
            tick = time.perf_counter()
            notes = generate_notes(count)
            result.generate_seconds = time.perf_counter() - tick
            result.words = sum(note.words for note in notes)
            base = workdir / str(count)
            sites = {
                "ours": make_ours(base / "ours", blog_dir, notes),
                "stock": make_stock(base / "stock", blog_dir, categories, notes),
            }
            print(
                f"notes={count}: generated in {result.generate_seconds:.2f} s, {result.words:,} words "
                f"({result.words // count} a note); both sites written in {time.perf_counter() - tick:.2f} s",
                flush=True,
            )
            runs = args.runs or (3 if count <= 300 else 2)
            for run in range(1, runs + 1):
                line = [f"  run {run}"]
                for name, config in sites.items():
                    left = deadline - time.perf_counter()
                    if left <= 0:
                        capped = True
                        break
                    outdir = base / f"site-{name}"
                    build = builder.run(config, outdir, timeout=left)
                    if build.timed_out:
                        line.append(f"{name} stopped at the time cap after {build.seconds:.2f} s")
                        capped = True
                        break
                    if build.ok and run == 1:
                        missing = missing_pages(outdir, blog_dir, notes)
                        if missing:
                            build.ok = False
                            build.message = f"{len(missing)} note pages missing, e.g. {missing[0]}"
                    getattr(result, name).append(build)
                    peak = show(build.peak_kib / 1024 if build.peak_kib else None, 1)
                    cpu = show(build.cpu_seconds)
                    line.append(f"{name} {build.seconds:6.2f} s (cpu {cpu:>6} s) {peak:>6} MB")
                    if not build.ok:
                        result.failed = f"{name} build failed: {build.message}"
                        break
                    if name == "ours":
                        check = time_check(python, config, builder.env, max(deadline - time.perf_counter(), 1))
                        if check is None:
                            result.failed = "impart check failed or hit the time cap"
                            break
                        result.checks.append(check)
                        line.append(f"check {check:5.2f} s")
                if len(result.ours) == len(result.stock) == run and result.ours[-1].ok and result.stock[-1].ok:
                    line.append(f"ours/stock {result.ours[-1].seconds / result.stock[-1].seconds:.2f}")
                print(" | ".join(line), flush=True)
                if capped or result.failed:
                    break
            if result.failed:
                print(f"  {result.failed}", flush=True)
            if capped:
                break
    finally:
        if args.keep:
            print(f"sites kept in {workdir}")
        else:
            shutil.rmtree(workdir, ignore_errors=True)

    print()
    if capped:
        print(f"stopped at the time cap (--max-seconds {args.max_seconds:g}); the figures below are what was measured")
    if results:
        print_table(results)
    print(f"\ntotal {time.perf_counter() - started:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
