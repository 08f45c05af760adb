"""From page records to one normalized document text: page noise out, hyphens repaired, layout hints kept.

Pure functions on `Page`/`Line` records. Every removal and every hyphen decision is made by a named
rule, so `strip_noise` and `hyphen_decision` can say which one fired.
"""
from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from extractors.records import AnchoredTable, BBox, DocumentText, Line, Page, Table, TextLine

__all__ = [
    "Removal", "build_document", "hyphen_decision", "join_spaced_letters", "load_document",
    "load_noise", "normalize_line", "repair_hyphens", "strip_noise",
]

NOISE_FILE = Path(__file__).parent / "data" / "page_noise.txt"
ZONE_LINES = 3  # lines at the top and at the bottom of a page where headers, footers and numbers live
ZONE_SHARE = 0.15  # ... and the share of the page height they stay within (when boxes are known)
REPEAT_SHARE = 0.4  # a zone line repeated on this share of pages (and on 2 at least) is running
HYPHENS = "-\u00ad\u2010\u2011"
SOFT_HYPHEN = "\u00ad"


# Page noise ---------------------------------------------------------------------------------------

@lru_cache(maxsize=4)
def load_noise(path: Path = NOISE_FILE) -> dict[str, tuple[re.Pattern[str], ...]]:
    """Patterns of `page_noise.txt` by section; each matches a whole (whitespace-collapsed) line."""
    sections: dict[str, list[re.Pattern[str]]] = {}
    current = None
    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        if re.fullmatch(r"\[[a-z_]+\]", line):
            current = sections.setdefault(line[1:-1], [])
            continue
        if current is None:
            raise ValueError(f"{path}: pattern {line!r} before any [section]")
        current.append(re.compile(line, re.I))
    return {k: tuple(v) for k, v in sections.items()}


def _matches(section: str, text: str) -> bool:
    text = " ".join(text.split())
    return any(p.fullmatch(text) for p in load_noise().get(section, ()))


def _digit_key(text: str) -> str:
    """Comparison key of a running line: spacing and numbers ignored ("Страница 3 из 21").

    Case counts: a running line is printed the same way on every page, while an act's type word in
    its header ("РАШЭННЕ") and in an annex stamp ("Рашэнне") is not a running line.
    """
    return re.sub(r"\d+", "#", " ".join(text.split()))


def _has_box(line: Line) -> bool:
    return line.bbox[2] > line.bbox[0]


def _zone(page: Page) -> list[int]:
    """Indices of the lines in the page's top and bottom zones."""
    n = len(page.lines)
    idx = sorted(set(range(min(ZONE_LINES, n))) | set(range(max(0, n - ZONE_LINES), n)))
    if page.height <= 0:
        return idx
    top, bottom = ZONE_SHARE * page.height, (1 - ZONE_SHARE) * page.height
    return [i for i in idx if not _has_box(page.lines[i])
            or page.lines[i].bbox[1] <= top or page.lines[i].bbox[3] >= bottom]


@dataclass(frozen=True)
class Removal:
    """A line taken out of the text, and the rule that took it."""

    page: int
    index: int  # position of the line in `Page.lines`
    text: str
    rule: str


def _running_keys(pages: Sequence[Page]) -> set[str]:
    """Keys of zone lines repeated on enough pages to be running headers or footers.

    Running: on REPEAT_SHARE of the pages, or on half that share when printed at the same height
    each time (a footer of one section of a long document).
    """
    seen: Counter[str] = Counter()
    at: Counter[tuple[str, int]] = Counter()
    for page in pages:
        keys = {(_run_key(page.lines[i].text), round(page.lines[i].bbox[1] / 2)) for i in _zone(page)}
        seen.update({k for k, _ in keys})
        at.update(keys)
    n = len(pages)
    running = {k for k, c in seen.items() if c >= max(2, REPEAT_SHARE * n)}
    running |= {k for (k, _), c in at.items() if c >= max(3, REPEAT_SHARE / 2 * n)}
    return {k for k in running if not k.startswith(_STAMP) or seen[k] >= max(3, REPEAT_SHARE * n)}


_STAMP = "\x00stamp "  # prefix of the keys of annex stamp lines, compared with their numbers


@lru_cache(maxsize=4096)
def _run_key(text: str) -> str:
    """The running-line key of a zone line: digits ignored, except in an annex stamp or a numbered
    heading, where the number tells one annex or chapter from the next."""
    if _matches("annex_stamp", text) or _matches("numbered_heading", text):
        return _STAMP + " ".join(text.split())
    return _digit_key(text)


