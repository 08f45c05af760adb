"""PDF ingestion: one adapter per PDF engine turns a file into our `Page`/`Line`/`Table` records, page by page.

No engine type leaves this module. Each adapter reduces a page to positioned glyphs (`Glyph`) and
ruling edges; the rest is shared: `assemble_lines` builds words and lines from glyphs, and
`build_page` finds ruled tables (pdfplumber's lattice algorithm), fills their cells from our words and
removes table text from the page's lines. So both engines give the same lines and the same tables.
"""
from __future__ import annotations

import bisect
import ctypes
import functools
import math
import operator
import re
import struct
import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import NamedTuple

from extractors.records import Line, Page, Table
from pipeline.errors import IngestError

__all__ = [
    "ENGINES", "Glyph", "PdfiumAdapter", "PdfplumberAdapter", "assemble_lines", "build_page", "check_pdf",
    "ImageProbe", "open_pages", "page_needs_ocr", "resolve_engine",
]

ENGINES = ("auto", "pdfium", "pdfplumber")
BOLD_FONT = re.compile(r"bold|black|heavy|semibold|demi|,b\b|-b\b", re.I)
# Horizontal gap between glyphs, as a share of the font size, above which a word break is assumed
# (fonts' own space is 0.25-0.28 em; letters of one word touch or overlap).
X_TOLERANCE = 0.2
# Vertical distance between glyph centres, as a share of the font size, within which glyphs share a
# line: superscripts (0.3 em up) stay on their line, the next line (>= 1 em down) does not.
Y_TOLERANCE = 0.45
# A table must be a real grid: a one-cell frame or a stack of shaded note boxes is not a table.
MIN_TABLE_ROWS = 2
MIN_TABLE_COLS = 2
# A ruled header band (one row, at least this many columns) over unruled rows still heads a table.
MIN_HEADER_COLS = 3
SNAP, JOIN, MIN_EDGE, INTERSECT = 3.0, 3.0, 3.0, 3.0  # pdfplumber's default lattice tolerances

BBox = tuple[float, float, float, float]


class Glyph(NamedTuple):
    """One drawn character in display coordinates (top-left origin), the common ground of all engines.

    A named tuple, not a dataclass: pages have thousands of glyphs and tuples are built several
    times faster.
    """

    text: str
    x0: float
    top: float
    x1: float
    bottom: float
    size: float
    bold: bool = False


class _Word(NamedTuple):
    """A run of glyphs without a space or gap inside."""

    text: str
    x0: float
    top: float
    x1: float
    bottom: float


@dataclass(frozen=True, slots=True)
class _Row:
    """A physical line and the words it is made of (the words place table cells)."""

    line: Line
    words: tuple[_Word, ...]


def _make_row(glyphs: list[Glyph], page: int, x_tol: float) -> _Row | None:
    """Turn the glyphs of one visual line into words and a `Line`."""
    glyphs.sort(key=_X0)
    words: list[_Word] = []
    text: list[str] = []  # the current word's glyph texts
    w_x0 = w_top = w_x1 = w_bottom = 0.0
    prev: Glyph | None = None
    sizes: dict[float, int] = {}  # font size -> glyphs, in first-seen order
    n_ink = n_bold = 0
    spaced = False
    for g in glyphs:
        ch, x0, top, x1, bottom, size, bold = g
        if ch.isspace():
            spaced = True
            continue
        if prev is not None:
            # Overprinted duplicates (simulated bold) repeat the same glyph at the same place.
            if ch == prev[0] and abs(x0 - prev[1]) < 0.5 and abs(top - prev[2]) < 0.5:
                continue
            # A drawn space is a break only where it leaves a visible gap: some generators draw
            # spaces on top of the next glyph ("1 0" for a page number "10").
            em = size if size > prev[5] else prev[5]
            gap = (x0 - prev[3]) / (em if em > 1.0 else 1.0)
            if gap > x_tol or (spaced and gap > x_tol / 2):
                words.append(_Word("".join(text), w_x0, w_top, w_x1, w_bottom))
                text = []
        if not text:
            w_x0, w_top, w_x1, w_bottom = x0, top, x1, bottom
        else:
            if top < w_top:
                w_top = top
            if x1 > w_x1:
                w_x1 = x1
            if bottom > w_bottom:
                w_bottom = bottom
        text.append(ch)
        prev = g
        spaced = False
        sizes[size] = sizes.get(size, 0) + 1
        n_ink += 1
        n_bold += bold
    if not n_ink:
        return None
    words.append(_Word("".join(text), w_x0, w_top, w_x1, w_bottom))
    rounded: dict[float, int] = {}
    for value, count in sizes.items():  # first-seen order kept: max() below breaks ties by it
        key = round(value, 1)
        rounded[key] = rounded.get(key, 0) + count
    bbox = (min(w.x0 for w in words), min(w.top for w in words),
            max(w.x1 for w in words), max(w.bottom for w in words))
    line = Line(page=page, text=" ".join(w.text for w in words), bbox=_round(bbox),
                size=max(rounded.items(), key=_COUNT)[0], bold=n_bold * 2 >= n_ink)
    return _Row(line, tuple(words))


