"""Clauses of an act (SPEC §2): an ordered list of named line rules over `DocumentText`.

Each physical line goes through `RULES` in order; the first rule that claims it decides what the
line is (header, note, annex heading, title, signature, a marker that opens a clause, or text of
the clause above). Every clause records the rule that opened it in `Clause.rule`.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from extractors.records import AnchoredTable, Clause, DocumentText, TextLine

__all__ = ["parse_clauses", "link_tables", "line_roles", "debug_lines", "release"]

DATA = Path(__file__).parent / "data" / "structure"


def _entries(name: str) -> list[str]:
    """Non-comment, non-empty lines of a data file."""
    out = []
    for raw in (DATA / name).read_text(encoding="utf-8").splitlines():
        if raw.strip() and not raw.lstrip().startswith("#"):
            out.append(raw.rstrip("\n"))
    return out


@lru_cache(maxsize=None)
def patterns() -> dict[str, re.Pattern]:
    """Marker regexes from `markers.tsv`, by name."""
    return {k: re.compile(v) for k, v in (e.split("\t", 1) for e in _entries("markers.tsv"))}


@lru_cache(maxsize=None)
def _lookalikes() -> dict[str, str]:
    return dict(e.split("\t", 1) for e in _entries("ocr_lookalikes.tsv"))


@lru_cache(maxsize=None)
def words(name: str) -> tuple[str, ...]:
    """A one-term-per-line list from the structure data folder."""
    return tuple(e.strip() for e in _entries(name))


# Legal numbering skips some letters; Belarusian lists use і and ы.
_RU_LETTERS = "абвгдежзиклмнопрстуфхцчшщэюя"
_BE_LETTERS = "абвгдежзіклмнопрстуфхцчшыэюя"
_ALPHABET = "абвгдеёжзиійклмнопрстуўфхцчшщъыьэюя"
_TRANSLIT = dict(zip("абвгдеёжзиійклмнопрстуўфхцчшщъыьэюя",
                     "a b v g d e yo zh z i i j k l m n o p r s t u w f kh ts ch sh shch - y - eh yu ya".split()))
_CLOSERS = "»\"')”]"
_ABBREV_END = re.compile(r"(?:^|[\s(])(?:ст|п|пп|ч|подп|абз|разд|гл|прил|т|им|д|ул|см|N|№)\.?$", re.I)
_BINDING_END = re.compile(
    r"(?:^|\s)(?:и|или|в|во|с|со|на|к|по|до|за|от|о|об|из|при|для|N|№|пункт\w*|подпункт\w*|част\w*|"
    r"стать\w*|глав\w*|раздел\w*|приложени\w*|абзац\w*)$", re.I)
_STAMP_DATE = re.compile(r"\d{1,2}\.\d{1,2}\.\d{4}|\d{1,2}\s+[а-яёіў]+\s+\d{4}|^от\s|(?:№|N)\s*_{2,}", re.I)
_DATE_LIKE = re.compile(r"\d{1,2}[.\s][а-яё\d]+[.\s]\d{4}|\d{4}\s*(?:г\.|года)", re.I)
_STAMP_NEXT = r"(?:к|да)\s|(?:постановлением|приказом|указом|решением|распоряжением|пастановай|загадам)\b|Постановление|Пастанова"
_HYPHEN_END = re.compile(r"([А-ЯЁІЎа-яёіўA-Za-z]+)-$")
_SPACED = re.compile(r"(?<!\S)(?:[А-ЯЁІЎа-яёіў] ){3,}[А-ЯЁІЎа-яёіў](?: ?:)?(?!\S)")


def despace(s: str) -> str:
    """Collapse letter-spaced words ("П Р И К А З") into plain ones."""
    return _SPACED.sub(lambda m: m.group().replace(" ", ""), s)


@dataclass
class _L:
    """A non-empty physical line with its place in the document."""

    i: int
    text: str
    start: int
    end: int
    tl: TextLine
    brk: bool  # a blank line or a layout gap precedes it


@dataclass
class _Open:
    """A clause being built."""

    kind: str
    label: str
    mkind: str  # point | dotted2.. | item | letter | para | preamble
    comp: str
    prefix: tuple[str, ...]
    path: tuple[str, ...]
    headings: tuple[str, ...]
    annex: str | None
    rule: str
    parent: "_Open | None"
    lines: list[tuple[_L, int]] = field(default_factory=list)
    children: int = 0
    id: str = ""


@dataclass
class _Ctx:
    """The container a clause lives in: annex, section, chapter, article."""

    annex: tuple[str, str] | None = None  # (id component, title)
    section: tuple[str, str, str] | None = None  # (component, label, title)
    chapter: tuple[str, str, str] | None = None
    article: tuple[str, str, str] | None = None


def _lines(doc: DocumentText) -> list[_L]:
    """Non-empty lines; a blank line or a clear vertical gap sets `brk` on the next one."""
    out: list[_L] = []
    gaps = sorted(tl.gap_before for tl in doc.lines if tl.gap_before > 0)
    typical = gaps[len(gaps) // 2] if gaps else 0.0
    blank = True
    for i, tl in enumerate(doc.lines):
        raw = doc.text[tl.start:tl.end]
        s = raw.strip()
        if not s:
            blank = True
            continue
        lead = len(raw) - len(raw.lstrip())
        gap = typical > 0 and tl.gap_before > 1.6 * typical
        out.append(_L(i, s, tl.start + lead, tl.start + lead + len(s), tl, blank or gap))
        blank = False
    return out


def _closed(s: str) -> bool:
    """Does the line end a sentence, a list item or a lead-in?"""
    t = s.rstrip(_CLOSERS + " ")
    if not t or t[-1] not in ".;:!?":
        return False
    return not (t[-1] == "." and _ABBREV_END.search(t))


def _upper_ratio(s: str) -> float:
    letters = [c for c in s if c.isalpha()]
    return sum(c.isupper() for c in letters) / len(letters) if len(letters) >= 4 else 0.0


_SUP = str.maketrans("0123456789", "⁰¹²³⁴⁵⁶⁷⁸⁹")
_UNSUP = str.maketrans("⁰¹²³⁴⁵⁶⁷⁸⁹", "0123456789")


def _num(seg: str) -> tuple[int, int]:
    """A number segment with its superscript insert index: "12" -> (12, 0), "12¹" -> (12, 1)."""
    base = "".join(c for c in seg if c.isdigit() and c.isascii())
    sup = seg[len(base):].translate(_UNSUP)
    return int(base), int(sup) if sup else 0


def _order(mkind: str, label: str) -> tuple:
    """A sortable key for a label within its list."""
    if mkind == "letter":
        return (_ALPHABET.find(label),)
    return tuple(_num(x) for x in label.split("."))


def _is_next(mkind: str, last: str, label: str) -> bool:
    if mkind == "letter":
        return any(last in seq and seq.index(last) + 1 < len(seq) and seq[seq.index(last) + 1] == label
                   for seq in (_RU_LETTERS, _BE_LETTERS))
    a, b = last.split("."), label.split(".")
    if a[:-1] != b[:-1]:
        return False
    (na, sa), (nb, sb) = _num(a[-1]), _num(b[-1])
    return (nb == na + 1 and sb == 0) or (nb == na and sb == sa + 1)


def _superscript(last: str | None, label: str) -> str:
    """Consolidated texts insert points 12¹, 12² after 12; flattened text shows them as "121", "122"."""
    if not last or not label.isdigit():
        return label
    base = str(_num(last.split(".")[-1])[0]) if "." not in last else ""
    rest = label[len(base):]
    if base and label.startswith(base) and rest and rest[0] != "0" and int(rest) <= 20 \
            and _is_next("point", last, base + rest.translate(_SUP)):
        return base + rest.translate(_SUP)
    return label


def _is_first(mkind: str, label: str) -> bool:
    return label in ("а", "1") if mkind in ("letter", "item", "point") else label.split(".")[-1] == "1"


def _roman(s: str) -> int:
    vals = {"I": 1, "V": 5, "X": 10, "L": 50, "C": 100}
    total = 0
    for a, b in zip(s, s[1:] + " "):
        total += -vals[a] if vals.get(b, 0) > vals[a] else vals[a]
    return total


def _translit(label: str) -> str:
    out = "".join(_TRANSLIT.get(c, c) for c in label.lower())
    return re.sub(r"[⁰¹²³⁴⁵⁶⁷⁸⁹]+", lambda m: "-" + m.group().translate(_UNSUP), out)


def _title_case(s: str) -> str:
    """An all-caps title as a sentence: "ТРЕБОВАНИЯ к паркам" -> "Требования к паркам"."""
    s = despace(s)
    words_ = s.split()
    if words_ and _upper_ratio(s) > 0.8:
        s = s.lower()
    elif words_ and _upper_ratio(words_[0]) > 0.8 and len(words_[0]) > 1:
        s = words_[0].lower() + s[len(words_[0]):]
    return s[:1].upper() + s[1:]


@lru_cache(maxsize=1)
def _morph():
    try:
        import pymorphy3
        return pymorphy3.MorphAnalyzer()
    except Exception:  # the dictionaries are optional for structure: fall back to dropping hyphens
        return None


# first parts of compound adjectives ("медико-", "научно-", "социально-") that dictionaries lack
_COMPOUND_STEMS = ("ико", "но", "ско", "цко", "ово", "ево", "ьно", "ое")


def _keep_hyphen(left: str, right: str) -> bool:
    """At a line-final hyphen, is it a real compound hyphen ("научно-\\nтехнический")?"""
    m = _morph()
    if m is None or len(left) < 4 or len(right) < 3:
        return False
    if m.word_is_known(left + right):
        return False
    return m.word_is_known(right) and (m.word_is_known(left) or left.endswith(_COMPOUND_STEMS))


def _unfinished(s: str) -> bool:
    """Does a heading line stop mid-phrase (on a comma, preposition, conjunction or adjective)?"""
    s = s.rstrip()
    if s.endswith((",", "-", "—", "–")) or _BINDING_END.search(s):
        return True
    m = _morph()
    last = re.search(r"([А-ЯЁа-яё]+)$", s)
    if m is None or last is None:
        return False
    tag = m.parse(last.group(1).lower())[0].tag
    return tag.POS in ("ADJF", "PRTF", "PREP", "CONJ")


def _nominal_heading(s: str) -> bool:
    """A heading names a thing: no verb, a first word that can be nominative, no dangling end
    ("Цели и задачи" is; "Рекомендовать органам", "Ответственным заказчиком" are not)."""
    m = _morph()
    ws = re.findall(r"[А-ЯЁа-яё]+", s)
    if m is None or not ws or _unfinished(s):
        return m is None
    if any(m.parse(w.lower())[0].tag.POS in ("VERB", "INFN") for w in ws):
        return False
    return any("nomn" in p.tag for p in m.parse(ws[0].lower()))


def join_lines(parts: list[str], vocab: frozenset[str] = frozenset()) -> str:
    """Join physical lines into one whitespace-normalized text, repairing line-end hyphenation.

    `vocab` (lower-case words of the whole document) settles a hyphen first: a compound written
    elsewhere with its hyphen keeps it, a word written elsewhere in one piece loses it.
    """
    out: list[str] = []
    for p in parts:
        p = p.strip()
        if not p:
            continue
        m = _HYPHEN_END.search(out[-1]) if out else None
        if out and re.search(r"\d-$", out[-1]) and p[0].islower():  # "3-\nмесячный"
            out[-1] += p
        elif m and p[0].isalpha():
            if p[0].isupper():
                out[-1] += p
            else:
                right = re.match(r"[^\W\d_]+", p).group()  # any letters: the rest may be ß or é
                token = out[-1].rsplit(None, 1)[-1].lower().strip("«\"(")
                if token + right in vocab:
                    keep = True
                elif token[:-1] + right in vocab:
                    keep = False
                else:
                    keep = _keep_hyphen(m.group(1).lower(), right)
                out[-1] = (out[-1] if keep else out[-1][:-1]) + p
        else:
            out.append(p)
    return re.sub(r"\s+", " ", " ".join(out)).strip()


class _Parser:
    """State of one pass over the lines; `RULES` names the methods tried in order."""

    RULES = ("note_continue", "page_number", "note_start", "annex_heading_continue", "annex_heading",
             "signature_continue", "signature", "article", "chapter", "section", "numbered_heading",
             "marker", "title_continue", "header", "preamble", "text")

    def __init__(self, doc: DocumentText):
        self.doc = doc
        self.lines = _lines(doc)
        lens = sorted(len(ln.text) for ln in self.lines) or [0]
        self.width = lens[int(len(lens) * 0.9)] if lens else 0
        self.hints = any(ln.tl.align or ln.tl.indent for ln in self.lines)
        self.vocab = frozenset(re.findall(r"[а-яёіўa-z]+(?:-[а-яёіўa-z]+)*", doc.text.lower()))
        self.mode = "header"  # header | body | annex_head | title | signature | note
        self.title_kind = ""
        self.title_parts: list[str] = []
        self.note_kind = ""
        self.paren = 0
        self.ctx = _Ctx()
        self.annex_n = 0
        self.stack: list[_Open] = []
        self.cur: _Open | None = None
        self.opens: list[_Open] = []
        self.last_label: dict[str, str] = {}
        self.par_n: dict[tuple, int] = {}
        self.prev: _L | None = None
        self.prev_role = "start"
        self.roles: list[tuple[str, str, _L]] = []
        self.head_date_seen = False
        self.after_note = "body"
        self.k = 0

    # ---- driving -------------------------------------------------------------------------------
    def run(self) -> None:
        for k, ln in enumerate(self.lines):
            self.k = k
            for name in self.RULES:
                role = getattr(self, "r_" + name)(ln)
                if role:
                    self.roles.append((role, name, ln))
                    self.prev_role = role
                    self.prev = ln
                    break

    def _prev_closed(self, ln: _L) -> bool:
        if self.prev_role not in ("text", "clause"):
            return True
        return self.prev is not None and _closed(self.prev.text)

    def _next_text(self, offset: int = 1) -> str:
        j = self.k + offset
        return self.lines[j].text if 0 <= j < len(self.lines) else ""

    def _centered(self, ln: _L) -> bool:
        return ln.tl.align in ("center", "right")

    # ---- containers ----------------------------------------------------------------------------
    def _close_all(self) -> None:
        self.stack = []
        self.cur = None

    def _prefix(self) -> tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...]]:
        """Id components, path labels and heading titles of the current container."""
        c, ids, path, heads = self.ctx, [], [], []
        if c.annex:
            ids.append(c.annex[0]); path.append(c.annex[1]); heads.append(c.annex[1])
        for part in (c.section, c.chapter):
            if part and not c.article:
                ids.append(part[0])
            if part:
                path.append(part[1])
                if part[2]:
                    heads.append(part[2])
        if c.article:
            ids.append(c.article[0]); path.append(c.article[1])
            if c.article[2]:
                heads.append(c.article[2])
        return tuple(ids), tuple(path), tuple(heads)

    def _set_title(self, kind: str, text: str) -> None:
        """Store a finished heading title on its container."""
        c = self.ctx
        if not text:
            return
        if kind == "annex" and c.annex:
            c.annex = (c.annex[0], _title_case(text))
        elif kind in ("section", "chapter", "article"):
            part = getattr(c, kind)
            if part:
                setattr(c, kind, (part[0], part[1], text))

    def _start_title(self, kind: str, first: str) -> None:
        self._flush_title()
        self.mode, self.title_kind, self.title_parts = "title", kind, [first] if first else []
        if first:
            self._set_title(kind, join_lines(self.title_parts, self.vocab))

    def _flush_title(self) -> None:
        if self.mode == "title":
            self.mode = "body"

    def _new_annex(self) -> None:
        self._close_all()
        self.annex_n += 1
        self.ctx = _Ctx(annex=(f"annex{self.annex_n}", f"Приложение {self.annex_n}"))
        self.last_label = {}

    # ---- clauses -------------------------------------------------------------------------------
    def _open(self, ln: _L, kind: str, mkind: str, label: str, comp: str, cut: int, rule: str,
              parent: _Open | None) -> _Open:
        ids, path, heads = self._prefix()
        if parent is not None:
            ids, path = parent.prefix + (parent.comp,) if parent.comp else parent.prefix, \
                parent.path + ((parent.label,) if parent.label else ())
            parent.children += 1
        o = _Open(kind, label, mkind, comp, ids, path, heads, self.ctx.annex[0] if self.ctx.annex else None,
                  rule, parent)
        o.lines.append((ln, cut))
        self.opens.append(o)
        self.cur = o
        return o

    def _paragraph(self, ln: _L, rule: str) -> None:
        """Unnumbered text with no clause above it in this container."""
        ids, _, _ = self._prefix()
        if self.ctx.article and not any(o.prefix == ids and o.mkind == "para" for o in self.opens):
            comp = ""
        else:
            self.par_n[ids] = n = self.par_n.get(ids, 0) + 1
            comp = f"par{n}"
        o = self._open(ln, "paragraph", "para", "", comp, 0, rule, None)
        self.stack = [o]

    # ---- rules ---------------------------------------------------------------------------------
    def r_note_continue(self, ln: _L) -> str | None:
        if self.mode != "note":
            return None
        p = patterns()
        if self.note_kind == "paren":
            self.paren += ln.text.count("(") - ln.text.count(")")
            if self.paren <= 0:
                self.mode = self.after_note
            return "note"
        if self._structural(ln) or p["note_block"].match(ln.text) or self.after_note == "header" and (
                ln.text.startswith(words("preamble_openers.txt")) or self._enacting(ln.text)):
            self.mode = self.after_note
            return None
        if self.note_kind == "changes" and p["note_end"].match(ln.text):
            self.mode = self.after_note
        return "note"

    def r_page_number(self, ln: _L) -> str | None:
        return "noise" if patterns()["page_number"].match(ln.text) and self.mode != "annex_head" else None

    def r_note_start(self, ln: _L) -> str | None:
        p, t = patterns(), ln.text
        if p["note_block"].match(t):
            self.after_note = self.mode if self.mode != "note" else "body"
            if self.mode == "title":
                self.after_note = "body"
            self.mode, self.note_kind = "note", "changes" if t.startswith("Информация об изм") else "block"
            return "note"
        if p["note_line"].match(t) and self._prev_closed(ln):
            return "note"
        if p["note_paren"].match(t) and self.mode != "annex_head":
            depth = t.count("(") - t.count(")")
            if depth > 0:
                self.after_note = "body" if self.mode in ("title", "note") else self.mode
                self.mode, self.note_kind, self.paren = "note", "paren", depth
            return "note"
        return None

    def r_annex_heading_continue(self, ln: _L) -> str | None:
        if self.mode != "annex_head":
            return None
        t = ln.text
        if self._structural(ln) or self._annex_title_word(t):
            self._start_title("annex", "")
            return None
        date_line = bool(_STAMP_DATE.search(t))
        short = len(t) <= 80 and not _closed(t.rstrip(")"))
        if self._centered(ln) and ln.tl.align == "right" or (short and not self.head_date_seen) \
                or t.startswith("(") or date_line and not self.head_date_seen:
            if date_line:
                self.head_date_seen = True
            return "annex_heading"
        self._start_title("annex", "")
        return None

    def r_annex_heading(self, ln: _L) -> str | None:
        p, t = patterns(), ln.text
        bare = re.fullmatch(r"\S+(?:\s*(?:N|№)\s*\d+)?", t) is not None
        if not self._prev_closed(ln) and not (bare and re.match(_STAMP_NEXT, self._next_text(), re.I)):
            return None
        m = p["annex_garant"].match(t)
        if m and (self.prev_role in ("annex_title", "signature") or self.mode == "title"):
            if self.title_kind != "annex" or self.prev_role != "annex_title":
                self._new_annex()
            self.mode, self.note_kind = "note", "paren"
            self.paren = t.count("(") - t.count(")")
            self.after_note = "body"
            if self.paren <= 0:
                self.mode = "body"
            return "annex_heading"
        m = p["annex_approved"].match(t)
        rest = m.group("rest").strip() if m else ""
        ok = m and (not rest or rest[0].islower() or rest[0] in "(" or len(t) <= 40)
        if not ok:
            m = p["annex_appendix"].match(t)
            rest = m.group("rest").strip() if m else ""
            ok = m and (not rest or rest.startswith(("к ", "к\u00a0", "(")) or len(t) <= 30)
        if not ok:
            return None
        self._new_annex()
        self.mode, self.head_date_seen = "annex_head", bool(_STAMP_DATE.search(t))
        return "annex_heading"

    def r_signature_continue(self, ln: _L) -> str | None:
        if self.mode != "signature":
            return None
        t, p = ln.text, patterns()
        if self._structural(ln) or p["annex_approved"].match(t) or p["annex_appendix"].match(t) \
                or p["annex_garant"].match(t):
            self.mode = "body"
            return None
        if self._annex_title_word(t):
            self._new_annex()
            self._start_title("annex", t)
            return "annex_title"
        if len(t) <= 60 and (not _closed(t) or p["name"].match(t) or re.search(r"\d{4}|№|N\s*\d", t)):
            return "signature"
        self.mode = "body"
        return None

    def r_signature(self, ln: _L) -> str | None:
        t, p = ln.text, patterns()
        if self.mode in ("header", "annex_head") or not self._prev_closed(ln):
            return None
        if p["stamp"].match(t) and "SIGN" in t:
            self._close_all(); self.mode = "signature"
            return "signature"
        if not t.startswith(words("signature_positions.txt")) or len(t) > 120:
            return None
        if _closed(t) and not p["name_tail"].search(t) and not p["initials_end"].search(t):
            return None
        following = [self._next_text(j) for j in (1, 2, 3)]
        if p["name_tail"].search(t) or any(p["name"].match(f) for f in following) or any(
                p["name_tail"].search(f) and len(f) <= 60 for f in following[:2]) or (
                p["initials_end"].search(t) and p["surname"].match(following[0])):
            self._close_all()
            self._flush_title()
            self.mode = "signature"
            return "signature"
        return None

    def _structural(self, ln: _L) -> bool:
        p, t = patterns(), ln.text
        return bool(p["article"].match(t) or p["chapter"].match(t) or p["section_word"].match(t)
                    or p["section_roman"].match(t) or self._marker(t))

    def _annex_title_word(self, t: str) -> bool:
        head = despace(t).split("\n")[0]
        return any(head.upper().startswith(w) and (head[:len(w)].isupper() or len(head) <= len(w) + 2)
                   and (len(head) == len(w) or not head[len(w)].isalpha())
                   for w in words("annex_titles.txt"))

    def _container(self, ln: _L, kind: str, rule: str) -> str | None:
        m = patterns()[rule].match(ln.text)
        # `Статья 5.` and `Глава 2` never start a wrapped line (mid-sentence they are lower case);
        # a roman section that continues the numbering (`I.` first, `III.` after `II.`) does not either
        if not m or rule not in ("article", "chapter") and not (
                self._prev_closed(ln) or ln.brk or rule == "section_roman" and self._roman_next(m.group("label"))):
            return None
        label, rest = m.group("label"), (m.group("rest") or "").strip()
        if rule == "section_roman" and (_closed(rest) or len(rest) > 200):
            return None
        self._flush_title()
        self._close_all()
        c = self.ctx
        if kind == "article":
            c.article = (f"art{label}", f"Статья {label}", "")
            self.last_label = {}
        elif kind == "chapter":
            c.chapter, c.article = (f"ch{label}", f"Глава {label}", ""), None
        else:
            comp = label if re.fullmatch(r"[IVXLC]+", label) else f"s{label}"
            c.section, c.chapter, c.article = (comp, label, ""), None, None
        if self.mode == "header":
            self.mode = "body"
        self._start_title(kind, rest)
        return kind

    def _roman_next(self, label: str) -> bool:
        cur = self.ctx.section[1] if self.ctx.section else ""
        return _roman(label) == (_roman(cur) + 1 if re.fullmatch(r"[IVXLC]+", cur) else 1)

    def r_article(self, ln: _L) -> str | None:
        return self._container(ln, "article", "article")

    def r_chapter(self, ln: _L) -> str | None:
        return self._container(ln, "chapter", "chapter")

    def r_section(self, ln: _L) -> str | None:
        return self._container(ln, "section", "section_word") or self._container(ln, "section", "section_roman")

    def r_numbered_heading(self, ln: _L) -> str | None:
        """`1. ОБЩИЕ ПОЛОЖЕНИЯ`, or a short unpunctuated `2. Цели и задачи` over text: a section heading."""
        p = patterns()
        m = p["point"].match(ln.text) or p["dotted"].match(ln.text)
        if not m or not self._prev_closed(ln):
            return None
        label, rest = m.group("label"), (m.group("rest") or "").strip()
        if not rest[:1].isupper() or _closed(rest):
            return None
        if _upper_ratio(rest) < 0.9:
            nxt = self._next_text()
            styled = self.hints and (ln.tl.bold or self._centered(ln))
            short = len(rest.split()) <= 10 and (len(ln.text) < 0.7 * self.width or styled) \
                and _nominal_heading(rest)
            over_text = nxt[:1].isupper() and not self._marker(nxt) and not self._structural_text(nxt)
            if not (short and (re.match(rf"{re.escape(label)}\.1\.?\s", nxt) or over_text)):
                return None
        self._flush_title()
        self._close_all()
        self.ctx.section, self.ctx.chapter, self.ctx.article = (f"s{label}", label, ""), None, None
        self.last_label = {}
        self._start_title("section", rest)
        return "section"

    def _structural_text(self, t: str) -> bool:
        p = patterns()
        return any(p[k].match(t) for k in ("article", "chapter", "section_word", "section_roman", "annex_approved",
                                           "annex_appendix"))

    @staticmethod
    def _marker(t: str) -> tuple[str, str, str, int] | None:
        """(mkind, label, rest, cut) when the line starts with a clause marker."""
        p = patterns()
        for name in ("dotted", "dotted_nodot", "point", "item", "letter"):
            m = p[name].match(t)
            if m:
                label = m.group("label")
                mkind = f"dotted{label.count('.') + 1}" if name.startswith("dotted") else name
                return mkind, label, m.group("rest"), m.start("rest")
        return None

    def _continuity(self, mkind: str, label: str) -> str:
        """How the label fits the open lists: next | first | jump | none."""
        for lvl in reversed(self.stack):
            if lvl.mkind == mkind:
                if _is_next(mkind, lvl.label, label):
                    return "next"
                if mkind.startswith("dotted") and lvl.label.split(".")[:-1] != label.split(".")[:-1]:
                    break
                return "jump" if _order(mkind, label) > _order(mkind, lvl.label) else "none"
        last = self.last_label.get(mkind)
        if mkind.startswith("dotted"):
            parent = next((o.label for o in reversed(self.stack) if o.mkind in ("point", f"dotted{label.count('.')}")),
                          self.ctx.section[1] if self.ctx.section else None)
            if parent is not None and label.rsplit(".", 1)[0] != parent:
                return "none" if not last else ("next" if _is_next(mkind, last, label) else "none")
            return "first" if _is_first(mkind, label) else "jump"
        if last and not self.stack and _is_next(mkind, last, label):
            return "next"
        return "first" if _is_first(mkind, label) else "jump"

    def r_marker(self, ln: _L) -> str | None:
        mk = self._marker(ln.text)
        if not mk or self.mode == "annex_head":
            return None
        mkind, label, rest, cut = mk
        look = _lookalikes()
        letters = next((o.label for o in reversed(self.stack) if o.mkind == "letter"), None)
        if mkind == "letter" and label in look:
            label = look[label]
        elif mkind == "item" and letters and label in look and _is_next("letter", letters, look[label]):
            mkind, label = "letter", look[label]  # OCR: "6)" after "а)"
        if mkind in ("point", "item"):
            prev_label = next((o.label for o in reversed(self.stack) if o.mkind == mkind),
                              self.last_label.get(mkind))
            if not (prev_label and _is_next(mkind, prev_label, label)):
                label = _superscript(prev_label, label)
        cont = self._continuity(mkind, label)
        closed = self._prev_closed(ln)
        rule = ""
        if closed and cont in ("next", "first"):
            rule = "marker_after_sentence"
        elif closed and cont == "jump" and (self.prev_role not in ("text", "clause") or len(label) < 4):
            rule = "marker_jump"
        elif not closed and cont in ("next", "first") and (ln.brk or self.hints and ln.tl.indent > 5):
            rule = "marker_layout"
        elif not closed and cont == "next" and not self.hints and self.prev is not None \
                and not _BINDING_END.search(self.prev.text.rstrip(",")) \
                and (rest[:1].isupper() or mkind in ("item", "letter")):
            rule = "marker_continuity"
        if not rule and self.prev_role not in ("text", "clause"):
            rule = "marker_after_heading"
        if not rule:
            return None
        self._flush_title()
        if self.mode in ("header", "signature"):
            self.mode = "body"
        # pop to the sibling level, or nest under the current clause
        while self.stack and self.stack[-1].mkind != mkind and not (
                self.stack[-1].mkind == "para" and self.stack[-1].lines[-1][0].text.endswith(":")):
            if any(o.mkind == mkind for o in self.stack):
                self.stack.pop()
            else:
                break
        if self.stack and self.stack[-1].mkind == mkind:
            self.stack.pop()
        if self.stack and self.stack[-1].mkind == "para" and not self.stack[-1].lines[-1][0].text.endswith(":"):
            self.stack.pop()
        parent = self.stack[-1] if self.stack else None
        kind, comp = self._kind_comp(mkind, label, parent)
        o = self._open(ln, kind, mkind, label, comp, cut, rule, parent)
        self.stack.append(o)
        self.last_label[mkind] = label
        return "clause"

    def _kind_comp(self, mkind: str, label: str, parent: _Open | None) -> tuple[str, str]:
        in_article = self.ctx.article is not None
        if mkind == "point":
            label = _translit(label)
            return ("part" if in_article else "point"), (f"p{label}" if in_article or not self.ctx.annex else label)
        if mkind == "item":
            return "item", f"i{_translit(label)}"
        if mkind == "letter":
            return "subpoint", _translit(label)
        head = label.rsplit(".", 1)
        if parent is not None and parent.label == head[0]:
            return "subpoint", head[1]
        return ("subpoint" if parent is not None else "point"), (label if self.ctx.annex else f"p{label}")

    def r_title_continue(self, ln: _L) -> str | None:
        if self.mode != "title":
            return None
        t, parts = ln.text, self.title_parts
        so_far = join_lines(parts)
        if self.title_kind == "annex":
            ok = len(so_far) < 400 and len(parts) < 8 and not (parts and _closed(parts[-1]))
        elif not parts:  # `ГЛАВА 2` with its title on the next line
            ok = not _closed(t) and len(t) < 200
        else:
            last = parts[-1]
            ok = not _closed(last) and not _closed(t) and (
                t[:1].islower() or t[:1] in "(«\"—–-" or _upper_ratio(t) > 0.9 and _upper_ratio(last) > 0.9
                or _unfinished(so_far)
                or len(t) < 0.45 * self.width and len(self.prev.text if self.prev else last) > 0.75 * self.width
                and not self._next_text()[:1].islower()
                or len(t) < 0.6 * self.width and self._marker(self._next_text()) is not None)
        if self.hints:  # centred or bold lines go on a title; a plain capitalized line starts the annex body
            styled = (self._centered(ln) or ln.tl.bold) and not _closed(t)
            ok = styled or ok and (self.title_kind != "annex" or t[:1].islower())
        if not ok:
            self.mode = "body"
            return None
        parts.append(t)
        self._set_title(self.title_kind, join_lines(parts, self.vocab))
        return "annex_title" if self.title_kind == "annex" else "title"

    def r_header(self, ln: _L) -> str | None:
        if self.mode != "header":
            return None
        t = despace(ln.text)
        if t.startswith(words("preamble_openers.txt")) or self._enacting(t) or (
                len(t.split()) >= 12 and t[:1].isupper() and _upper_ratio(t) < 0.5 and not re.match(r"[\"«]?(?:О|Об|Аб|Пра)\s", t)
                and not re.search(r"\d{4}\s*(?:г\.|года)", t[:60])):
            return None
        return "header"

    @staticmethod
    def _enacting(t: str) -> bool:
        low = despace(t).lower().rstrip()
        return any(re.search(rf"(?:^|\s){w}\s*:$", low) for w in words("enacting_words.txt"))

    def r_preamble(self, ln: _L) -> str | None:
        if self.mode != "header":
            return None
        self.mode = "body"
        # "Правительство Российской Федерации\nпостановляет:": the subject line belongs to the preamble
        back = False
        if re.match(rf"(?:{'|'.join(words('enacting_words.txt'))})\b", despace(ln.text).lower()):
            t = self.roles[-1][2].text if self.roles and self.roles[-1][0] == "header" else ""
            if t[:1].isupper() and not (_closed(t) or _upper_ratio(t) > 0.9 or _DATE_LIKE.search(t)
                                        or re.match(r"[\"«]?(?:О|Об|Аб|Пра)\s", t)):
                back = True
        first = ln
        if back:
            first = self.roles[-1][2]
            self.roles[-1] = ("clause", "preamble", first)
        o = self._open(first, "preamble", "preamble", "", "preamble", 0, "preamble", None)
        self.stack = []
        if back:
            o.lines.append((ln, 0))
            return "text"
        return "clause"

    def r_text(self, ln: _L) -> str | None:
        if self.mode in ("title", "signature", "annex_head"):
            self.mode = "body"
        cur = self.cur
        if cur is not None and cur.kind == "preamble" and self._enacting(cur.lines[-1][0].text):
            cur = None
        elif cur is not None and cur.mkind == "para" and not self.ctx.article and self._par_break(ln):
            cur = None
        if cur is None:
            self._paragraph(ln, "paragraph")
            return "clause"
        cur.lines.append((ln, 0))
        return "text"

    def _par_break(self, ln: _L) -> bool:
        """A new paragraph of unnumbered text: blank line, layout, or a short closed line before it."""
        if ln.brk:
            return True
        if self.hints:
            return ln.tl.indent > 5
        prev = self.prev.text if self.prev else ""
        return _closed(prev) and len(prev) < 0.8 * self.width


def _finish(p: _Parser) -> list[Clause]:
    seen: dict[str, int] = {}
    out: list[Clause] = []
    for o in p.opens:
        parts = [ln.text[cut:] if j == 0 else ln.text for j, (ln, cut) in enumerate(o.lines)]
        text = join_lines(parts, p.vocab)
        base = ".".join(x for x in o.prefix + (o.comp,) if x) or "body"
        n = seen.get(base, 0) + 1
        seen[base] = n
        o.id = base if n == 1 else f"{base}_{n}"
        if not text:
            continue
        label_path = o.path + ((o.label,) if o.label else ())
        out.append(Clause(
            id=o.id, path=label_path, text=text, char_start=o.lines[0][0].start, char_end=o.lines[-1][0].end,
            kind=o.kind, label=o.label, lead_in=text.endswith(":") and o.children > 0,
            parent_id=o.parent.id if o.parent else None, annex=o.annex, rule=o.rule, headings=o.headings))
    return out


_LAST: tuple[DocumentText, "_Parser"] | None = None  # the last document parsed and its parser


def _parsed(doc: DocumentText) -> "_Parser":
    """The parser run over `doc`; the clauses and the act metadata both read it, so it runs once."""
    global _LAST
    last = _LAST
    if last is not None and last[0] is doc:
        return last[1]
    p = _Parser(doc)
    p.run()
    _LAST = (doc, p)
    return p


def release() -> None:
    """Drop the remembered parser (so a finished document is not kept alive until the next one)."""
    global _LAST
    _LAST = None


def parse_clauses(doc: DocumentText) -> list[Clause]:
    """Split an act into clauses (points, sub-points, items, article parts, paragraphs), in order."""
    return _finish(_parsed(doc))


def line_roles(doc: DocumentText) -> list[tuple[str, str, str]]:
    """(role, rule, text) for every non-empty line: header, note, annex_heading, title, signature, clause, text."""
    return [(role, rule, ln.text) for role, rule, ln in _parsed(doc).roles]


def debug_lines(doc: DocumentText) -> str:
    """One line per physical line: the role and the rule that claimed it."""
    return "\n".join(f"{role:13} {rule:24} {text}" for role, rule, text in line_roles(doc))


def link_tables(doc: DocumentText, clauses: list[Clause]) -> list[tuple[AnchoredTable, str]]:
    """Each table with the id of the clause it follows (the first clause when it precedes them all)."""
    out: list[tuple[AnchoredTable, str]] = []
    for t in doc.tables:
        before = [c for c in clauses if c.char_start <= t.offset]
        if before:
            out.append((t, before[-1].id))
        elif clauses:
            out.append((t, clauses[0].id))
    return out