def _note_block(lines: list[tuple[int, int, Line]], start: int) -> int:
    """End (exclusive) of an editorial note box: lines below the heading sharing its left edge."""
    head = lines[start][2]
    end = start + 1
    if not _has_box(head):
        return end
    prev = head
    while end < len(lines):
        ln = lines[end][2]
        height = max(ln.bbox[3] - ln.bbox[1], 1.0)
        same_page = ln.page == prev.page
        if abs(ln.bbox[0] - head.bbox[0]) > 1.5 or (same_page and ln.bbox[1] - prev.bbox[3] > height):
            break
        prev = ln
        end += 1
    return end


def _note_paragraph(lines: list[tuple[int, int, Line]], start: int, max_lines: int = 8) -> int:
    """End (exclusive) of a note set as a paragraph: the heading, the next line, and the continuation
    lines of that paragraph (they start left of its first line)."""
    end = min(start + 2, len(lines))
    if end - start < 2 or not _has_box(lines[start + 1][2]):
        return end
    first = lines[start + 1][2]
    while end < min(len(lines), start + max_lines) and lines[end][2].bbox[0] < first.bbox[0] - 1.5:
        end += 1
    return end


def _edition_block(lines: list[tuple[int, int, Line]], start: int, max_lines: int = 6) -> int:
    """End (exclusive) of a "(в ред. …)" note: through the line that closes its parenthesis and ends
    there; `start` (nothing removed) when the note does not close or text follows it."""
    depth = 0
    for k in range(start, min(len(lines), start + max_lines)):
        text = lines[k][2].text.rstrip()
        depth += text.count("(") - text.count(")")
        if depth <= 0:
            return k + 1 if re.search(r"\)[.;,]?$", text) else start
    return start


def strip_noise(pages: Sequence[Page]) -> tuple[list[Page], list[Removal]]:
    """Pages without running headers/footers, page numbers, portal stamps and editorial notes.

    Rules, in order (the first that fires names the removal):
      keep            placeholders such as [REGDATESTAMP] always stay;
      page_number     a lone page number in the top/bottom zone ("1", "- 2 -", "2 из 9");
      portal_stamp    a portal or database stamp in the zone ("Документ предоставлен КонсультантПлюс");
      running_header  a zone line repeated on many pages, digits ignored;
      database_note   a note of a legal database: a box ("ГАРАНТ:", "Информация об изменениях:")
                      with the lines under its heading that share its left edge, or a paragraph
                      after "КонсультантПлюс: примечание.";
      edition_note    a "(в ред. …)" / "(введен …)" note standing on its own line(s).
    """
    running = _running_keys(pages) if len(pages) > 1 else set()
    removed: dict[tuple[int, int], str] = {}
    for pi, page in enumerate(pages):
        for i in _zone(page):
            text = page.lines[i].text
            if _matches("keep", text):
                continue
            if _matches("page_number", text):
                removed[pi, i] = "page_number"
            elif _matches("portal_stamp", text):
                removed[pi, i] = "portal_stamp"
            elif _run_key(text) in running:
                removed[pi, i] = "running_header"
    flat = [(pi, i, ln) for pi, page in enumerate(pages) for i, ln in enumerate(page.lines)
            if (pi, i) not in removed]
    k = 0
    while k < len(flat):
        text = flat[k][2].text
        end, rule = k, ""
        if not _matches("keep", text):
            if _matches("note_box", text):
                end, rule = _note_block(flat, k), "database_note"
            elif _matches("note_paragraph", text):
                end, rule = _note_paragraph(flat, k), "database_note"
            elif _matches("edition_note", text):
                end, rule = _edition_block(flat, k), "edition_note"
        if end > k:
            for pi, i, _ in flat[k:end]:
                removed[pi, i] = rule
            k = end
        else:
            k += 1
    out = [Page(number=p.number, width=p.width, height=p.height, tables=p.tables, ocr=p.ocr,
                lines=tuple(ln for i, ln in enumerate(p.lines) if (pi, i) not in removed))
           for pi, p in enumerate(pages)]
    log = [Removal(pages[pi].number, i, pages[pi].lines[i].text, rule) for (pi, i), rule in sorted(removed.items())]
    return out, log


# Hyphen repair ------------------------------------------------------------------------------------