_FOUR_FLOATS = struct.Struct("4f")
_X0 = operator.itemgetter(1)  # a glyph's x0
_COUNT = operator.itemgetter(1)  # of a (size, count) pair


def _round(bbox: Iterable[float]) -> BBox:
    return tuple(round(float(v), 2) for v in bbox)  # type: ignore[return-value]


def _assemble(glyphs: Iterable[Glyph], page: int, x_tol: float = X_TOLERANCE,
              y_tol: float = Y_TOLERANCE) -> list[_Row]:
    """Group glyphs into physical lines (top to bottom) by their vertical centres."""
    keyed = sorted(((g[2] + g[4]) / 2, g[1], i, g) for i, g in enumerate(glyphs) if g[0])
    rows: list[_Row] = []
    group: list[Glyph] = []
    mid_sum = size = 0.0
    for mid, _, _, g in keyed:
        em = g[5] if g[5] > size else size
        if group and mid - mid_sum / len(group) > y_tol * (em if em > 1.0 else 1.0):
            if (row := _make_row(group, page, x_tol)) is not None:
                rows.append(row)
            group, mid_sum, size = [], 0.0, 0.0
        group.append(g)
        mid_sum += mid
        if g[5] > size and not g[0].isspace():
            size = g[5]
    if group and (row := _make_row(group, page, x_tol)) is not None:
        rows.append(row)
    return rows


def assemble_lines(glyphs: Iterable[Glyph], page: int, *, x_tolerance: float = X_TOLERANCE,
                   y_tolerance: float = Y_TOLERANCE) -> list[Line]:
    """Physical lines of a page from its glyphs: words split on spaces and on gaps wider than x_tolerance em."""
    return [r.line for r in _assemble(glyphs, page, x_tolerance, y_tolerance)]


# Tables -------------------------------------------------------------------------------------------

def _grid_cells(edges: list[dict]) -> list[list[BBox]]:
    """Cell groups (one per table) from ruling edges, with pdfplumber's lattice algorithm."""
    from pdfplumber import table as pt
    from pdfplumber.utils import filter_edges

    merged = pt.merge_edges(edges, SNAP, SNAP, JOIN, JOIN)
    merged = filter_edges(merged, min_length=MIN_EDGE)
    merged += _open_sides(merged)
    cells = pt.intersections_to_cells(pt.edges_to_intersections(merged, INTERSECT, INTERSECT))
    return pt.cells_to_tables(cells)


def _open_sides(edges: list[dict]) -> list[dict]:
    """Vertical edges closing "open" tables, whose horizontal rules run past the outer vertical rules.

    Many tables rule rows and inner columns but draw no left or right border; the lattice then loses
    the outer columns. Horizontal rules that start (or end) at the same x and are joined by an inner
    vertical rule get a vertical edge there; rules of two tables one above the other are not joined.
    """
    verticals = [v for v in edges if v["orientation"] == "v"]

    def linked(a: dict, b: dict) -> bool:
        lo, hi = max(a["x0"], b["x0"]), min(a["x1"], b["x1"])
        return any(lo - SNAP <= v["x0"] <= hi + SNAP and v["top"] <= a["top"] + SNAP
                   and v["bottom"] >= b["top"] - SNAP for v in verticals)

    out: list[dict] = []
    for side in ("x0", "x1"):
        groups: dict[float, list[dict]] = {}
        for e in edges:
            if e["orientation"] == "h":
                groups.setdefault(round(e[side] / SNAP) * SNAP, []).append(e)
        for group in groups.values():
            group.sort(key=lambda e: e["top"])
            runs = [[group[0]]]
            for e in group[1:]:
                (runs[-1].append(e) if linked(runs[-1][-1], e) else runs.append([e]))
            for run in runs:
                if len(run) < 2:
                    continue
                top, bottom = run[0]["top"], run[-1]["top"]
                x = min(e[side] for e in run) if side == "x0" else max(e[side] for e in run)
                if not any(abs(v["x0"] - x) <= SNAP and v["top"] <= top + SNAP and v["bottom"] >= bottom - SNAP
                           for v in verticals):
                    out.append({"x0": x, "x1": x, "top": top, "bottom": bottom, "width": 0,
                                "height": bottom - top, "orientation": "v"})
    return out


