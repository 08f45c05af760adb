"""Render an act written in the corpus markup into a PDF laid out like an official publication.

Markup (one paragraph per line, blank lines ignored):
    ^ text      a centred line (bold unless it is a date, a place or carries numbers)
    > text      a right-aligned line; consecutive ones form one approval stamp block
    | a | b |   a table row; consecutive rows form one ruled table
    @pagebreak  a new page (annexes)
    other       a justified paragraph with a first-line indent, hyphenated at line ends

    python corpora/render.py IN.txt OUT.pdf
    python corpora/render.py --all corpora/own [--force]
"""
from __future__ import annotations

import argparse
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path

from reportlab import rl_config
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.platypus import Flowable, PageBreak, SimpleDocTemplate, Spacer, Table, TableStyle

rl_config.invariant = 1  # fixed dates and ids: re-rendering gives the same bytes

FONT_DIR = Path("/usr/share/fonts/truetype/dejavu")
FONTS = {"Serif": "DejaVuSerif.ttf", "Serif-Bold": "DejaVuSerif-Bold.ttf", "Sans": "DejaVuSans.ttf"}

BODY_SIZE, BODY_LEADING = 11.5, 14.5
TABLE_SIZE, TABLE_LEADING = 10, 12.5
FIRST_INDENT = 12.5 * mm
MARGINS = {"left": 27 * mm, "right": 15 * mm, "top": 20 * mm, "bottom": 18 * mm}

HEADERS = {
    "RU": "Официальное опубликование правовых актов",
    "BY-ru": "Национальный правовой Интернет-портал Республики Беларусь",
    "BY-be": "Нацыянальны прававы Інтэрнэт-партал Рэспублікі Беларусь",
}


def register_fonts() -> None:
    """Register the DejaVu fonts once (Debian package fonts-dejavu-core)."""
    for name, file in FONTS.items():
        if name not in pdfmetrics.getRegisteredFontNames():
            pdfmetrics.registerFont(TTFont(name, str(FONT_DIR / file)))



VOWELS = set("аеёиоуыэюяі")
# letters that never start a line and stay with the syllable before them
LEFT_BOUND = set("йўьъ'’")
WORD_RE = re.compile(r"[а-яёіў'’]+")
COMPOUND_RE = re.compile(r"[А-ЯЁІЎа-яёіў'’A-Za-z0-9]+(?:-[А-ЯЁІЎа-яёіў'’A-Za-z0-9]+)+")
EDGE_RE = re.compile(r"^([^\wА-Яа-яЁёІіЎў]*)(.*?)([^\wА-Яа-яЁёІіЎў]*)$", re.S)
MIN_WORD, MIN_PART = 5, 2


def hyphen_points(word: str) -> list[int]:
    """Positions where a Russian or Belarusian word may break at a line end (syllable rules)."""
    if "-" in word:  # a compound breaks only at its own hyphens
        return [i + 1 for i, c in enumerate(word) if c == "-" and 0 < i < len(word) - 1]
    w = word.lower()
    if len(w) < MIN_WORD or not WORD_RE.fullmatch(w) or word.isupper():
        return []
    vowels = [i for i, c in enumerate(w) if c in VOWELS]
    points = []
    for a, b in zip(vowels, vowels[1:]):
        gap = b - a - 1
        # rule: between vowels split before a lone consonant, else after the first consonant
        p = b if gap == 0 else a + 1 if gap == 1 else a + 2
        while p < b and w[p] in LEFT_BOUND:  # rule: й, ў, ь, ъ and the apostrophe stay on the left
            p += 1
        if MIN_PART <= p <= len(w) - MIN_PART:  # rule: never leave a single letter
            points.append(p)
    return points


def split_word(token: str) -> list[tuple[str, str]]:
    """Ways to split a token at a line end, longest head first: (head with its hyphen, tail)."""
    lead, core, trail = EDGE_RE.match(token).groups()
    if not core:
        return []
    pairs = []
    for p in reversed(hyphen_points(core)):
        head = core[:p] if core[p - 1] == "-" else core[:p] + "-"
        pairs.append((lead + head, core[p:] + trail))
    return pairs