@lru_cache(maxsize=1)
def _morph():
    """pymorphy3's analyzer, built once (loading the dictionaries takes a while)."""
    import pymorphy3

    return pymorphy3.MorphAnalyzer()


@lru_cache(maxsize=65536)
def _known(word: str) -> bool:
    return bool(word) and _morph().word_is_known(word.lower())


_LEFT = re.compile(r"([^\W\d_](?:[\w-]*[^\W\d_])?)([" + HYPHENS + r"])$")
_RIGHT = re.compile(r"[^\W\d_]+(?:-[^\W\d_]+)*")
_WORD = re.compile(r"[^\W\d_]+(?:-[^\W\d_]+)*")


def hyphen_decision(left: str, right: str, forms: Counter[str] | None = None, *,
                    soft: bool = False) -> tuple[bool, str]:
    """Whether `left-` at a line end and `right` at the next line start make one word without the hyphen.

    Returns (join, rule). Rules, in order: soft_hyphen (a soft hyphen always joins), abbreviation
    (`ИКТ-кластер` keeps), dict_hyphenated and dict_joined (pymorphy3 knows the form),
    document_form (the document spells the word one way elsewhere), compound_stem (a `…о-`/`…е-`
    stem and a word: `институционально-правовой` keeps), known_parts (two known words that make no
    word when joined: `детей-инвалидов` keeps), and hyphenation (the default: join).
    """
    if soft:
        return True, "soft_hyphen"
    seg = left.rsplit("-", 1)[-1]
    if seg.isupper() and len(seg) > 1 or any(ch.isdigit() for ch in seg):
        return False, "abbreviation"
    # pymorphy3 knows some compounds in both spellings; a hyphenated form it knows is nearly never
    # a syllable break, so that form wins.
    if _known(f"{left}-{right}") or _known(f"{seg}-{right}"):
        return False, "dict_hyphenated"
    if _known(left + right) or _known(seg + right):
        return True, "dict_joined"
    if forms:
        nj, nh = forms[(left + right).lower()], forms[f"{left}-{right}".lower()]
        if nj != nh:
            return nj > nh, "document_form"
    head = right.split("-", 1)[0]
    if len(seg) >= 4 and seg[-1].lower() in "ое" and len(head) >= 4 and (_known(head) or _known(seg)):
        return False, "compound_stem"  # научно-, медико-, непрерывно- + a word
    if len(seg) >= 4 and len(head) >= 4 and _known(seg) and _known(head):
        return False, "known_parts"  # дети-инвалиды: two words, and no word when joined
    return True, "hyphenation"


def _word_forms(texts: Iterable[str]) -> Counter[str]:
    """Lower-cased words of the document, hyphenated compounds kept whole."""
    forms: Counter[str] = Counter()
    for t in texts:
        forms.update(w.lower() for w in _WORD.findall(t))
    return forms


def _repair(texts: list[str], forms: Counter[str] | None = None) -> list[tuple[str, str]]:
    """(text, rule) per line after hyphen repair; rule names the decision taken at the line's end."""
    forms = _word_forms(texts) if forms is None else forms
    out = [[t, ""] for t in texts]
    for k in range(len(out) - 1):
        prev, nxt = out[k][0].rstrip(), out[k + 1][0].lstrip()
        m = _LEFT.search(prev)
        if not m or not nxt or not nxt[0].islower():
            continue
        left = m.group(1)
        first = nxt.split(" ", 1)
        w = _RIGHT.match(first[0])
        if not left or not w:
            continue
        join, rule = hyphen_decision(left, w.group(), forms, soft=m.group(2) == SOFT_HYPHEN)
        head = prev[:m.start(2)] if join else prev[:m.start(2)] + "-"
        out[k][0] = head + first[0]
        out[k][1] = rule
        out[k + 1][0] = first[1] if len(first) > 1 else ""
    return [(t, r) for t, r in out]


def repair_hyphens(lines: Sequence[str], forms: Counter[str] | None = None) -> list[str]:
    """Join words hyphenated across line ends; the joined word moves to the end of the earlier line.

    `forms` counts the document's words (default: the words of `lines`) for the document_form rule.
    """
    return [t for t, _ in _repair(list(lines), forms)]


# Normalization ------------------------------------------------------------------------------------