def _cell_rows(cells: list[BBox]) -> list[list[BBox | None]]:
    """Arrange a table's cells in rows and columns (None where a merged cell spans)."""
    xs = sorted({c[0] for c in cells})
    by_top: dict[float, dict[float, BBox]] = {}
    for c in cells:
        by_top.setdefault(c[1], {})[c[0]] = c
    return [[row.get(x) for x in xs] for _, row in sorted(by_top.items())]


def _words_in(words: list[_Word], box: BBox) -> list[_Word]:
    """Words whose centre lies inside a box."""
    return [w for w in words
            if box[0] <= (w.x0 + w.x1) / 2 <= box[2] and box[1] <= (w.top + w.bottom) / 2 <= box[3]]


def _cell_text(words: list[_Word]) -> str:
    """Text of a cell: its words in reading order, one line per visual line."""
    lines: list[list[_Word]] = []
    for w in sorted(words, key=lambda w: ((w.top + w.bottom) / 2, w.x0)):
        if lines and (w.top + w.bottom) / 2 - (lines[-1][0].top + lines[-1][0].bottom) / 2 < 0.5 * (w.bottom - w.top):
            lines[-1].append(w)
        else:
            lines.append([w])
    return "\n".join(" ".join(x.text for x in sorted(ln, key=lambda w: w.x0)) for ln in lines)


def _table(page: int, grid: list[list[BBox | None]], words: list[_Word]) -> Table | None:
    """A `Table` record from a grid of cell boxes, or None when it is not a real table."""
    boxes = [c for row in grid for c in row if c]
    bbox = (min(c[0] for c in boxes), min(c[1] for c in boxes), max(c[2] for c in boxes), max(c[3] for c in boxes))
    # Words by vertical centre, so each cell looks only at the words of its band.
    placed = sorted(((w.top + w.bottom) / 2, (w.x0 + w.x1) / 2, i, w)
                    for i, w in enumerate(_words_in(words, bbox)))
    mids = [p[0] for p in placed]

    def cell(c: BBox) -> list[_Word]:
        band = placed[bisect.bisect_left(mids, c[1]):bisect.bisect_right(mids, c[3])]
        return [w for _, cx, i, w in sorted(band, key=lambda p: p[2]) if c[0] <= cx <= c[2]]

    rows = tuple(tuple(_cell_text(cell(c)) if c else "" for c in row) for row in grid)
    filled = sum(1 for row in rows for cell in row if cell)
    if len(rows) < MIN_TABLE_ROWS or max(len(r) for r in rows) < MIN_TABLE_COLS or filled < 2:
        return None
    return Table(page=page, bbox=_round(bbox), rows=rows)


def _extend_header(header: list[BBox | None], rows: list[_Row]) -> list[list[BBox]] | None:
    """Rows of an unruled table body under a ruled header band, as cell boxes; None if there is none.

    Word tables often rule only the header. The body is the run of lines right under it in which no
    word crosses a column boundary of the header; it ends at a crossing line that the next line does
    not return from (body text, a running footer), or at a gap wider than three line heights. Wrapped
    lines of one row sit closer together than lines of different rows, so rows split where the
    baseline pitch grows.
    """
    cols = [c for c in header if c]
    if len(cols) < MIN_HEADER_COLS:
        return None
    x0, x1 = min(c[0] for c in cols), max(c[2] for c in cols)
    bounds = sorted({c[0] for c in cols[1:]})
    top = max(c[3] for c in cols)
    def crosses(r: _Row) -> bool:
        return any(w.x0 < xb - 1 and w.x1 > xb + 1 for w in r.words for xb in bounds)

    below = [r for r in rows if r.line.bbox[1] >= top - 1]
    body: list[_Row] = []
    last_bottom = top
    for i, r in enumerate(below):
        b = r.line.bbox
        if b[0] < x0 - 3 or b[2] > x1 + 3 or b[1] - last_bottom > 3 * max(b[3] - b[1], 1.0):
            break
        # A line across the columns ends the table, unless the next line fits the columns again:
        # then it is a spanning row (a section heading inside the table).
        if crosses(r) and (i + 1 == len(below) or crosses(below[i + 1])):
            break
        body.append(r)
        last_bottom = b[3]
    if not body:
        return None
    # Baseline pitch (bottom to bottom) is the same whatever the engine's glyph box heights.
    pitches = [body[i].line.bbox[3] - body[i - 1].line.bbox[3] for i in range(1, len(body))]
    row_pitch = min(pitches) * 1.1 + 0.5 if pitches else 0.0
    groups: list[list[_Row]] = [[body[0]]]
    for pitch, r in zip(pitches, body[1:]):
        (groups[-1].append(r) if pitch <= row_pitch else groups.append([r]))
    edges_x = [c[0] for c in cols] + [cols[-1][2]]
    out: list[list[BBox]] = []
    for g in groups:
        gt, gb = min(r.line.bbox[1] for r in g), max(r.line.bbox[3] for r in g)
        out.append([(edges_x[i], gt, edges_x[i + 1], gb) for i in range(len(cols))])
    return out


