"""OCR of pages without a usable text layer: render with PDFium, read with Tesseract, keep word boxes.

Tesseract's confusions on acts are repaired by named rules: regular expressions and character tables
in `data/ocr_repairs.tsv`, and a few rules that look at a line's neighbours on the page (numbering
sequences, hyphenated words, centred headings). `repair_lines` says which rule changed what.
"""
from __future__ import annotations

import csv
import io
import os
import re
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from extractors.records import Line, Page

__all__ = [
    "DPI", "INSTALL_HINT", "LANGS", "OcrUnavailable", "Repair", "check_tesseract", "detect_langs", "fix_line",
    "fix_word", "load_repairs", "ocr_image", "ocr_page", "parse_tsv", "repair_lines",
]

DPI = 300  # Tesseract's models are trained on text of about this x-height; 200 dpi reads no better
LANGS = "rus+bel"  # one pass for both languages: as good as `rus` on Russian pages, and no second read
REPAIRS_FILE = Path(__file__).parent / "data" / "ocr_repairs.tsv"
BEL_SHARE = 0.01  # share of і/ў among the letters above which a page is Belarusian (stray ones are noise)
INSTALL_HINT = ("Tesseract is not installed: run `apt-get install tesseract-ocr tesseract-ocr-rus "
                "tesseract-ocr-bel` (or `make system`)")

# Latin letters that look like Cyrillic ones, repaired inside words that are otherwise Cyrillic.
LOOKALIKES = str.maketrans({"a": "а", "e": "е", "o": "о", "p": "р", "c": "с", "x": "х", "y": "у", "k": "к",
                            "m": "м", "t": "т", "h": "н", "b": "в", "A": "А", "B": "В", "E": "Е", "K": "К",
                            "M": "М", "H": "Н", "O": "О", "P": "Р", "C": "С", "T": "Т", "X": "Х", "Y": "У",
                            "i": "і"})
_CYR = re.compile(r"[А-Яа-яЁёІіЎў]")
_LAT = re.compile(r"[A-Za-z]")
_WORD = re.compile(r"[A-Za-zА-Яа-яЁёІіЎў]+")
_BEL_WORD = re.compile(r"[А-Яа-яЁёІіЎў'’]+")
_LOWER = "а-яёіў"
_UPPER = "А-ЯЁІЎ"
# a line-start marker: `12.`, `б)`, `1О.`, `(ЁЮ` is not one; group 1 the label, group 2 the closer
_MARKER = re.compile(r"^(\S{1,3}?)([.)])(?=\s|$)")
_ROMAN = re.compile(r"X{0,3}(?:IX|IV|VI{0,3}|I{1,3})|X{1,3}")
_ALPHABET = {"ru": "абвгдежзиклмнопрстуфхцчшщэюя", "be": "абвгдежзіклмнопрстуфхцчшэюя"}


class OcrUnavailable(RuntimeError):
    """Tesseract or one of its language packs is missing."""

    reason = "ocr_unavailable"


@dataclass(frozen=True)
class Repair:
    """One change made to an OCR line, and the rule that made it."""

    index: int  # position of the line on the page
    rule: str
    before: str
    after: str


@dataclass(frozen=True)
class _Rule:
    name: str
    lang: str  # "*", "ru" or "be"
    pattern: re.Pattern[str]
    replacement: str


@dataclass(frozen=True)
class Repairs:
    """The contents of `ocr_repairs.tsv`."""

    line: tuple[_Rule, ...]
    digits: dict[str, str]  # seen → digits it may stand for ("Э" → "59")
    letters: dict[str, str]
    roman: dict[str, str]
    confusions: tuple[tuple[str, str], ...]
    abbreviations: frozenset[str]