_SPACES = re.compile(r"[ \t\u00a0\u2000-\u200a\u202f\u205f\u3000]+")
_INVISIBLE = re.compile(r"[\u200b\u200c\u200d\u2060\ufeff]")
_SPACED = re.compile(r"(?<!\w)((?:[^\W\d_] ){4,}[^\W\d_])(?!\w)( (?=[:.,;]))?")


def join_spaced_letters(text: str) -> str:
    """`п о с т а н о в л я е т :` → `постановляет:` (five or more letters separated by single spaces)."""
    return _SPACED.sub(lambda m: m.group(1).replace(" ", ""), text)


def normalize_line(text: str) -> str:
    """One line: odd spaces to plain ones, runs collapsed, soft hyphens and zero-width marks dropped,
    spaced-out words joined. `«»—№` and every other printed character stay as they are."""
    text = _INVISIBLE.sub("", text).replace(SOFT_HYPHEN, "")
    text = _SPACES.sub(" ", text).strip()
    return join_spaced_letters(text)


def _normalize_cell(cell: str, forms: Counter[str] | None = None) -> str:
    """A table cell on one line, its own line-end hyphens repaired."""
    return " ".join(normalize_line(t) for t in repair_hyphens(cell.split("\n"), forms) if t.strip())


# Layout hints -------------------------------------------------------------------------------------

