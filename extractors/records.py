"""Typed records passed between stages. Nothing downstream of ingestion sees a PDF engine's types."""
from __future__ import annotations

import bisect
import operator
from dataclasses import dataclass, field

BBox = tuple[float, float, float, float]  # x0, top, x1, bottom in PDF points


@dataclass(frozen=True)
class Line:
    """One physical text line of a page, in reading order."""

    page: int  # 1-based
    text: str
    bbox: BBox = (0.0, 0.0, 0.0, 0.0)
    size: float = 0.0  # dominant font size, 0 when unknown
    bold: bool = False


@dataclass(frozen=True)
class Table:
    """A table found on a page: rows of cell strings."""

    page: int
    bbox: BBox
    rows: tuple[tuple[str, ...], ...]


@dataclass(frozen=True)
class Page:
    """One page as the ingestion adapter sees it."""

    number: int  # 1-based
    width: float
    height: float
    lines: tuple[Line, ...]
    tables: tuple[Table, ...] = ()
    ocr: bool = False


@dataclass(frozen=True)
class TextLine:
    """A line of the normalized document text with its provenance.

    `start`/`end` are offsets in `DocumentText.text` (end exclusive, the newline not included).
    `indent` is the line's x0 minus the page's body left margin (0 when unknown); `align` is
    "left", "center", "right" or "justify" ("" when unknown). These layout hints help structure rules
    but every rule must also work without them (plain strings in tests).
    """

    start: int
    end: int
    page: int
    bbox: BBox = (0.0, 0.0, 0.0, 0.0)
    indent: float = 0.0
    align: str = ""
    gap_before: float = 0.0  # vertical gap to the previous line on the page, in points (0 unknown)
    size: float = 0.0
    bold: bool = False


@dataclass(frozen=True)
class AnchoredTable:
    """A table with the offset in the document text after which it stands."""

    table: Table
    offset: int  # char offset in DocumentText.text of the end of the line the table follows


_END = operator.attrgetter("end")


@dataclass
class DocumentText:
    """The document as one normalized string, one physical line per `\\n`-separated line."""

    text: str
    lines: list[TextLine]
    tables: list[AnchoredTable] = field(default_factory=list)
    pages: int = 0
    ocr_pages: list[int] = field(default_factory=list)  # 1-based pages whose text came from OCR
    engine: str = ""  # the PDF engine that read the text layer ("pdfium", "pdfplumber"; "" for strings)

    @classmethod
    def from_string(cls, text: str, page: int = 1) -> "DocumentText":
        """Build from a plain string (tests, .txt sources): no layout, every line on `page`."""
        lines: list[TextLine] = []
        pos = 0
        for raw in text.split("\n"):
            lines.append(TextLine(start=pos, end=pos + len(raw), page=page))
            pos += len(raw) + 1
        return cls(text=text, lines=lines, pages=page)

    def line_text(self, line: TextLine) -> str:
        return self.text[line.start:line.end]

    def provenance(self, start: int, end: int) -> list[tuple[int, float, float, float, float]]:
        """Per-page union bboxes `[page, x0, top, x1, bottom]` of the lines overlapping [start, end)."""
        boxes: dict[int, list[float]] = {}
        lines = self.lines
        # lines follow the text, so their ends ascend: start at the first line that reaches `start`
        # (a scan of every line for every clause made long acts quadratic)
        for k in range(bisect.bisect_left(lines, start, key=_END), len(lines)):
            ln = lines[k]
            if ln.start >= end:
                break
            if ln.start == ln.end:
                continue
            b = boxes.get(ln.page)
            if b is None:
                boxes[ln.page] = list(ln.bbox)
            else:
                b[0], b[1] = min(b[0], ln.bbox[0]), min(b[1], ln.bbox[1])
                b[2], b[3] = max(b[2], ln.bbox[2]), max(b[3], ln.bbox[3])
        return [(p, *(round(v, 1) for v in b)) for p, b in sorted(boxes.items())]


@dataclass(frozen=True)
class ActMeta:
    """Act metadata (SPEC §3); None where not found."""

    country: str | None = None
    type: str | None = None
    issuer: str | None = None
    number: str | None = None
    date: str | None = None  # ISO YYYY-MM-DD
    title: str | None = None
    language: str | None = None
    evidence: dict[str, str] = field(default_factory=dict)  # field -> rule name that set it


@dataclass(frozen=True)
class Clause:
    """The smallest numbered unit of an act (SPEC §2)."""

    id: str
    path: tuple[str, ...]
    text: str  # whitespace-normalized, without the numbering marker
    char_start: int
    char_end: int
    kind: str  # "preamble" | "point" | "subpoint" | "item" | "part" | "paragraph"
    label: str = ""  # the marker as printed: "12", "б", "1.1", ...
    lead_in: bool = False  # text ends with ":" and it introduces sub-points
    parent_id: str | None = None
    annex: str | None = None  # annex id ("annex1") or None for the act body
    rule: str = ""  # name of the structure rule that opened it
    headings: tuple[str, ...] = ()  # titles of the annex, section, chapter and article above, outermost first


@dataclass(frozen=True)
class Amount:
    """A sum of money (SPEC §4)."""

    value: float
    currency: str  # RUB | BYN | USD | EUR
    text: str
    start: int = 0  # offsets within the clause text
    end: int = 0
    rule: str = ""  # name of the entity rule that found it (evidence)


@dataclass(frozen=True)
class Threshold:
    """A quantitative condition on anything but money."""

    comparator: str  # >= <= > < =
    value: float
    unit: str
    text: str
    start: int = 0
    end: int = 0
    rule: str = ""


@dataclass(frozen=True)
class Deadline:
    """A time limit for an action: a number of days or a date."""

    text: str
    days: int | None = None
    working_days: bool = False
    date: str | None = None  # ISO "YYYY-MM-DD", or "--MM-DD" (ISO 8601 month-day) when the year is not printed
    start: int = 0
    end: int = 0
    months: int | None = None  # "в трехмесячный срок", "не ранее чем через 1 год" (12)
    rule: str = ""


@dataclass(frozen=True)
class Reference:
    """A citation of another act."""

    text: str
    type: str | None = None
    number: str | None = None
    date: str | None = None  # ISO "YYYY-MM-DD"
    start: int = 0
    end: int = 0
    rule: str = ""


@dataclass(frozen=True)
class Body:
    """An organization named in a clause, normalized to its nominative form."""

    name: str
    text: str
    start: int = 0
    end: int = 0
    rule: str = ""


@dataclass(frozen=True)
class Entities:
    """Everything entity extraction finds in one clause text."""

    amounts: tuple[Amount, ...] = ()
    thresholds: tuple[Threshold, ...] = ()
    deadlines: tuple[Deadline, ...] = ()
    references: tuple[Reference, ...] = ()
    bodies: tuple[Body, ...] = ()


@dataclass(frozen=True)
class CategoryLabel:
    """A foreign-experience category given to a mechanism (SPEC §5)."""

    code: str
    score: float
    origin: tuple[str, ...]
    evidence: tuple[str, ...]


@dataclass(frozen=True)
class Mechanism:
    """A cluster-policy instrument established by a clause (SPEC §4)."""

    id: str
    clause_id: str
    type: str
    subject: str
    text: str
    entities: Entities
    categories: tuple[CategoryLabel, ...]
    confidence: float
    method: str  # "rules" | "model" | "rules+model"
    rule: str  # name of the rule that fired
    triggers: tuple[str, ...]  # the words that fired it