@lru_cache(maxsize=4)
def load_repairs(path: Path = REPAIRS_FILE) -> Repairs:
    """Read the repair rules and tables; a malformed line is an error naming the file and line."""
    sections: dict[str, list[list[str]]] = {}
    current = None
    for no, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not raw.strip() or raw.startswith("#"):
            continue
        if re.fullmatch(r"\[[a-z]+\]", raw.strip()):
            current = sections.setdefault(raw.strip()[1:-1], [])
            continue
        if current is None:
            raise ValueError(f"{path}:{no}: entry before any [section]")
        current.append(raw.split("\t"))
    rules = []
    for fields in sections.get("line", []):
        if len(fields) != 4 or fields[1] not in ("*", "ru", "be"):
            raise ValueError(f"{path}: [line] expects rule, lang (*, ru, be), pattern, replacement; got {fields!r}")
        rules.append(_Rule(fields[0], fields[1], re.compile(fields[2]), fields[3]))
    table = lambda name: {f[0]: f[1].replace(" ", "") for f in sections.get(name, [])}  # noqa: E731
    return Repairs(line=tuple(rules), digits=table("digits"), letters=table("letters"), roman=table("roman"),
                   confusions=tuple((f[0], f[1]) for f in sections.get("confusions", [])),
                   abbreviations=frozenset(f[0] for f in sections.get("abbreviations", [])))


@lru_cache(maxsize=8)
def check_tesseract(langs: str = LANGS) -> str:
    """The tesseract executable, or an error that says exactly what to install."""
    exe = shutil.which("tesseract")
    if not exe:
        raise OcrUnavailable(INSTALL_HINT)
    have = set(subprocess.run([exe, "--list-langs"], capture_output=True, text=True).stdout.split())
    missing = [lang for lang in langs.split("+") if lang not in have]
    if missing:
        pkgs = " ".join(f"tesseract-ocr-{m}" for m in missing)
        raise OcrUnavailable(f"Tesseract has no language data for {', '.join(missing)}: run `apt-get install {pkgs}`")
    return exe


# Repairs of one line ------------------------------------------------------------------------------

def fix_word(word: str) -> str:
    """Latin look-alikes inside a Cyrillic word become Cyrillic (`кластeр` → `кластер`)."""
    if _CYR.search(word) and _LAT.search(word):
        cyr, lat = len(_CYR.findall(word)), len(_LAT.findall(word))
        if cyr >= lat:
            return word.translate(LOOKALIKES)
    return word


def _belarusian_word(word: str) -> str:
    """Letters only Russian has, inside a Belarusian word: `и` is `і`; `у` after a vowel is `ў`."""
    if re.search(r"[щъЩЪ]", word):
        return word
    if re.search(r"[иИ]", word) and not re.search(r"[іўІЎ]", word):
        return word  # a Russian word quoted in a Belarusian text
    word = word.replace("и", "і").replace("И", "І")
    # syllabic `у` stays in loans ending -ус, -ум (страус, вакуум)
    return re.sub(r"(?<=[аеёоэюяАЕЁОЭЮЯ])у(?![мс][а-яі]{0,2}$)", "ў", word)


def _stray_stops(text: str, abbreviations: frozenset[str]) -> str:
    """A full stop after a word of four letters or more, before a lower-case word, is a speck."""
    def drop(m: re.Match[str]) -> str:
        word = m.group(1)
        return m.group(0) if word.lower() in abbreviations else word
    return re.sub(rf"(?<![\w.])([{_LOWER}{_UPPER}]{{4,}})\.(?=\s[{_LOWER}])", drop, text)


def _inline_digits(text: str, digits: dict[str, str]) -> str:
    """Letters inside a number (`1О`, `З0`, `2О2О`) are the digits they look like; Roman-looking ones stay."""
    single = {ch: d for ch, d in digits.items() if len(d) == 1 and ch not in "IІ|б"}
    cls = "".join(re.escape(ch) for ch in single)

    def fix(m: re.Match[str]) -> str:
        return "".join(single.get(ch, ch) for ch in m.group())
    return re.sub(rf"(?<![\w-])(?=[{cls}]*\d)(?=\d*[{cls}])[\d{cls}]{{2,}}(?![\w-])", fix, text)


