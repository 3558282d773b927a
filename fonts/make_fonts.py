"""Make the site's serif from the pinned npm package: three small WOFF2 files and the @font-face rules for them.

    (cd fonts && npm ci --ignore-scripts) && .venv/bin/python fonts/make_fonts.py

Source Serif 4 (Adobe, SIL Open Font License 1.1) comes from @fontsource/source-serif-4, pinned in
fonts/package.json. Its regular, bold and italic faces are subset with fontTools to Latin-1 and the
typographic punctuation the site sets (curly quotes, dashes, ellipsis, the euro), unhinted (about 2.5 KB
a face saved; Apple's systems and Android ignore the hints, and the serif is never set below 16 px), and
written to overrides/assets/fonts/ with the licence beside them. The licence reserves the name "Source"
for the unmodified font, so the subset is named Impart Serif.

The script also writes the block of overrides/assets/stylesheets/impart.css between its two marker
comments: the faces (font-display: swap, with the unicode-range the subset covers) and, for a reader
still waiting for them, local fallbacks (Georgia; DejaVu Serif where Georgia is absent, as on Linux)
scaled with size-adjust and ascent/descent overrides so their lines are as long and as tall as the
serif's: when the serif arrives, nothing moves. tests/pages/test_serif.py checks that the committed
block is what this script writes, and measures the shift in Chromium.
"""

from __future__ import annotations

import io
import re
import sys
from dataclasses import dataclass
from pathlib import Path

from fontTools import subset
from fontTools.ttLib import TTFont

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "fonts/node_modules/@fontsource/source-serif-4"
TARGET = ROOT / "overrides/assets/fonts"
STYLESHEET = ROOT / "overrides/assets/stylesheets/impart.css"
FAMILY = "Impart Serif"
BEGIN = "/* -- Impart Serif: written by fonts/make_fonts.py, do not edit by hand -- */"
END = "/* -- end of Impart Serif -- */"

# Latin-1's printable characters (the no-break space the byline uses among them), the Œ ligature, and the
# punctuation Python-Markdown's smarty writes (dashes, curly quotes, ellipsis) with the thin space, bullet,
# primes, angle quotes, € and ™: every one the font has (tests/pages/test_serif.py).
CHARACTERS = (
    [*range(0x20, 0x7F), *range(0xA0, 0x100), 0x152, 0x153]
    + [0x2009, 0x2013, 0x2014, 0x2018, 0x2019, 0x201A, 0x201C, 0x201D, 0x201E]
    + [0x2022, 0x2026, 0x2032, 0x2033, 0x2039, 0x203A, 0x20AC, 0x2122, 0x2212]
)


@dataclass(frozen=True)
class Face:
    name: str  # the file's name: impart-serif-{name}.woff2
    source: str  # the package's file for the latin subset
    weight: int
    style: str
    georgia: tuple[str, ...]  # local() names of the matching Georgia face
    dejavu: Path  # Debian's fonts-dejavu-core file of the matching face


DEJAVU = Path("/usr/share/fonts/truetype/dejavu")
FACES = (
    Face("regular", "source-serif-4-latin-400-normal.woff2", 400, "normal", ("Georgia",), DEJAVU / "DejaVuSerif.ttf"),
    Face("bold", "source-serif-4-latin-700-normal.woff2", 700, "normal", ("Georgia Bold", "Georgia-Bold"),
         DEJAVU / "DejaVuSerif-Bold.ttf"),
    Face("italic", "source-serif-4-latin-400-italic.woff2", 400, "italic", ("Georgia Italic", "Georgia-Italic"),
         DEJAVU / "DejaVuSerif-Italic.ttf"),
)  # fmt: skip

# Georgia is not on Linux, so its widths are the ones @capsizecss/metrics 4.3.0 publishes (its average
# width of English text, per em), with Source Serif 4's from the same table for a like-for-like ratio.
GEORGIA_WIDTH = {
    "regular": (913 / 2048, 479 / 1000),
    "bold": (1062 / 2048, 494 / 1000),
    "italic": (931 / 2048, 441 / 1000),
}

# Prose of the kind the site prints, capitals, figures and punctuation included: the average advance over it
# predicts how long a line is, so a fallback scaled to it wraps as the serif does.
SAMPLE = (
    "A field note is read on a train, between meetings, or late at night by someone who must decide "
    "whether the system their team built last spring will run on Monday. It names the operator, the cost "
    "line and the rollback path; it gives the success measure as a number (say, 92% of requests answered "
    "within 4 seconds), and it says plainly what happens when that number is missed. Readers skim the "
    "headline, weigh the standfirst, and stay for the body only if each paragraph earns the next one."
)


def average_width(font: TTFont) -> float:
    """The average advance of SAMPLE in this font, as a fraction of its em."""
    cmap, metrics = font.getBestCmap(), font["hmtx"]
    return sum(metrics[cmap[ord(c)]][0] for c in SAMPLE) / len(SAMPLE) / font["head"].unitsPerEm


def subset_face(source: Path) -> bytes:
    """The face cut to CHARACTERS, unhinted, kerned and with its ligatures, renamed Impart Serif."""
    options = subset.Options()
    options.flavor = "woff2"
    options.hinting = False
    options.layout_features = ["kern", "liga"]
    options.name_IDs = [0, 1, 2, 3, 4, 5, 6, 13, 14]
    options.notdef_outline = True
    font = TTFont(source, recalcTimestamp=False)  # the same bytes on every run
    subsetter = subset.Subsetter(options)
    subsetter.populate(unicodes=CHARACTERS)
    subsetter.subset(font)
    rename(font)
    out = io.BytesIO()
    font.flavor = "woff2"
    font.save(out, reorderTables=False)
    return out.getvalue()