GLUE_RULES = [  # (name, left token, right token): keep the two on one line
    ("number_sign", re.compile(r"^[№N]$"), re.compile(r"^\d")),
    ("digit_groups", re.compile(r"^\(?\d{1,3}$"), re.compile(r"^\d{3}\b")),
    ("year_mark", re.compile(r"^\d{4}$"), re.compile(r"^г\.")),
    ("initials", re.compile(r"^(?:[А-ЯЁІЎ]\.){1,2}$"), re.compile(r"^[А-ЯЁІЎ][а-яёіў]")),
]


def units(text: str) -> list[str]:
    """Split a paragraph into units that the line breaker never separates."""
    out: list[str] = []
    for tok in text.split():
        last = out[-1].split(" ")[-1] if out else ""
        if out and any(l.match(last) and r.match(tok) for _, l, r in GLUE_RULES):
            out[-1] += " " + tok
        else:
            out.append(tok)
    return out


@dataclass
class TextLine:
    """One laid-out line: its units, left offset and whether its spaces stretch."""
    words: list[str]
    x: float
    stretch: bool


def break_lines(text: str, width: float, font: str, size: float, indent: float = 0.0,
                hyphenate: bool = True) -> list[TextLine]:
    """Greedy line breaking with hyphenation of the word that does not fit."""
    sw = pdfmetrics.stringWidth
    space = sw(" ", font, size)
    todo = units(text)
    lines: list[TextLine] = []
    cur: list[str] = []
    cur_w = 0.0
    x0 = indent
    while todo:
        unit = todo.pop(0)
        w = sw(unit, font, size)
        need = w if not cur else cur_w + space + w
        if x0 + need <= width:
            cur.append(unit)
            cur_w = need
            continue
        split = None
        if hyphenate and " " not in unit:
            for head, tail in split_word(unit):
                hw = sw(head, font, size)
                if x0 + (hw if not cur else cur_w + space + hw) <= width:
                    split = head, tail
                    break
        if split:
            cur.append(split[0])
            todo.insert(0, split[1])
        elif cur:
            todo.insert(0, unit)
        else:  # a unit wider than the whole line stays on a line of its own
            cur.append(unit)
        lines.append(TextLine(cur, x0, True))
        cur, cur_w, x0 = [], 0.0, 0.0
    if cur:
        lines.append(TextLine(cur, x0, False))
    return lines