_NUMBERING_WORD = re.compile(r"\b((?i:раздел|раздела|разделе|разделом|подраздел|подраздела|глава|главы|главе|главой|"
                             r"раздзел|раздзела|раздзеле))\s+(\S{1,4}?)!?(?=[.,;:]|\s|$)")


def _roman_after_word(text: str, roman: dict[str, str]) -> str:
    """Roman-numeral look-alikes after `раздел`, `глава` (`РАЗДЕЛ Ш.`) are the numerals."""
    def fix(m: re.Match[str]) -> str:
        label = m.group(2)
        if not all(ch in roman for ch in label):
            return m.group(0)
        value = "".join(roman[ch] for ch in label)
        return f"{m.group(1)} {value}" if _ROMAN.fullmatch(value) else m.group(0)
    return _NUMBERING_WORD.sub(fix, text)


def fix_line(text: str, lang: str = "ru") -> tuple[str, list[str]]:
    """One line repaired by the rules that need no neighbours; returns the text and the rules that fired."""
    rules = load_repairs()
    fired = []
    fixed = _WORD.sub(lambda m: fix_word(m.group()), text)
    if fixed != text:
        fired.append("latin_lookalike")
    for rule in rules.line:
        if rule.lang not in ("*", lang):
            continue
        new = rule.pattern.sub(rule.replacement, fixed)
        if new != fixed:
            fired.append(rule.name)
            fixed = new
    new = _roman_after_word(fixed, rules.roman)
    if new != fixed:
        fired.append("roman_after_word")
        fixed = new
    new = _inline_digits(fixed, rules.digits)
    if new != fixed:
        fired.append("digit_lookalike")
        fixed = new
    new = _stray_stops(fixed, rules.abbreviations)
    if new != fixed:
        fired.append("stray_stop")
        fixed = new
    if lang == "be":
        new = _BEL_WORD.sub(lambda m: _belarusian_word(m.group()), fixed)
        if new != fixed:
            fired.append("belarusian_letters")
            fixed = new
    return fixed, fired


# Repairs that look at the neighbours --------------------------------------------------------------

def _succ(kind: str, label: str, lang: str) -> str | None:
    """The label after `label` in a numbering of `kind` ("digit" or "letter")."""
    if kind == "digit":
        return str(int(label) + 1) if label.isdigit() else None
    abc = _ALPHABET[lang]
    i = abc.find(label)
    return abc[i + 1] if 0 <= i < len(abc) - 1 else None


def _kind(label: str, lang: str) -> str | None:
    if label.isdigit():
        return "digit"
    return "letter" if len(label) == 1 and label in _ALPHABET[lang] else None


def _candidates(label: str, closer: str, rules: Repairs, lang: str) -> list[str]:
    """What a line-start label may stand for besides itself (`1О` → `10`; `6)` → `б)`)."""
    out = []
    if all(ch.isdigit() or ch in rules.digits for ch in label) and not label.isdigit():
        options = [""]
        for ch in label:
            options = [o + d for o in options for d in (ch if ch.isdigit() else rules.digits[ch])]
        out += [o for o in options if o[0] != "0"]  # no point is numbered 0 or 05
    if closer == ")" and label in rules.letters and rules.letters[label] in _ALPHABET[lang]:
        out.append(rules.letters[label])
    return [o for o in out if o != label]