def build_page(number: int, width: float, height: float, glyphs: Iterable[Glyph],
               cell_groups: Iterable[list[BBox]] = ()) -> Page:
    """A `Page` from engine-neutral glyphs and ruled cell groups: lines, tables, table text removed."""
    rows = _assemble(glyphs, number)
    tables: list[Table] = []
    words: list[_Word] | None = None
    for cells in cell_groups:
        grid = _cell_rows(cells)
        if len(grid) == 1:
            body = _extend_header(grid[0], rows)
            if body is None:
                continue
            grid = [grid[0]] + body
        if words is None:
            words = [w for r in rows for w in r.words]
        table = _table(number, grid, words)
        if table is not None:
            tables.append(table)
    lines = tuple(r.line for r in rows if not any(_inside(r.line.bbox, t.bbox) for t in tables))
    return Page(number=number, width=float(width), height=float(height), lines=lines, tables=tuple(tables))


def _inside(b: BBox, box: BBox, pad: float = 1.0) -> bool:
    """True when the centre of b lies in box."""
    cx, cy = (b[0] + b[2]) / 2, (b[1] + b[3]) / 2
    return box[0] - pad <= cx <= box[2] + pad and box[1] - pad <= cy <= box[3] + pad


def _edge(x0: float, top: float, x1: float, bottom: float) -> dict | None:
    """A pdfplumber-style edge dict for an axis-parallel segment (None when it is slanted or tiny)."""
    w, h = x1 - x0, bottom - top
    if h <= 0.01 and w > 0:
        return {"x0": x0, "x1": x1, "top": top, "bottom": top, "width": w, "height": 0, "orientation": "h"}
    if w <= 0.01 and h > 0:
        return {"x0": x0, "x1": x0, "top": top, "bottom": bottom, "width": 0, "height": h, "orientation": "v"}
    return None


def _box_edges(x0: float, top: float, x1: float, bottom: float) -> list[dict]:
    """Edges of a rectangle; a thin filled rectangle (a drawn rule) gives one edge."""
    if bottom - top <= 2.5:
        return [e for e in [_edge(x0, (top + bottom) / 2, x1, (top + bottom) / 2)] if e]
    if x1 - x0 <= 2.5:
        return [e for e in [_edge((x0 + x1) / 2, top, (x0 + x1) / 2, bottom)] if e]
    return [e for e in (_edge(x0, top, x1, top), _edge(x0, bottom, x1, bottom),
                        _edge(x0, top, x0, bottom), _edge(x1, top, x1, bottom)) if e]


# Engines ------------------------------------------------------------------------------------------

class PdfplumberAdapter:
    """pdfplumber (pdfminer) engine: slow; tables from the edges `page.find_tables()` uses, same lattice."""

    name = "pdfplumber"

    def __init__(self, *, tables: bool = True):
        self.tables = tables

    def pages(self, path: str | Path, password: str | None = None) -> Iterator[Page]:
        """Yield one `Page` per PDF page; each pdfplumber page is closed before the next is read."""
        import pdfplumber

        with pdfplumber.open(str(path), password=password or "") as pdf:
            for index, page in enumerate(pdf.pages):
                try:
                    glyphs = [
                        Glyph(c["text"], c["x0"], c["top"], c["x1"], c["bottom"], float(c["size"]),
                              bool(BOLD_FONT.search(c.get("fontname") or "")))
                        for c in page.chars if c.get("upright", True)
                    ]
                    cells = _grid_cells(_plumber_edges(page)) if self.tables else []
                    yield build_page(index + 1, page.width, page.height, glyphs, cells)
                finally:
                    page.close()