def _margins(lines: Sequence[Line]) -> tuple[float, float] | None:
    """Body left and right edges: the most common line starts and ends (2 pt bins) of the text block."""
    boxes = [ln.bbox for ln in lines if _has_box(ln)]
    if len(boxes) < 3:
        return None
    x0s = sorted(b[0] for b in boxes)
    x1s = sorted(b[2] for b in boxes)
    left_bin = Counter(round(x / 2) for x in x0s[: len(x0s) // 2 + 1]).most_common(1)[0][0]
    right_bin = Counter(round(x / 2) for x in x1s[len(x1s) // 2:]).most_common(1)[0][0]
    left = min(x for x in x0s if round(x / 2) == left_bin)
    right = max(x for x in x1s if round(x / 2) == right_bin)
    return (left, right) if right - left > 50 else None


def line_align(bbox: BBox, left: float, right: float, para_indent: float = 0.0) -> str:
    """left / center / right / justify of a line against the text block [left, right].

    A line that starts at the paragraph indent is a paragraph's first line, never centred.
    """
    width = right - left
    tol = max(3.0, 0.01 * width)
    x0, x1 = bbox[0], bbox[2]
    if x1 >= right - tol:
        return "justify" if x0 <= left + 0.12 * width else "right"
    at_indent = para_indent > 0 and abs(x0 - left - para_indent) <= 2.0
    if x0 > left + tol and not at_indent and abs((x0 + x1) / 2 - (left + right) / 2) <= 1.5 * tol:
        return "center"
    return "left"


def _para_indent(lines: Sequence[Line], left: float, right: float) -> float:
    """The common first-line indent: the most frequent start of full-width lines right of the margin."""
    tol = max(3.0, 0.01 * (right - left))
    starts = Counter(round(ln.bbox[0] - left) for ln in lines
                     if _has_box(ln) and ln.bbox[2] >= right - tol and tol < ln.bbox[0] - left <= 0.12 * (right - left))
    return float(starts.most_common(1)[0][0]) if starts else 0.0


# The document -------------------------------------------------------------------------------------

@dataclass
class _Item:
    """A kept line on its way into the document text."""

    line: Line
    text: str


def build_document(pages: Iterable[Page]) -> DocumentText:
    """One `DocumentText` from page records: noise removed, hyphens repaired, lines normalized.

    Each physical line becomes one `TextLine` with its page, bbox, indent (x0 minus the body left
    margin of pages of that size), align, gap_before, size and bold. Tables are anchored at the end
    of the line they follow, their cells normalized.
    """
    pages = list(pages)
    clean, _ = strip_noise(pages)
    items = [_Item(ln, ln.text) for p in clean for ln in p.lines]
    forms = _word_forms(it.text for it in items)
    for item, (text, _rule) in zip(items, _repair([it.text for it in items], forms)):
        item.text = normalize_line(text)
    items = [it for it in items if it.text]
    # Margins per page size: portrait and landscape pages of one act have their own text blocks.
    margins: dict[tuple[int, int], tuple[float, float, float] | None] = {}
    for p in clean:
        key = (round(p.width), round(p.height))
        if key not in margins:
            same = [ln for q in clean if (round(q.width), round(q.height)) == key for ln in q.lines]
            m = _margins(same)
            margins[key] = (*m, _para_indent(same, *m)) if m else None
    size_of = {p.number: (round(p.width), round(p.height)) for p in clean}

    parts: list[str] = []
    lines: list[TextLine] = []
    pos = 0
    prev: Line | None = None
    for it in items:
        ln = it.line
        m = margins.get(size_of.get(ln.page, (0, 0)))
        boxed = _has_box(ln)
        indent = round(ln.bbox[0] - m[0], 1) if m and boxed else 0.0
        align = line_align(ln.bbox, *m) if m and boxed else ""
        gap = round(max(0.0, ln.bbox[1] - prev.bbox[3]), 1) if prev and prev.page == ln.page and boxed else 0.0
        lines.append(TextLine(start=pos, end=pos + len(it.text), page=ln.page, bbox=ln.bbox, indent=indent,
                              align=align, gap_before=gap, size=ln.size, bold=ln.bold))
        parts.append(it.text)
        pos += len(it.text) + 1
        prev = ln
    tables = [AnchoredTable(table=_clean_table(t, forms), offset=_anchor(lines, t)) for p in clean for t in p.tables]
    return DocumentText(text="\n".join(parts), lines=lines, tables=tables, pages=len(pages),
                        ocr_pages=[p.number for p in pages if p.ocr])


def _clean_table(t: Table, forms: Counter[str] | None = None) -> Table:
    """The table with each cell on one normalized line."""
    return Table(page=t.page, bbox=t.bbox, rows=tuple(tuple(_normalize_cell(c, forms) for c in row) for row in t.rows))


def _anchor(lines: list[TextLine], table: Table) -> int:
    """End offset of the last line above the table (on its page or an earlier one); 0 when none."""
    offset = 0
    for ln in lines:
        if ln.page < table.page or (ln.page == table.page and (ln.bbox[1] + ln.bbox[3]) / 2 <= table.bbox[1]):
            offset = ln.end
        elif ln.page > table.page:
            break
    return offset


def load_document(path: str | Path, engine: str = "auto", *, password: str | None = None,
                  ocr: str = "auto") -> DocumentText:
    """Read a PDF page by page and build its `DocumentText`; raises `IngestError` on bad files.

    `ocr="auto"` reads scanned pages (no usable text layer, an image drawn) with Tesseract. Without
    Tesseract they stay unread, and a document left with no text at all raises `OcrUnavailable`
    saying what to install. "never" skips OCR; "always" reads every page by OCR. A document with
    neither text nor anything to read raises `IngestError` with reason `no_text`.
    """
    from pipeline.errors import IngestError
    from pipeline.ingest import ImageProbe, open_pages, page_needs_ocr, resolve_engine

    if ocr not in ("auto", "never", "always"):
        raise ValueError(f"ocr: expected 'auto', 'never' or 'always', got {ocr!r}")
    pdf = Path(path)
    state: dict = {"tesseract": None, "unread": 0}
    has_images = ImageProbe(pdf)

    def pages() -> Iterable[Page]:
        for page in open_pages(pdf, engine, password=password):
            if ocr == "always" or (ocr == "auto" and page_needs_ocr(page) and has_images(page.number)):
                if _tesseract(state, required=ocr == "always"):
                    from pipeline.ocr import ocr_page

                    page = ocr_page(pdf, page.number - 1)
                else:
                    state["unread"] += 1
            yield page

    try:
        doc = build_document(pages())
    finally:
        has_images.close()
    if not doc.text.strip() and not doc.tables:
        if state["unread"]:
            from pipeline.ocr import check_tesseract

            check_tesseract()  # raises OcrUnavailable: a scan that nothing here can read
        raise IngestError(f"no text in {doc.pages} page(s): no text layer and no scanned image to read; "
                          "check that the file is the act and not a blank or image-free export",
                          reason="no_text", path=str(pdf))
    doc.engine = resolve_engine(engine)
    return doc


def _tesseract(state: dict, required: bool) -> bool:
    """Whether Tesseract can run (checked once per document); raises when OCR was demanded."""
    if state["tesseract"] is None:
        from pipeline.ocr import OcrUnavailable, check_tesseract

        try:
            check_tesseract()
            state["tesseract"] = True
        except OcrUnavailable:
            if required:
                raise
            state["tesseract"] = False
    return state["tesseract"]