def _resolve_markers(texts: list[str], lang: str, fired: list[tuple[int, str]]) -> None:
    """Line-start labels read wrong (`б.`, `1О.`, `6)` among letters) take the value their neighbours give.

    A label is replaced when one reading continues the numbering of the previous marker with the same
    closer or leads to the next one. With no neighbour to ask, a label with a full stop that holds a
    digit or stands for one digit only (`1О.` → `10.`, `З.` → `3.`) becomes that number: points are
    numbered, letters take `)`. Labels that read as Roman numerals (`I.`, `ІІ.`) are left to headings.
    """
    rules = load_repairs()
    found = []  # (line index, label, closer)
    for i, text in enumerate(texts):
        m = _MARKER.match(text)
        if m:
            found.append((i, m.group(1), m.group(2)))
    for n, (i, label, closer) in enumerate(found):
        if re.fullmatch(r"[IІl|VX]+", label):
            continue
        kind = _kind(label, lang)
        options = _candidates(label, closer, rules, lang)
        if not options:
            continue
        if kind:
            options = [label] + options
        prev = next((lab for _, lab, c in reversed(found[:n]) if c == closer and _kind(lab, lang)), None)
        nxt = next((lab for _, lab, c in found[n + 1:] if c == closer and _kind(lab, lang)), None)

        def fits(o: str) -> bool:
            k = _kind(o, lang)
            return bool(prev and _kind(prev, lang) == k and _succ(k, prev, lang) == o
                        or nxt and _kind(nxt, lang) == k and _succ(k, o, lang) == nxt)
        digits = sorted({o for o in options if o.isdigit()})
        if any(fits(o) for o in options):
            choice, rule = next(o for o in options if fits(o)), "marker_sequence"
        elif kind != "digit" and closer == "." and len(digits) == 1 and (
                re.search(r"\d", label) or digits[0] != "1"):
            choice, rule = digits[0], "marker_lookalike"
        else:
            continue
        if choice != label:
            texts[i] = choice + texts[i][len(label):]
            fired.append((i, rule))
            found[n] = (i, choice, closer)


def _list_semicolons(texts: list[str], lang: str, fired: list[tuple[int, str]]) -> None:
    """An item that ends with `:` right before the next item of its own list ended with `;` (`:` misread)."""
    current = None  # (kind, label, closer) of the item the line belongs to
    for i, text in enumerate(texts):
        m = _MARKER.match(text)
        if m and _kind(m.group(1), lang):
            current = (_kind(m.group(1), lang), m.group(1), m.group(2))
        if current is None or not text.rstrip().endswith(":") or i + 1 >= len(texts):
            continue
        nxt = _MARKER.match(texts[i + 1])
        if nxt and nxt.group(2) == current[2] and nxt.group(1) == _succ(current[0], current[1], lang):
            texts[i] = text.rstrip()[:-1] + ";"
            fired.append((i, "item_semicolon"))


def _continuation_case(texts: list[str], fired: list[tuple[int, str]]) -> None:
    """The rest of a hyphenated word read in capitals (`Федера-` / `ЦИИ.`) is lower case, as is a short
    all-capitals line that ends such a word; stray quote marks before it go."""
    for i in range(1, len(texts)):
        if not re.search(rf"[{_LOWER}]-$", texts[i - 1].rstrip()):
            continue
        text = re.sub(rf"^[“”„\"'‚`]+(?=[{_LOWER}{_UPPER}])", "", texts[i])
        words = text.split(" ")
        m = re.match(rf"^([{_UPPER}]{{2,}})(?![{_LOWER}])", words[0])
        if not m:
            if text != texts[i]:
                texts[i] = text
                fired.append((i, "continuation_case"))
            continue
        caps = [w for w in words if len(re.findall(rf"[{_UPPER}]", w)) >= max(2, len(re.findall(rf"[{_LOWER}]", w)))]
        if len(words) <= 3 and len(caps) == len(words):
            words = [w.lower() for w in words]
        else:
            words[0] = words[0].lower()
        texts[i] = " ".join(words)
        fired.append((i, "continuation_case"))


def _roman_headings(lines: list[Line], texts: list[str], width: float, fired: list[tuple[int, str]]) -> None:
    """A centred heading that starts with look-alikes of Roman numerals (`П. ОБЩИЕ ...`) gets the numerals."""
    roman = load_repairs().roman
    for i, (ln, text) in enumerate(zip(lines, texts)):
        m = re.match(r"^(\S{1,4})\.\s+(?=\S+\s+\S)", text)
        if not m or width <= 0 or ln.bbox[2] <= ln.bbox[0]:
            continue
        centre = (ln.bbox[0] + ln.bbox[2]) / 2
        if abs(centre - width / 2) > 0.08 * width or ln.bbox[0] < 0.15 * width:
            continue
        label = m.group(1)
        if not all(ch in roman for ch in label):
            continue
        value = "".join(roman[ch] for ch in label)
        if value != label and _ROMAN.fullmatch(value):
            texts[i] = value + text[len(label):]
            fired.append((i, "roman_heading"))


