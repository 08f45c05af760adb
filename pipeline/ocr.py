"""OCR of pages without a usable text layer: render with PDFium, read with Tesseract, keep word boxes.

Tesseract's confusions on acts are repaired by named rules: regular expressions and character tables
in `data/ocr_repairs.tsv`, and a few rules that look at a line's neighbours on the page (numbering
sequences, hyphenated words, centred headings). `repair_lines` says which rule changed what.
"""
from __future__ import annotations

import csv
import io
import math
import os
import re
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from extractors.records import Line, Page, Table

__all__ = [
    "DPI", "INSTALL_HINT", "LANGS", "OcrUnavailable", "Repair", "check_tesseract", "detect_langs", "fix_line",
    "fix_word", "load_repairs", "ocr_image", "ocr_page", "page_from_tsv", "parse_tsv", "read_image", "repair_lines",
]

DPI = 300  # Tesseract's models are trained on text of about this x-height; 200 dpi reads no better
LANGS = "rus+bel"  # one pass for both languages: as good as `rus` on Russian pages, and no second read
REPAIRS_FILE = Path(__file__).parent / "data" / "ocr_repairs.tsv"
BEL_SHARE = 0.01  # share of і/ў among the letters above which a page is Belarusian (stray ones are noise)
# Ruled tables of scans: pixels darker than this are ink; rules are runs of ink at least this long
# (points), made of pieces of at least RUN_PX pixels no further apart than RULE_GAP_PX, and no thicker
# than RULE_THICK_PX (a filled box is no rule). Words narrower than HAIRLINE_PX are a fold or a rule.
DARK_LEVEL = 140
MIN_H_RULE_PT, MIN_V_RULE_PT = 40.0, 12.0
RUN_PX, RULE_GAP_PX, RULE_THICK_PX, HAIRLINE_PX = 20, 4, 12, 4
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
ONE_LETTER_WORDS = "вскуои"  # Russian prepositions and conjunctions of one letter
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


def _lower_preposition(text: str) -> str:
    """`организаций В информационно-`: a one-letter preposition is never capitalized mid-sentence."""
    return re.sub(rf"(?<=[{_LOWER},] )([{ONE_LETTER_WORDS.upper()}])(?= [{_LOWER}])", lambda m: m.group(1).lower(),
                  text)


@lru_cache(maxsize=2)
def _line_rules(lang: str) -> tuple[tuple[str, object], ...]:
    """The rules that need no neighbours, in order: (name, text → text)."""
    rules = load_repairs()
    steps: list[tuple[str, object]] = [("latin_lookalike", lambda t: _WORD.sub(lambda m: fix_word(m.group()), t))]
    steps += [(r.name, lambda t, r=r: r.pattern.sub(r.replacement, t)) for r in rules.line if r.lang in ("*", lang)]
    steps += [("roman_after_word", lambda t: _roman_after_word(t, rules.roman)),
              ("preposition_case", _lower_preposition),
              ("digit_lookalike", lambda t: _inline_digits(t, rules.digits)),
              ("stray_stop", lambda t: _stray_stops(t, rules.abbreviations))]
    if lang == "be":
        steps.append(("belarusian_letters", lambda t: _BEL_WORD.sub(lambda m: _belarusian_word(m.group()), t)))
    return tuple(steps)


def fix_line(text: str, lang: str = "ru") -> tuple[str, list[str]]:
    """One line repaired by the rules that need no neighbours; returns the text and the rules that fired."""
    fired = []
    for name, rule in _line_rules(lang):
        new = rule(text)
        if new != text:
            fired.append(name)
            text = new
    return text, fired


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


_ARTICLE = re.compile(r"^((?:Статья|СТАТЬЯ|Артыкул|АРТЫКУЛ)\s+)(\S{1,4}?)(\.?)(?=\s|$)")