def _plumber_edges(page) -> list[dict]:
    """Ruling edges of a pdfplumber page: lines, stroked rectangles, thin filled bars, straight curve parts.

    A filled, unstroked rectangle that is not thin is a background (the shaded note boxes of legal
    database exports), not a rule.
    """
    from pdfplumber.utils import curve_to_edges

    out: list[dict] = []
    for r in page.rects:
        if r.get("stroke") or min(r["x1"] - r["x0"], r["bottom"] - r["top"]) <= 2.5:
            out += _box_edges(r["x0"], r["top"], r["x1"], r["bottom"])
    for e in list(page.lines) + [e for c in page.curves for e in curve_to_edges(c)]:
        if (edge := _edge(e["x0"], e["top"], e["x1"], e["bottom"])) is not None:
            out.append(edge)
    return out


class PdfiumAdapter:
    """pypdfium2 engine: glyph boxes and vector paths straight from pdfium, many times faster than pdfplumber.

    Ruled tables come from the page's path objects through pdfplumber's lattice functions (no
    pdfminer parsing), so no page is handed to the slow engine. `tables=False` skips them.
    """

    name = "pdfium"

    def __init__(self, *, tables: bool = True):
        self.tables = tables

    def pages(self, path: str | Path, password: str | None = None) -> Iterator[Page]:
        """Yield one `Page` per PDF page, closing pdfium's page objects as it goes."""
        import pypdfium2 as pdfium

        doc = pdfium.PdfDocument(str(path), password=password)
        try:
            for index in range(len(doc)):
                page = doc[index]
                try:
                    width, height = page.get_size()
                    glyphs = _pdfium_glyphs(page)
                    edges = _pdfium_edges(page) if self.tables else []
                finally:
                    page.close()
                yield build_page(index + 1, width, height, glyphs, _grid_cells(edges) if edges else [])
        finally:
            doc.close()


def _display_box(rot: int, crop, left: float, bottom: float, right: float, top: float) -> BBox:
    """Map a PDF-space box (bottom-left origin) to display space (top-left origin, rotation applied)."""
    cx0, cy0, cx1, cy1 = crop
    if rot == 90:
        xs, ys = (bottom - cy0, top - cy0), (left - cx0, right - cx0)
    elif rot == 180:
        xs, ys = (cx1 - right, cx1 - left), (bottom - cy0, top - cy0)
    elif rot == 270:
        xs, ys = (cy1 - top, cy1 - bottom), (cx1 - right, cx1 - left)
    else:
        xs, ys = (left - cx0, right - cx0), (cy1 - top, cy1 - bottom)
    return min(xs), min(ys), max(xs), max(ys)


@functools.cache
def _fast_calls():
    """Plain-integer prototypes of the per-character pdfium calls: no pointer wrappers in the hot loop."""
    import pypdfium2_raw.bindings as bindings

    lib = bindings._libs["pdfium"]
    vp, ci, cd = ctypes.c_void_p, ctypes.c_int, ctypes.c_double

    def proto(name: str, restype, *argtypes):
        fn = ctypes.CFUNCTYPE(restype, *argtypes)((name, lib))
        return fn

    return {
        "obj": proto("FPDFText_GetTextObject", vp, vp, ci),
        "loose": proto("FPDFText_GetLooseCharBox", ci, vp, ci, vp),
        "matrix": proto("FPDFText_GetMatrix", ci, vp, ci, vp),
        "size": proto("FPDFText_GetFontSize", cd, vp, ci),
        "generated": proto("FPDFText_IsGenerated", ci, vp, ci),
        "hyphen": proto("FPDFText_IsHyphen", ci, vp, ci),
        "font": proto("FPDFTextObj_GetFont", vp, vp),
        "fontname": proto("FPDFFont_GetBaseFontName", ctypes.c_size_t, vp, ctypes.c_char_p, ctypes.c_size_t),
    }