@lru_cache(maxsize=1)
def _morph():
    """The Russian dictionary, or None when pymorphy3 is not installed (the rule is then skipped)."""
    try:
        import pymorphy3
    except ImportError:
        return None
    return pymorphy3.MorphAnalyzer()


@lru_cache(maxsize=20000)
def dictionary_word(word: str) -> str | None:
    """The one known Russian word a single confusion from the table makes of an unknown `word`, if any."""
    morph = _morph()
    low = word.lower()
    if morph is None or len(low) < 5 or morph.word_is_known(low):
        return None
    found = set()
    for seen, meant in load_repairs().confusions:
        start = low.find(seen)
        while start >= 0:
            cand = low[:start] + meant + low[start + len(seen):]
            if morph.word_is_known(cand):
                found.add(cand)
            start = low.find(seen, start + 1)
    if len(found) != 1:
        return None
    cand = found.pop()
    if word.isupper():
        return cand.upper()
    return cand[0].upper() + cand[1:] if word[0].isupper() else cand


def _split_known(frag: str, rest: str) -> tuple[str, str] | None:
    """A word hyphenated at a line end, repaired as a whole and cut again where it was cut."""
    fixed = dictionary_word(frag + rest)
    if fixed is None:
        return None
    if fixed.lower().startswith(frag.lower()):
        return frag, fixed[len(frag):]
    if fixed.lower().endswith(rest.lower()):
        return fixed[:len(fixed) - len(rest)], rest
    return None


def _dictionary(texts: list[str], fired: list[tuple[int, str]]) -> None:
    """Russian words the dictionary does not know, repaired by one look-alike swap (`й`/`и`, `ь`/`ъ`)."""
    word = re.compile(rf"(?<![\w-])[{_LOWER}{_UPPER}]{{5,}}(?![\w-])")
    for i, text in enumerate(texts):
        # the rest of a word hyphenated on the line above is no word of its own
        skip = 1 if i and texts[i - 1].rstrip().endswith("-") else 0
        new = word.sub(lambda m: (m.start() < skip and m.group()) or dictionary_word(m.group()) or m.group(), text)
        if new != text:
            texts[i] = new
            fired.append((i, "dictionary_word"))
    for i in range(len(texts) - 1):
        a = re.search(rf"(?<![\w-])([{_LOWER}{_UPPER}]+)-$", texts[i].rstrip())
        b = re.match(rf"^([{_LOWER}]+)(?![\w-])", texts[i + 1])
        if a and b and (split := _split_known(a.group(1), b.group(1))):
            texts[i] = texts[i].rstrip()[:a.start(1)] + split[0] + "-"
            texts[i + 1] = split[1] + texts[i + 1][b.end(1):]
            fired += [(i, "dictionary_word"), (i + 1, "dictionary_word")]


def repair_lines(lines: list[Line], width: float = 0.0, lang: str | None = None) -> tuple[list[Line], list[Repair]]:
    """Repair the OCR lines of one page; returns the new lines and every change with its rule.

    `lang` is "ru" or "be" ("be" when і/ў are frequent on the page, if not given).
    """
    if lang is None:
        lang = "be" if detect_langs(" ".join(ln.text for ln in lines)).startswith("bel") else "ru"
    texts, fired_at = [], []
    for i, ln in enumerate(lines):
        text, fired = fix_line(ln.text, lang)
        texts.append(text)
        fired_at += [(i, f) for f in fired]
    steps = [lambda f: _continuation_case(texts, f), lambda f: _roman_headings(lines, texts, width, f),
             lambda f: _resolve_markers(texts, lang, f), lambda f: _list_semicolons(texts, lang, f)]
    if lang == "ru":
        steps.append(lambda f: _dictionary(texts, f))
    for step in steps:
        step(fired_at)
    out, repairs = [], []
    for i, ln in enumerate(lines):
        out.append(ln if texts[i] == ln.text else Line(page=ln.page, text=texts[i], bbox=ln.bbox, size=ln.size,
                                                        bold=ln.bold))
    for i, rule in fired_at:
        repairs.append(Repair(index=i, rule=rule, before=lines[i].text, after=texts[i]))
    return out, repairs