def _article_numbers(texts: list[str], fired: list[tuple[int, str]]) -> None:
    """An article heading whose number is unreadable (`Статья (ЁЮ Соглашение`) takes the number after
    the previous article on the page, or before the next one."""
    found = [(i, m) for i, t in enumerate(texts) if (m := _ARTICLE.match(t))]
    numbers = [int(m.group(2)) if m.group(2).isdigit() else None for _, m in found]
    for n, (i, m) in enumerate(found):
        if numbers[n] is not None or _ROMAN.fullmatch(m.group(2)):
            continue
        prev = next((numbers[k] + (n - k) for k in range(n - 1, -1, -1) if numbers[k] is not None), None)
        nxt = next((numbers[k] - (k - n) for k in range(n + 1, len(found)) if numbers[k] is not None), None)
        value = prev if prev is not None else nxt
        if value is None or value < 1:
            continue
        texts[i] = f"{m.group(1)}{value}." + texts[i][m.end():]
        numbers[n] = value
        fired.append((i, "article_sequence"))


def _list_semicolons(lines: list[Line], texts: list[str], lang: str, fired: list[tuple[int, str]]) -> None:
    """An item that ends with `:` right before the next item of its own list ended with `;` (`:` misread);
    not when a gap between them held a table or a formula."""
    current = None  # (kind, label, closer) of the item the line belongs to
    for i, text in enumerate(texts):
        m = _MARKER.match(text)
        if m and _kind(m.group(1), lang):
            current = (_kind(m.group(1), lang), m.group(1), m.group(2))
        if current is None or not text.rstrip().endswith(":") or i + 1 >= len(texts):
            continue
        nxt = _MARKER.match(texts[i + 1])
        a, b = lines[i].bbox, lines[i + 1].bbox
        if a[3] > a[1] and b[3] > b[1] and b[1] - a[3] > 1.5 * (a[3] - a[1]):
            continue
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
    if morph is None or morph.word_is_known(low):
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


def split_word(word: str) -> str | None:
    """An unknown lower-case word that is a one-letter preposition or conjunction glued to a known word
    (`иу`, `вкластере`), with the space put back."""
    morph = _morph()
    if morph is None or len(word) < 2 or not word.islower() or word[0] not in ONE_LETTER_WORDS:
        return None
    if morph.word_is_known(word) or not morph.word_is_known(word[1:]):
        return None
    return f"{word[0]} {word[1:]}"


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
    word = re.compile(rf"(?<![\w-])[{_LOWER}{_UPPER}]{{2,}}(?![\w-])")

    def fix(m: re.Match[str]) -> str:
        w = m.group()
        if m.start() == 0 and w[0].islower():
            return w  # perhaps the rest of a word hyphenated on the line above: no word of its own
        if len(w) >= 5 and (known := dictionary_word(w)):
            return known
        if m.string[m.end():m.end() + 1] == ".":
            return w  # `утв.` is an abbreviation, not a glued `у тв`
        return split_word(w) or w
    for i, text in enumerate(texts):
        new = word.sub(fix, text)
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
             lambda f: _resolve_markers(texts, lang, f), lambda f: _list_semicolons(lines, texts, lang, f),
             lambda f: _article_numbers(texts, f)]
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

@dataclass(frozen=True)
class _OcrWord:
    """One word of Tesseract's TSV, its box in image pixels."""

    key: tuple[int, int, int]  # block, paragraph, line
    left: int
    top: int
    width: int
    height: int
    text: str