def _pdfium_glyphs(page) -> list[Glyph]:
    """Glyphs of a pdfium page in display coordinates, upright ones only.

    Characters of one text object share font, size and orientation, so those are read once per
    object; per character only the object handle and the box are asked for.
    """
    import pypdfium2.raw as raw

    f = _fast_calls()
    get_obj, loose_box, get_matrix, font_size = f["obj"], f["loose"], f["matrix"], f["size"]
    generated, hyphen = f["generated"], f["hyphen"]
    textpage = page.get_textpage()
    try:
        tp = ctypes.cast(textpage.raw, ctypes.c_void_p).value
        n = raw.FPDFText_CountChars(textpage.raw)
        rot = page.get_rotation() % 360
        crop = page.get_cropbox()
        cx0, cy1 = crop[0], crop[3]
        text = _pdfium_text(raw, textpage.raw, n)
        box, matrix = raw.FS_RECTF(), raw.FS_MATRIX()
        pbox, pmatrix = ctypes.addressof(box), ctypes.addressof(matrix)
        fonts: dict[int, bool] = {}  # font handle -> bold; handles live as long as the page
        last_obj, upright, size, bold = -1, True, 0.0, False
        glyphs: list[Glyph] = []
        append, new = glyphs.append, tuple.__new__  # Glyph's own __new__ is a Python function
        read_box = _FOUR_FLOATS.unpack_from  # one call instead of four ctypes field reads
        for i, ch in enumerate(text):
            if ch.isspace() and generated(tp, i) == 1:
                continue  # pdfium's guessed spaces and line breaks: word breaks are decided from gaps
            if ch < " " or ch in "\ufffe\uffff":
                if hyphen(tp, i) != 1:
                    continue
                ch = "-"  # pdfium reports a line-end hyphen as a control code
            obj = get_obj(tp, i) or 0
            if obj != last_obj:
                last_obj = obj
                get_matrix(tp, i, pmatrix)
                a, b, c, d = matrix.a, matrix.b, matrix.c, matrix.d
                # Glyph rotation from its matrix, clockwise like the page's /Rotate: vertical text
                # (rotated table headers) is not body text.
                angle = (rot - math.degrees(math.atan2(b, a))) % 360
                upright = not 5 < angle < 355
                size = round(font_size(tp, i) * math.hypot(c, d), 2)
                font = f["font"](obj) if obj else None
                key = font or 0
                bold = fonts.get(key)
                if bold is None:
                    buf = ctypes.create_string_buffer(256)
                    if font:
                        f["fontname"](font, buf, 256)
                    bold = fonts[key] = bool(BOLD_FONT.search(buf.value.decode("latin-1")))
            if not upright:
                continue
            loose_box(tp, i, pbox)
            left, top, right, bottom = read_box(box)  # FS_RECTF: left, top, right, bottom
            if rot == 0:
                append(new(Glyph, (ch, left - cx0, cy1 - top, right - cx0, cy1 - bottom, size, bold)))
            else:
                x0, t, x1, bt = _display_box(rot, crop, left, bottom, right, top)
                append(new(Glyph, (ch, x0, t, x1, bt, size, bold)))
        return glyphs
    finally:
        textpage.close()


def _pdfium_text(raw, tp, n: int) -> str:
    """The page's characters in one call, one per pdfium character index."""
    if n <= 0:
        return ""
    buf = ctypes.create_string_buffer(2 * (n + 1))
    raw.FPDFText_GetText(tp, 0, n, ctypes.cast(buf, ctypes.POINTER(ctypes.c_ushort)))
    text = buf.raw[: 2 * n].decode("utf-16-le", errors="replace")
    if len(text) != n:  # characters beyond the BMP take two units: fall back to one call each
        text = "".join(chr(raw.FPDFText_GetUnicode(tp, i)) for i in range(n))
    return text