def rename(font: TTFont) -> None:
    """The licence's reserved name "Source" stays with the unmodified font: the subset is Impart Serif."""
    names = font["name"]
    style = names.getDebugName(2) or "Regular"
    postscript = f"ImpartSerif-{style.replace(' ', '')}"
    for record in names.names:
        if record.nameID in (1, 16):
            record.string = FAMILY
        elif record.nameID == 3:
            record.string = f"{names.getDebugName(5)};{postscript}"
        elif record.nameID == 4:
            record.string = f"{FAMILY} {style}"
        elif record.nameID == 6:
            record.string = postscript


def unicode_range() -> str:
    """CHARACTERS as the fewest CSS ranges."""
    spans, start, last = [], None, None
    for code in sorted(set(CHARACTERS)):
        if start is None:
            start = last = code
        elif code == last + 1:
            last = code
        else:
            spans.append((start, last))
            start = last = code
    spans.append((start, last))
    return ", ".join(f"U+{a:04X}" if a == b else f"U+{a:04X}-{b:04X}" for a, b in spans)


def percent(value: float) -> str:
    return f"{value * 100:.2f}%"


def fallback_rule(family: str, sources: list[str], face: Face, serif: TTFont, width: float, serif_width: float) -> str:
    """A local face scaled to the serif's average width, with the serif's ascent and descent."""
    scale = serif_width / width
    em = serif["head"].unitsPerEm
    hhea = serif["hhea"]
    return "\n".join([
        "@font-face {",
        f'  font-family: "{family}";',
        f"  src: {', '.join(sources)};",
        f"  font-weight: {face.weight};",
        f"  font-style: {face.style};",
        f"  size-adjust: {percent(scale)};",
        f"  ascent-override: {percent(hhea.ascent / em / scale)};",
        f"  descent-override: {percent(-hhea.descent / em / scale)};",
        f"  line-gap-override: {percent(hhea.lineGap / em / scale)};",
        "}",
    ])  # fmt: skip


def stylesheet_block(fonts: Path = TARGET, dejavu: Path | None = None) -> str:
    """The @font-face rules for the subset files in `fonts`, with Georgia's and DejaVu Serif's fallbacks."""
    rules = [BEGIN]
    ranges = unicode_range()
    for face in FACES:
        rules.append("\n".join([
            "@font-face {",
            f'  font-family: "{FAMILY}";',
            f'  src: url("../fonts/impart-serif-{face.name}.woff2") format("woff2");',
            f"  font-weight: {face.weight};",
            f"  font-style: {face.style};",
            "  font-display: swap;",
            f"  unicode-range: {ranges};",
            "}",
        ]))  # fmt: skip
    for face in FACES:
        serif = TTFont(fonts / f"impart-serif-{face.name}.woff2")
        georgia, serif_share = GEORGIA_WIDTH[face.name]
        sources = [f'local("{name}")' for name in face.georgia]
        rules.append(fallback_rule(f"{FAMILY} Georgia", sources, face, serif, georgia, serif_share))
    for face in FACES:
        serif = TTFont(fonts / f"impart-serif-{face.name}.woff2")
        local = TTFont(face.dejavu if dejavu is None else dejavu / face.dejavu.name)
        names = local["name"]
        sources = [f'local("{names.getDebugName(4)}")', f'local("{names.getDebugName(6)}")']
        rules.append(
            fallback_rule(f"{FAMILY} DejaVu", sources, face, serif, average_width(local), average_width(serif))
        )
    rules.append(END)
    return "\n\n".join(rules)


def replace_block(css: str, block: str) -> str:
    pattern = re.compile(re.escape(BEGIN) + r".*?" + re.escape(END), re.S)
    if not pattern.search(css):
        raise SystemExit(f"{STYLESHEET}: the marker comments are missing; put {BEGIN!r} and {END!r} at its top")
    return pattern.sub(lambda _: block, css)


def main() -> int:
    if not PACKAGE.is_dir():
        print(f"{PACKAGE} is missing: run (cd fonts && npm ci --ignore-scripts)", file=sys.stderr)
        return 2
    missing = [str(face.dejavu) for face in FACES if not face.dejavu.is_file()]
    if missing:
        print(f"{missing[0]} is missing: apt-get install fonts-dejavu-core (the Linux fallback is measured)",
              file=sys.stderr)  # fmt: skip
        return 2
    TARGET.mkdir(parents=True, exist_ok=True)
    for face in FACES:
        data = subset_face(PACKAGE / "files" / face.source)
        (TARGET / f"impart-serif-{face.name}.woff2").write_bytes(data)
        print(f"impart-serif-{face.name}.woff2: {len(data):,} bytes")
    copyright_line = TTFont(PACKAGE / "files" / FACES[0].source)["name"].getDebugName(0)
    licence = (PACKAGE / "LICENSE").read_text(encoding="utf-8")
    licence = licence.split("\n", 1)[1] if licence.startswith("Google Inc.") else licence
    (TARGET / "OFL.txt").write_text(
        f"Impart Serif is a subset of Source Serif 4 (@fontsource/source-serif-4 {package_version()}).\n"
        f"{copyright_line}\n{licence}",
        encoding="utf-8",
    )
    STYLESHEET.write_text(replace_block(STYLESHEET.read_text(encoding="utf-8"), stylesheet_block()), encoding="utf-8")
    print(f"{STYLESHEET.relative_to(ROOT)}: @font-face rules written")
    return 0


def package_version() -> str:
    return re.search(r'"version":\s*"([^"]+)"', (PACKAGE / "package.json").read_text()).group(1)


if __name__ == "__main__":
    sys.exit(main())