# Tesseract ----------------------------------------------------------------------------------------

def parse_tsv(tsv: str, page_no: int, scale: float) -> list[Line]:
    """Tesseract TSV → our lines (words grouped by block, paragraph and line), boxes in PDF points."""
    rows = csv.reader(io.StringIO(tsv), delimiter="\t", quoting=csv.QUOTE_NONE)
    header = next(rows, None)
    if not header:
        return []
    idx = {k: i for i, k in enumerate(header)}
    groups: dict[tuple[int, int, int], list[tuple[float, float, float, float, str]]] = {}
    for r in rows:
        if len(r) < len(header) or r[idx["level"]] != "5":
            continue
        word = r[idx["text"]].strip()
        if not word or float(r[idx["conf"]]) < 0:
            continue
        left, top = int(r[idx["left"]]), int(r[idx["top"]])
        w, h = int(r[idx["width"]]), int(r[idx["height"]])
        key = (int(r[idx["block_num"]]), int(r[idx["par_num"]]), int(r[idx["line_num"]]))
        groups.setdefault(key, []).append((left * scale, top * scale, (left + w) * scale, (top + h) * scale, word))
    lines = []
    for words in groups.values():
        words.sort()
        text = " ".join(w[4] for w in words)
        bbox = (min(w[0] for w in words), min(w[1] for w in words), max(w[2] for w in words),
                max(w[3] for w in words))
        size = sorted(w[3] - w[1] for w in words)[len(words) // 2]
        lines.append(Line(page=page_no, text=text, bbox=tuple(round(v, 1) for v in bbox), size=round(size, 1)))
    lines.sort(key=lambda ln: (round(ln.bbox[1] / 4), ln.bbox[0]))
    return lines


def detect_langs(text: str) -> str:
    """`bel+rus` when Belarusian letters are frequent inside words, else `rus` (a lone `І.` is a numeral)."""
    letters = sum(ch.isalpha() for ch in text) or 1
    bel = sum(len(re.findall(r"[іўІЎ]", w)) for w in re.findall(r"[А-Яа-яЁёІіЎў]{2,}", text))
    return "bel+rus" if bel / letters > BEL_SHARE else "rus"


def ocr_image(png: Path, langs: str = LANGS) -> str:
    """Tesseract's TSV for one page image (automatic page segmentation, one thread)."""
    exe = check_tesseract(langs)
    env = dict(os.environ, OMP_THREAD_LIMIT="1")  # documents run in parallel already
    res = subprocess.run([exe, str(png), "-", "-l", langs, "--psm", "3", "tsv"], capture_output=True, text=True,
                         env=env)
    if res.returncode != 0:
        raise RuntimeError(f"tesseract failed: {res.stderr.strip()[:300]}")
    return res.stdout


def ocr_page(pdf_path: Path, index: int, langs: str = LANGS, dpi: int = DPI) -> Page:
    """Render page `index` (0-based) and read it; the page record is marked `ocr=True`."""
    import pypdfium2 as pdfium

    pdf = pdfium.PdfDocument(str(pdf_path))
    try:
        page = pdf[index]
        width, height = page.get_size()
        image = page.render(scale=dpi / 72, grayscale=True).to_pil()
        page.close()
    finally:
        pdf.close()
    with tempfile.TemporaryDirectory(prefix="clusterlex-ocr-") as tmp:
        png = Path(tmp) / "page.png"
        image.convert("L").save(png)
        tsv = ocr_image(png, langs)
    lines, _ = repair_lines(parse_tsv(tsv, index + 1, 72 / dpi), width)
    return Page(number=index + 1, width=width, height=height, lines=tuple(lines), ocr=True)