def _pdfium_edges(page) -> list[dict]:
    """Axis-parallel ruling edges of a pdfium page (lines, rectangles, thin filled bars) in display space."""
    import pypdfium2.raw as raw

    rot = page.get_rotation() % 360
    crop = page.get_cropbox()
    edges: list[dict] = []
    matrix = raw.FS_MATRIX()
    px, py = ctypes.c_float(), ctypes.c_float()
    fillmode, stroke = ctypes.c_int(), ctypes.c_int()
    l, b, r, t = ctypes.c_float(), ctypes.c_float(), ctypes.c_float(), ctypes.c_float()
    path_type = raw.FPDF_PAGEOBJ_PATH
    # Top-level objects by raw handle: wrapping every text object only to skip it was a hot spot.
    for index in range(raw.FPDFPage_CountObjects(page.raw)):
        handle = raw.FPDFPage_GetObject(page.raw, index)
        if not handle or raw.FPDFPageObj_GetType(handle) != path_type:
            continue
        obj = _RawObject(handle)
        nseg = raw.FPDFPath_CountSegments(obj.raw)
        if nseg <= 6:  # a line or a rectangle: its bounds are the rule
            raw.FPDFPageObj_GetBounds(obj.raw, ctypes.byref(l), ctypes.byref(b), ctypes.byref(r), ctypes.byref(t))
            box = _display_box(rot, crop, l.value, b.value, r.value, t.value)
            raw.FPDFPath_GetDrawMode(obj.raw, ctypes.byref(fillmode), ctypes.byref(stroke))
            if stroke.value or min(box[2] - box[0], box[3] - box[1]) <= 2.5:  # else a background
                edges += _box_edges(*box)
            continue
        raw.FPDFPageObj_GetMatrix(obj.raw, ctypes.byref(matrix))
        start = prev = None
        for s in range(nseg):
            seg = raw.FPDFPath_GetPathSegment(obj.raw, s)
            raw.FPDFPathSegment_GetPoint(seg, ctypes.byref(px), ctypes.byref(py))
            x = matrix.a * px.value + matrix.c * py.value + matrix.e
            y = matrix.b * px.value + matrix.d * py.value + matrix.f
            kind = raw.FPDFPathSegment_GetType(seg)
            if kind == raw.FPDF_SEGMENT_LINETO and prev is not None:
                edges += _segment_edges(rot, crop, prev, (x, y))
            if kind == raw.FPDF_SEGMENT_MOVETO:
                start = (x, y)
            prev = (x, y)
            if raw.FPDFPathSegment_GetClose(seg) and start is not None:
                edges += _segment_edges(rot, crop, prev, start)
    return edges


@dataclass(frozen=True, slots=True)
class _RawObject:
    """A pdfium page-object handle (what the path loop needs of pypdfium2's wrapper)."""

    raw: object


def _segment_edges(rot: int, crop, a: tuple[float, float], b: tuple[float, float]) -> list[dict]:
    """The edge of one straight path segment, if axis-parallel."""
    x0, t, x1, bt = _display_box(rot, crop, min(a[0], b[0]), min(a[1], b[1]), max(a[0], b[0]), max(a[1], b[1]))
    if bt - t <= 0.5:
        t = bt = (t + bt) / 2
    elif x1 - x0 <= 0.5:
        x0 = x1 = (x0 + x1) / 2
    e = _edge(x0, t, x1, bt)
    return [e] if e else []


# Opening and checks -------------------------------------------------------------------------------

def check_pdf(path: str | Path) -> Path:
    """Cheap checks before any engine runs: the file exists, is not empty, is a PDF and is complete."""
    p = Path(path)
    if not p.is_file():
        raise IngestError("no such file; check the path", reason="not_found", path=str(p))
    size = p.stat().st_size
    if size == 0:
        raise IngestError("the file is empty (0 bytes); download or export it again", reason="empty", path=str(p))
    with p.open("rb") as fh:
        head = fh.read(1024)
        fh.seek(max(0, size - 4096))
        tail = fh.read()
    if b"%PDF-" not in head:
        kind = "an HTML page" if head.lstrip()[:1] == b"<" else "text" if _looks_like_text(head) else "binary data"
        raise IngestError(f"not a PDF: the file holds {kind}, without the %PDF- header; "
                          "check that the right file was saved", reason="not_pdf", path=str(p))
    if b"%%EOF" not in tail:
        raise IngestError("the PDF is truncated (no %%EOF end marker): the download or copy was cut off; "
                          "fetch the file again", reason="truncated", path=str(p))
    return p


def _looks_like_text(head: bytes) -> bool:
    """True when the bytes decode as UTF-8 or cp1251 text without control characters."""
    for enc in ("utf-8", "cp1251"):
        try:
            s = head.decode(enc)
        except UnicodeDecodeError:
            continue
        return all(ch.isprintable() or ch in "\r\n\t" for ch in s)
    return False


def _adapter(engine: str):
    """The adapter for an engine name; "auto" is pdfium (fast, same lines and tables)."""
    if engine in ("auto", "pdfium"):
        return PdfiumAdapter()
    if engine == "pdfplumber":
        return PdfplumberAdapter()
    raise ValueError(f"engine: expected one of {', '.join(ENGINES)}, got {engine!r}")