class ActParagraph(Flowable):
    """A paragraph laid out by `break_lines`; align is justify, left, center or right."""

    def __init__(self, text: str, align: str = "justify", font: str = "Serif", size: float = BODY_SIZE,
                 leading: float = BODY_LEADING, indent: float = 0.0, hyphenate: bool = True,
                 space_before: float = 0.0, space_after: float = 0.0, lines: list[TextLine] | None = None):
        super().__init__()
        self.text, self.align, self.font, self.size, self.leading = text, align, font, size, leading
        self.indent, self.hyphenate = indent, hyphenate
        self.spaceBefore, self.spaceAfter = space_before, space_after
        self.lines = lines
        self._laid_width: float | None = None

    def _layout(self, width: float) -> None:
        if self.lines is None or (self._laid_width is not None and abs(self._laid_width - width) > 0.01):
            self.lines = break_lines(self.text, width, self.font, self.size, self.indent, self.hyphenate)
            self._laid_width = width

    def wrap(self, availWidth, availHeight):
        self._layout(availWidth)
        self.width = availWidth
        self.height = len(self.lines) * self.leading
        return self.width, self.height

    def split(self, availWidth, availHeight):
        self._layout(availWidth)
        fit = int((availHeight + 1e-6) // self.leading)
        if fit >= len(self.lines):
            return [self]
        fit = min(fit, len(self.lines) - 2)  # rule: no single widow line on the next page
        if fit < 2:  # rule: no single orphan line at the page bottom
            return []
        parts = []
        for chunk, before, after in ((self.lines[:fit], self.spaceBefore, 0),
                                     (self.lines[fit:], 0, self.spaceAfter)):
            p = ActParagraph(self.text, self.align, self.font, self.size, self.leading, self.indent,
                             self.hyphenate, before, after, lines=chunk)
            p._laid_width = availWidth
            parts.append(p)
        return parts

    def draw(self):
        canv, sw = self.canv, pdfmetrics.stringWidth
        canv.setFont(self.font, self.size)
        space = sw(" ", self.font, self.size)
        y = self.height - self.size
        for line in self.lines:
            widths = [sw(u, self.font, self.size) for u in line.words]
            natural = sum(widths) + space * (len(widths) - 1)
            gap, x = space, line.x
            if self.align == "center":
                x = (self.width - natural) / 2
            elif self.align == "right":
                x = self.width - natural
            elif self.align == "justify" and line.stretch and len(widths) > 1:
                gap = (self.width - line.x - sum(widths)) / (len(widths) - 1)
            for unit, w in zip(line.words, widths):
                canv.drawString(x, y, unit)
                x += w + gap
            y -= self.leading


class StampBlock(Flowable):
    """Right-hand approval stamp ("УТВЕРЖДЕНО …"): lines left-aligned in a block at the right margin."""

    def __init__(self, lines: list[str], font: str = "Serif", size: float = BODY_SIZE - 1, leading: float = 14):
        super().__init__()
        self.lines, self.font, self.size, self.leading = lines, font, size, leading
        self.spaceBefore, self.spaceAfter = 0, 10

    def wrap(self, availWidth, availHeight):
        self.width = availWidth
        self.height = len(self.lines) * self.leading
        return self.width, self.height

    def draw(self):
        widest = max(pdfmetrics.stringWidth(s, self.font, self.size) for s in self.lines)
        x = max(self.width - widest, self.width * 0.45)
        self.canv.setFont(self.font, self.size)
        for i, s in enumerate(self.lines):
            self.canv.drawString(x, self.height - self.size - i * self.leading, s)



@dataclass
class Block:
    """One markup block: kind is para, center, right, table or pagebreak."""
    kind: str
    lines: list[str] = field(default_factory=list)


def parse_markup(text: str) -> list[Block]:
    """Group markup lines into blocks (consecutive `>` lines and `|` rows join one block)."""
    blocks: list[Block] = []
    for raw in text.splitlines():
        line = raw.strip()
        if not line:
            if blocks and blocks[-1].kind in ("right", "table"):
                blocks.append(Block("gap"))
            continue
        if line == "@pagebreak":
            blocks.append(Block("pagebreak"))
        elif line.startswith("|"):
            cells = [c.strip() for c in line.strip("|").split("|")]
            if blocks and blocks[-1].kind == "table":
                blocks[-1].lines.append(cells)
            else:
                blocks.append(Block("table", [cells]))
        elif line.startswith(">"):
            if blocks and blocks[-1].kind == "right":
                blocks[-1].lines.append(line[1:].strip())
            else:
                blocks.append(Block("right", [line[1:].strip()]))
        elif line.startswith("^"):
            blocks.append(Block("center", [line[1:].strip()]))
        else:
            blocks.append(Block("para", [line]))
    return [b for b in blocks if b.kind != "gap"]


def is_bold_heading(s: str) -> bool:
    """Centred titles and section headings are bold; dates, places and '(извлечение)' are not."""
    if re.search(r"\d{2,}", s) or s.startswith("("):
        return False
    return s.isupper() or len(s) >= 16 or bool(re.match(r"^[IVXLC]+\.", s))


def detect_header(text: str) -> str:
    """Running header by country and language of the act."""
    head = text[:600].lower()
    if re.search(r"[іў]", head) and "беларусь" in head:
        return HEADERS["BY-be"]
    if "беларусь" in head:
        return HEADERS["BY-ru"]
    return HEADERS["RU"]


def table_flowable(rows: list[list[str]], width: float) -> Table:
    """A ruled table; column widths follow the longest cell text of each column."""
    ncol = max(len(r) for r in rows)
    rows = [r + [""] * (ncol - len(r)) for r in rows]
    longest = [max(min(len(r[i]), 60) for r in rows) + 6 for i in range(ncol)]
    col_w = [width * n / sum(longest) for n in longest]
    data = [[ActParagraph(c, "left", "Serif-Bold" if ri == 0 else "Serif", TABLE_SIZE, TABLE_LEADING)
             for c in r] for ri, r in enumerate(rows)]
    table = Table(data, colWidths=col_w, repeatRows=1, hAlign="LEFT")
    table.setStyle(TableStyle([
        ("GRID", (0, 0), (-1, -1), 0.6, "black"),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("LEFTPADDING", (0, 0), (-1, -1), 4), ("RIGHTPADDING", (0, 0), (-1, -1), 4),
        ("TOPPADDING", (0, 0), (-1, -1), 3), ("BOTTOMPADDING", (0, 0), (-1, -1), 4),
    ]))
    table.spaceBefore, table.spaceAfter = 4, 8
    return table


def flowables(blocks: list[Block], width: float) -> list[Flowable]:
    """Turn markup blocks into platypus flowables."""
    out: list[Flowable] = []
    for i, b in enumerate(blocks):
        if b.kind == "pagebreak":
            out.append(PageBreak())
        elif b.kind == "table":
            out.append(table_flowable(b.lines, width))
        elif b.kind == "right":
            out.append(StampBlock(b.lines))
        elif b.kind == "center":
            s = b.lines[0]
            bold = is_bold_heading(s)
            p = ActParagraph(s, "center", "Serif-Bold" if bold else "Serif", hyphenate=False,
                             space_before=6 if bold else 2, space_after=4)
            p.keepWithNext = True
            out.append(p)
        else:
            s = b.lines[0]
            article = bool(re.match(r"^(Статья|Артыкул) \d", s))
            out.append(ActParagraph(s, "justify", "Serif-Bold" if article else "Serif",
                                    indent=FIRST_INDENT, hyphenate=not article,
                                    space_before=4 if article else 0, space_after=2))
            if article:
                out[-1].keepWithNext = True
    return out


def render(src: Path, dst: Path, header: str | None = None) -> int:
    """Render one markup file into a PDF; returns the number of pages."""
    register_fonts()
    text = src.read_text(encoding="utf-8")
    header = header or detect_header(text)
    width = A4[0] - MARGINS["left"] - MARGINS["right"]

    def decorate(canv, doc):
        canv.saveState()
        canv.setFont("Sans", 8)
        canv.setFillGray(0.35)
        top = A4[1] - 12 * mm
        canv.drawString(MARGINS["left"], top, header)
        canv.setLineWidth(0.4)
        canv.line(MARGINS["left"], top - 3, A4[0] - MARGINS["right"], top - 3)
        canv.setFont("Serif", 10)
        canv.setFillGray(0)
        canv.drawCentredString(MARGINS["left"] + width / 2, 10 * mm, str(doc.page))
        canv.restoreState()

    dst.parent.mkdir(parents=True, exist_ok=True)
    doc = SimpleDocTemplate(str(dst), pagesize=A4, leftMargin=MARGINS["left"], rightMargin=MARGINS["right"],
                            topMargin=MARGINS["top"], bottomMargin=MARGINS["bottom"],
                            title="", author="", subject="", creator="")  # no file name leaks into metadata
    story = flowables(parse_markup(text), width)
    if story and isinstance(story[-1], PageBreak):
        story.append(Spacer(1, 1))
    doc.build(story, onFirstPage=decorate, onLaterPages=decorate)
    return doc.page


def render_all(folder: Path, force: bool = False) -> list[Path]:
    """Render every markup `.txt` in a folder whose `.pdf` is missing or older; returns the PDFs written."""
    written = []
    for src in sorted(folder.glob("*.txt")):
        dst = src.with_suffix(".pdf")
        if force or not dst.exists() or dst.stat().st_mtime < src.stat().st_mtime:
            render(src, dst)
            written.append(dst)
    return written


def main(argv: list[str] | None = None) -> int:
    """Command line: render one file, or a whole folder with --all."""
    ap = argparse.ArgumentParser(description="Render corpus markup (.txt) into an act-like PDF.",
                                 epilog="example: python corpora/render.py --all corpora/own")
    ap.add_argument("paths", nargs="*", type=Path, help="IN.txt OUT.pdf, or the folder with --all")
    ap.add_argument("--all", action="store_true", help="render each .txt in the folder without an up-to-date .pdf")
    ap.add_argument("--force", action="store_true", help="with --all: render even up-to-date files")
    ap.add_argument("--header", help="running header text (default: chosen by country and language)")
    args = ap.parse_args(argv)
    if args.all:
        if len(args.paths) != 1 or not args.paths[0].is_dir():
            ap.error("--all expects one folder")
        for pdf in render_all(args.paths[0], args.force):
            print(f"rendered {pdf}")
        return 0
    if len(args.paths) != 2:
        ap.error("expected IN.txt OUT.pdf")
    pages = render(args.paths[0], args.paths[1], args.header)
    print(f"rendered {args.paths[1]} ({pages} pages)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