def _tsv_words(tsv: str) -> list[_OcrWord]:
    """The words of a Tesseract TSV, without empty ones and hairlines (a fold or a rule read as `|`)."""
    rows = csv.reader(io.StringIO(tsv), delimiter="\t", quoting=csv.QUOTE_NONE)
    header = next(rows, None)
    if not header:
        return []
    idx = {k: i for i, k in enumerate(header)}
    words = []
    for r in rows:
        if len(r) < len(header) or r[idx["level"]] != "5":
            continue
        text = r[idx["text"]].strip()
        if not text or float(r[idx["conf"]]) < 0:
            continue
        w, h = int(r[idx["width"]]), int(r[idx["height"]])
        key = (int(r[idx["block_num"]]), int(r[idx["par_num"]]), int(r[idx["line_num"]]))
        words.append(_OcrWord(key, int(r[idx["left"]]), int(r[idx["top"]]), w, h, text))
    # A hairline "word" is a fold, a rule or a pen stroke when it is no letter or digit, or when its
    # whole line is made of such; inside a line of words it is a short word Tesseract boxed badly.
    real = {w.key for w in words if w.width >= HAIRLINE_PX}
    return [w for w in words if w.width >= HAIRLINE_PX or (w.key in real and w.text.isalnum())]


def _skew(words: list[_OcrWord]) -> float:
    """The page's skew in degrees (positive: lines descend to the right), from the slope of word bottoms."""
    by_line: dict[tuple[int, int, int], list[_OcrWord]] = {}
    for w in words:
        by_line.setdefault(w.key, []).append(w)
    slopes = []
    for ws in by_line.values():
        if len(ws) < 3:
            continue
        xs = [w.left + w.width / 2 for w in ws]
        ys = [w.top + w.height for w in ws]
        mx, my = sum(xs) / len(xs), sum(ys) / len(ys)
        var = sum((x - mx) ** 2 for x in xs)
        if var > 0 and max(xs) - min(xs) > 300:
            slopes.append(sum((x - mx) * (y - my) for x, y in zip(xs, ys)) / var)
    if not slopes:
        return 0.0
    slopes.sort()
    return math.degrees(math.atan(slopes[len(slopes) // 2]))


class _Frame:
    """Coordinates of the deskewed page: the image turned by the skew about its centre, as PIL turns it."""

    def __init__(self, angle: float, size: tuple[int, int], scale: float):
        self.angle, self.scale = angle, scale
        self.cx, self.cy = size[0] / 2, size[1] / 2
        self.cos, self.sin = math.cos(math.radians(angle)), math.sin(math.radians(angle))

    def to_deskewed(self, x: float, y: float) -> tuple[float, float]:
        dx, dy = x - self.cx, y - self.cy
        return self.cx + dx * self.cos + dy * self.sin, self.cy - dx * self.sin + dy * self.cos

    def to_page(self, x: float, y: float) -> tuple[float, float]:
        dx, dy = x - self.cx, y - self.cy
        return self.cx + dx * self.cos - dy * self.sin, self.cy + dx * self.sin + dy * self.cos

    def box(self, x0: float, top: float, x1: float, bottom: float, deskew: bool) -> tuple[float, ...]:
        """A box (pixels) carried into the other frame, as PDF points: the envelope of its corners."""
        move = self.to_deskewed if deskew else self.to_page
        pts = [move(x, y) for x in (x0, x1) for y in (top, bottom)]
        return tuple(round(v * self.scale, 1) for v in (min(p[0] for p in pts), min(p[1] for p in pts),
                                                          max(p[0] for p in pts), max(p[1] for p in pts)))


def _runs(dark, min_len: int) -> list[tuple[int, int, int]]:
    """Horizontal runs of dark pixels at least `min_len` long: (row, start, end)."""
    import numpy as np

    padded = np.zeros((dark.shape[0], dark.shape[1] + 2), dtype=np.int8)
    padded[:, 1:-1] = dark
    diff = np.diff(padded, axis=1)
    starts, ends = np.argwhere(diff == 1), np.argwhere(diff == -1)
    keep = (ends[:, 1] - starts[:, 1]) >= min_len
    return [(int(r), int(a), int(b)) for (r, a), (_, b) in zip(starts[keep], ends[keep])]


def _rules(dark, min_len: int, orientation: str, scale: float) -> list[dict]:
    """Ruling lines of one orientation as pdfplumber edges in PDF points: runs of dark pixels in
    neighbouring rows that overlap (or nearly touch) merge into one rule."""
    runs = _runs(dark if orientation == "h" else dark.T, RUN_PX)
    groups: list[list[int]] = []  # [row_min, row_max, start, end]
    active: list[list[int]] = []  # groups that reach the previous rows (runs come row by row)
    for row, a, b in runs:
        active = [g for g in active if row - g[1] <= 2]
        for g in active:
            if a <= g[3] + RULE_GAP_PX and b >= g[2] - RULE_GAP_PX:
                g[1], g[2], g[3] = row, min(g[2], a), max(g[3], b)
                break
        else:
            groups.append([row, row, a, b])
            active.append(groups[-1])
    edges = []
    for r0, r1, a, b in groups:
        if b - a < min_len or r1 - r0 > RULE_THICK_PX:
            continue
        mid, lo, hi = (r0 + r1) / 2 * scale, a * scale, b * scale
        if orientation == "h":
            edges.append({"x0": lo, "x1": hi, "top": mid, "bottom": mid, "width": hi - lo, "height": 0,
                          "orientation": "h"})
        else:
            edges.append({"x0": mid, "x1": mid, "top": lo, "bottom": hi, "width": 0, "height": hi - lo,
                          "orientation": "v"})
    return edges


def _tables(image, words: list[_OcrWord], frame: _Frame, page_no: int) -> tuple[list[Table], list[tuple]]:
    """Ruled tables of a scanned page, filled with the OCR words, by the lattice text-layer pages use.

    Returns the tables (boxes in page points) and their boxes in the deskewed frame (points), where
    the lines inside them are found.
    """
    import numpy as np
    from PIL import Image

    from pipeline import ingest  # the same lattice, cells and header-only tables as text-layer pages

    if abs(frame.angle) > 0.05:
        image = image.rotate(frame.angle, resample=Image.NEAREST, fillcolor=255)
    dark = np.asarray(image) < DARK_LEVEL
    px = 1 / frame.scale  # pixels per point
    edges = _rules(dark, int(MIN_H_RULE_PT * px), "h", frame.scale)
    if not edges:
        return [], []
    edges += _rules(dark, int(MIN_V_RULE_PT * px), "v", frame.scale)
    cell_groups = ingest._grid_cells(edges)
    if not cell_groups:
        return [], []
    iw, rows_by_key = [], {}
    # a word gets the height of its line, so a short word (`по`) sits on the line of its long neighbours
    extent: dict[tuple[int, int, int], tuple[int, int]] = {}
    for w in words:
        lo, hi = extent.get(w.key, (w.top, w.top + w.height))
        extent[w.key] = (min(lo, w.top), max(hi, w.top + w.height))
    for w in words:
        top, bottom = extent[w.key]
        x0, top, x1, bottom = frame.box(w.left, top, w.left + w.width, bottom, deskew=True)
        word = ingest._Word(w.text, x0, top, x1, bottom)
        iw.append(word)
        rows_by_key.setdefault(w.key, []).append(word)
    # physical lines across the page, as text-layer pages have them: Tesseract's lines of one height
    physical: list[list] = []
    for ws in sorted(rows_by_key.values(), key=lambda ws: sum(w.top + w.bottom for w in ws) / len(ws)):
        mid = sum(w.top + w.bottom for w in ws) / 2 / len(ws)
        height = max(w.bottom - w.top for w in ws)
        if physical and abs(mid - physical[-1][0]) < 0.5 * height:
            physical[-1][1].extend(ws)
        else:
            physical.append([mid, list(ws)])
    rows = []
    for _, ws in physical:
        ws.sort(key=lambda w: w.x0)
        box = (min(w.x0 for w in ws), min(w.top for w in ws), max(w.x1 for w in ws), max(w.bottom for w in ws))
        rows.append(ingest._Row(Line(page=page_no, text=" ".join(w.text for w in ws), bbox=box), tuple(ws)))
    tables, boxes = [], []
    for cells in cell_groups:
        grid = ingest._cell_rows(cells)
        if len(grid) == 1:
            body = ingest._extend_header(grid[0], rows)
            if body is None:
                continue
            grid = [grid[0]] + body
        table = ingest._table(page_no, grid, iw)
        if table is None:
            continue
        b = table.bbox
        page_box = frame.box(b[0] * px, b[1] * px, b[2] * px, b[3] * px, deskew=False)
        tables.append(Table(page=page_no, bbox=page_box, rows=table.rows))
        boxes.append(b)
    return tables, boxes


def _lines(words: list[_OcrWord], page_no: int, frame: _Frame, table_boxes: list[tuple]) -> list[Line]:
    """Our lines from Tesseract's (block, paragraph, line) groups, boxes in PDF points, in reading order
    on the deskewed page; lines inside a table are left to the table."""
    groups: dict[tuple[int, int, int], list[_OcrWord]] = {}
    for w in words:
        groups.setdefault(w.key, []).append(w)
    out = []
    for ws in groups.values():
        ws.sort(key=lambda w: w.left)
        s = frame.scale
        bbox = (min(w.left for w in ws) * s, min(w.top for w in ws) * s,
                max(w.left + w.width for w in ws) * s, max(w.top + w.height for w in ws) * s)
        size = sorted(w.height for w in ws)[len(ws) // 2] * s
        first = ws[0]
        x, y = frame.to_deskewed(first.left, first.top + first.height)
        cx, cy = frame.to_deskewed(*(((bbox[0] + bbox[2]) / 2 / s), ((bbox[1] + bbox[3]) / 2 / s)))
        if any(b[0] <= cx * s <= b[2] and b[1] <= cy * s <= b[3] for b in table_boxes):
            continue
        line = Line(page=page_no, text=" ".join(w.text for w in ws), bbox=tuple(round(v, 1) for v in bbox),
                    size=round(size, 1))
        out.append((round(y * s / 4), x, line))
    out.sort(key=lambda t: (t[0], t[1]))
    return [t[2] for t in out]


def parse_tsv(tsv: str, page_no: int, scale: float) -> list[Line]:
    """Tesseract TSV → our lines (words grouped by block, paragraph and line), boxes in PDF points."""
    words = _tsv_words(tsv)
    return _lines(words, page_no, _Frame(0.0, (0, 0), scale), [])


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


def read_image(image, page_no: int, width: float, height: float, dpi: int = DPI, langs: str = LANGS) -> Page:
    """A page record from a greyscale page image: Tesseract's words as repaired lines, ruled tables apart."""
    with tempfile.TemporaryDirectory(prefix="clusterlex-ocr-") as tmp:
        png = Path(tmp) / "page.png"
        image.save(png)
        tsv = ocr_image(png, langs)
    return page_from_tsv(image, tsv, page_no, width, height, dpi)


def page_from_tsv(image, tsv: str, page_no: int, width: float, height: float, dpi: int = DPI) -> Page:
    """A page record from Tesseract's TSV of a page image and the image (for its ruled tables)."""
    words = _tsv_words(tsv)
    frame = _Frame(_skew(words), image.size, 72 / dpi)
    tables, boxes = _tables(image, words, frame, page_no)
    lines, _ = repair_lines(_lines(words, page_no, frame, boxes), width)
    return Page(number=page_no, width=width, height=height, lines=tuple(lines), tables=tuple(tables), ocr=True)


def ocr_page(pdf_path: Path, index: int, langs: str = LANGS, dpi: int = DPI) -> Page:
    """Render page `index` (0-based) and read it; the page record is marked `ocr=True`."""
    import pypdfium2 as pdfium

    pdf = pdfium.PdfDocument(str(pdf_path))
    try:
        page = pdf[index]
        width, height = page.get_size()
        image = page.render(scale=dpi / 72, grayscale=True).to_pil().convert("L")
        page.close()
    finally:
        pdf.close()
    return read_image(image, index + 1, width, height, dpi, langs)