def _engine_error(exc: Exception, path: Path, where: str) -> IngestError:
    """Translate an engine's failure into an `IngestError` with a reason code."""
    text = f"{type(exc).__name__}: {exc}" if str(exc) else repr(exc)
    if re.search(r"password|encrypt|security", f"{text} {exc!r}", re.I):
        return IngestError("the PDF is encrypted and needs a password; pass the password or remove the "
                           "protection (e.g. qpdf --decrypt in.pdf out.pdf)", reason="encrypted", path=str(path))
    return IngestError(f"the PDF is damaged and cannot be read {where} ({text}); try re-saving it "
                       "(e.g. qpdf in.pdf out.pdf)", reason="damaged", path=str(path))


def open_pages(path: str | Path, engine: str = "auto", *, password: str | None = None) -> Iterator[Page]:
    """Stream the pages of a PDF as `Page` records.

    Raises `IngestError` right away (before the first page is consumed) when the file is missing,
    empty, not a PDF, truncated, encrypted without the password, damaged, or has no pages.
    """
    p = check_pdf(path)
    pages = _adapter(engine).pages(p, password=password)
    try:
        first = next(pages)
    except StopIteration:
        raise IngestError("the PDF has no pages", reason="empty", path=str(p)) from None
    except Exception as exc:  # engines raise their own types; callers only see ours
        raise _engine_error(exc, p, "at all") from exc
    return _chain(first, pages, p)


def _chain(first: Page, rest: Iterator[Page], path: Path) -> Iterator[Page]:
    """Yield the first page, then the rest, turning engine failures mid-document into `IngestError`."""
    yield first
    number = first.number
    try:
        for page in rest:
            number = page.number
            yield page
    except Exception as exc:
        raise _engine_error(exc, path, f"after page {number}") from exc


_PUNCT = set("!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~«»—–№§…“”„‘’•")
# Regex twins of the character tests, for whole pages at once (the per-character loop was a hot spot).
_SPACE_RE = re.compile(r"\s+")
_LETTER_RE = re.compile(r"[A-Za-z\u0400-\u04FF\u0500-\u052F]")
_DIGIT_RE = re.compile(r"\d")
_PUNCT_RE = re.compile("[" + re.escape("".join(sorted(_PUNCT))) + "]")


def _is_letter(ch: str) -> bool:
    """A Cyrillic or plain Latin letter (the scripts our acts are written in; not Latin-1 mojibake)."""
    return ("a" <= ch.lower() <= "z") or (ch.isalpha() and unicodedata.name(ch, "").startswith("CYRILLIC"))


def page_needs_ocr(page: Page, *, min_chars: int = 20) -> bool:
    """True when the page's text layer is missing or garbage, so an OCR stage should read it.

    Missing: fewer than `min_chars` characters (a scan may carry a stamp or a page number only).
    Garbage: most characters are neither Cyrillic/Latin letters, digits nor punctuation (a broken font
    encoding gives private-use codes, symbols or Latin-1 mojibake such as "Ñòàòüÿ"), or there is not
    a single letter and digits are not the bulk either.
    """
    text = "".join(ln.text for ln in page.lines)
    text += "".join(cell for t in page.tables for row in t.rows for cell in row)
    total = len(_SPACE_RE.sub("", text))
    if total < min_chars:
        return True
    letters = len(_LETTER_RE.findall(text))
    digits = len(_DIGIT_RE.findall(text))
    junk = total - letters - digits - len(_PUNCT_RE.findall(text))
    return junk > 0.5 * total or (letters == 0 and digits < 0.5 * total)


class ImageProbe:
    """Tells whether a page draws an image, keeping one pdfium document open across calls.

    A page without text or images is blank, not a scan: it needs no OCR.
    """

    def __init__(self, path: str | Path):
        self.path = str(path)
        self._doc = None

    def __call__(self, number: int) -> bool:
        """True when page `number` (1-based) draws an image."""
        import pypdfium2 as pdfium
        import pypdfium2.raw as raw

        if self._doc is None:
            self._doc = pdfium.PdfDocument(self.path)
        page = self._doc[number - 1]
        try:
            return any(True for _ in page.get_objects(filter=[raw.FPDF_PAGEOBJ_IMAGE], max_depth=2))
        finally:
            page.close()

    def close(self) -> None:
        if self._doc is not None:
            self._doc.close()
            self._doc = None


def resolve_engine(engine: str) -> str:
    """The name of the engine that reads a PDF for `engine` ("auto" is pdfium)."""
    return _adapter(engine).name
