"""Amounts, thresholds, deadlines and references in one clause text: named rules over lexicons.

Every finder takes a plain string and returns our records with offsets into that string, so each rule is
testable without spaCy; `extractors.nlp` wraps them as pipeline components. Lexicons live in
`data/lexicons/*.txt` and `data/entities/*.txt` ("canonical: form | form", a form word ending in `*`
matches any ending). Each record's `rule` names the rule that produced it.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, replace
from functools import lru_cache
from pathlib import Path

from .records import Amount, Deadline, Entities, Reference, Threshold

DATA = Path(__file__).parent / "data"
_FOLD = str.maketrans({"ё": "е", "Ё": "Е", "\u00a0": " ", "\u202f": " ", "\u2009": " ", "’": "'", "ʼ": "'"})


def fold(text: str) -> str:
    """Same-length folding for matching: ё→е, no-break spaces → spaces, one apostrophe."""
    return text.translate(_FOLD)


def form_regex(form: str, lead: bool = True) -> str:
    """Regex of one lexicon form: words joined by whitespace, `*` = any ending, word boundaries (the
    leading one left out with `lead=False`, for alternations that check it once up front)."""
    words = form.split()
    out: list[str] = []
    for i, w in enumerate(words):
        star = w.endswith("*")
        core = re.escape(w[:-1] if star else w)
        if i:
            out.append(r"\s*" if words[i - 1].endswith(".") else r"\s+")
        out.append(core + (r"[\w']*" if star else ""))
    rx = "".join(out)
    if form[0].isalnum() and lead:
        rx = r"(?<![\w])" + rx
    if form.endswith("*") or form[-1].isalnum():
        rx += r"(?![\w])"
    return rx


@dataclass(frozen=True)
class Lexicon:
    """Forms of a data file compiled into one regex; the matched group names its canonical value."""

    pattern: re.Pattern
    values: tuple[str, ...]

    def match(self, text: str, pos: int) -> tuple[int, int, str] | None:
        m = self.pattern.match(text, pos)
        return (m.start(), m.end(), self.values[m.lastindex - 1]) if m else None

    def finditer(self, text: str):
        for m in self.pattern.finditer(text):
            yield m.start(), m.end(), self.values[m.lastindex - 1]

    def search(self, text: str, pos: int = 0) -> tuple[int, int, str] | None:
        m = self.pattern.search(text, pos)
        return (m.start(), m.end(), self.values[m.lastindex - 1]) if m else None


def read_terms(relpath: str) -> list[tuple[str, str]]:
    """(canonical, form) pairs of a lexicon file, in file order; `#` starts a comment line."""
    pairs = []
    for line in (DATA / relpath).read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        canon, _, forms = line.partition(": ")
        pairs.extend((canon.strip(), f.strip()) for f in forms.split(" | ") if f.strip())
    return pairs


@lru_cache(maxsize=None)
def lexicon(relpath: str, keys: tuple[str, ...] | None = None) -> Lexicon:
    """One compiled lexicon (optionally only some canonical keys); longer forms are tried first."""
    pairs = [(c, fold(f)) for c, f in read_terms(relpath) if keys is None or c in keys]
    pairs = sorted(dict.fromkeys(pairs), key=lambda p: (not p[1][0].isalnum(), -len(p[1])))
    words = [p for p in pairs if p[1][0].isalnum()]
    others = [p for p in pairs if not p[1][0].isalnum()]
    parts = [_alternation([f for _, f in words], group=True)] if words else []
    parts += [f"({form_regex(f)})" for _, f in others]  # "%", "°С", "$": no word boundary before them
    return Lexicon(re.compile("|".join(parts), re.I), tuple(c for c, _ in pairs))


def _alternation(forms: list[str], group: bool = False) -> str:
    """Word forms as one alternation with the word boundary and first letters checked once (fast)."""
    if not forms:
        return "(?!)"
    first = "".join(sorted({re.escape(f[0].lower()) + re.escape(f[0].upper()) for f in forms}))
    body = "|".join(f"({form_regex(f, lead=False)})" if group else form_regex(f, lead=False) for f in forms)
    return rf"(?<![\w])(?=[{first}])(?:{body})"


# ---- numbers ---------------------------------------------------------------------------------------

_DIGITS = r"\d{1,3}(?:[ ]\d{3})+(?:,\d+)?(?!\d)|\d+(?:[.,]\d+)?"


@lru_cache(maxsize=None)
def _number_words() -> tuple[dict[str, float], str, str, str]:
    """Word → value map, and the regexes of integer words, scales and fractions."""
    pairs = read_terms("lexicons/number_words.txt")
    values = {fold(f).lower(): float(c) for c, f in pairs}
    ints = sorted({fold(f) for c, f in pairs if float(c) >= 1 or float(c) == 0}, key=len, reverse=True)
    scales = sorted({fold(f) for c, f in pairs if float(c) >= 1000}, key=len, reverse=True)
    fracs = sorted({fold(f) for c, f in pairs if 0 < float(c) < 1}, key=len, reverse=True)
    return values, _alternation(ints), _alternation(scales), _alternation(fracs)


@lru_cache(maxsize=None)
def _quantity_re() -> re.Pattern:
    _, ints, scales, _ = _number_words()
    return re.compile(
        rf"(?<![\w.,])(?P<num>{_DIGITS})(?:-(?:х|ти|ми|м|ух|ех|ёх|и)(?!\w))?(?![\w]|-\w)"
        rf"(?:\s*(?:\([^()\d]{{1,60}}\)\s*)?(?P<scale>{scales}))?"  # "100 (сто) тысяч": words before the scale
        rf"|(?P<words>(?:{ints})(?:\s+(?:{ints}))*)", re.I)


@lru_cache(maxsize=None)
def _fraction_re() -> re.Pattern:
    return re.compile(_number_words()[3], re.I)


def _word_value(word: str) -> float | None:
    values = _number_words()[0]
    w = word.lower()
    if w in values:
        return values[w]
    for form, v in values.items():  # stems such as "миллион*"
        if form.endswith("*") and w.startswith(form[:-1]):
            return v
    return None


def words_value(phrase: str) -> float | None:
    """Value of a number written in words: "пятьсот тысяч" = 500000, "двадцать пять" = 25."""
    total = cur = 0.0
    for w in phrase.split():
        v = _word_value(w)
        if v is None:
            return None
        if v >= 1000:
            total += (cur or 1) * v
            cur = 0.0
        else:
            cur += v
    return total + cur


def _num(s: str) -> float:
    return float(s.replace(" ", "").replace(",", "."))


def _clean(v: float) -> float:
    return int(round(v)) if abs(v - round(v)) < 1e-9 else round(v, 6)


@dataclass(frozen=True)
class Quantity:
    """A number found in text: digits or words, with its scale applied."""

    start: int
    end: int
    value: float
    digits: str  # the digits as printed ("" for words)


def quantity_at(t: str, pos: int) -> Quantity | None:
    """The quantity starting exactly at `pos` of folded text, if any."""
    m = _quantity_re().match(t, pos)
    return _quantity(m) if m else None


def quantities(t: str):
    """All quantities of a folded text, left to right."""
    for m in _quantity_re().finditer(t):
        q = _quantity(m)
        if q is not None:
            yield q


def _quantity(m: re.Match) -> Quantity | None:
    if m.group("num"):
        value = _num(m.group("num"))
        if m.group("scale"):
            value *= words_value(m.group("scale")) or 1
        return Quantity(m.start(), m.end(), value, m.group("num"))
    if all(re.fullmatch(r"(?i)(тыс|млн|млрд|трлн)\.?", w) for w in m.group("words").split()):
        return None  # "Объем экспорта, млн рублей": a column unit, not a sum
    value = words_value(m.group("words"))
    return Quantity(m.start(), m.end(), value, "") if value is not None else None


# "10 (десять) процентов", "50 000 (пятьдесят тысяч) рублей": the number repeated in words; and the other
# way round, "пять миллиардов (5 000 000 000) рублей": a number in words repeated in digits
_AFTER_NUMBER = r"\s*(?:\([^()\d]{1,60}\)\s*|\(\s*\d[\d ,.]{0,30}\)\s*)?"


def _skip(t: str, pos: int, rx: str) -> int:
    m = re.compile(rx, re.I).match(t, pos)
    return m.end() if m else pos


# ---- amounts ---------------------------------------------------------------------------------------

def find_amounts(text: str, country: str | None = None) -> list[Amount]:
    """Sums of money: a quantity followed by a currency word ("300 млн рублей", "пятьсот тысяч рублей").

    Rules: `currency_word` (the currency is printed), `ruble_generic` (a bare ruble or kopeck: RUB, or BYN
    when the act is Belarusian — `country="BY"`, or, with no country, when the text itself is Belarusian).
    In a range "от 100 до 500 тыс. рублей" the first sum takes the currency and scale of the second.
    """
    t = fold(text)
    country = country or ("BY" if _looks_belarusian(t) else "RU")
    cur = lexicon("lexicons/currencies.txt")
    out = []
    taken = 0  # end of the last sum: its kopecks ("10 000 рублей 50 копеек") are not a sum of their own
    for q in quantities(t):
        if q.start < taken:
            continue
        q = _compound(t, q, cur)
        c = cur.match(t, _skip(t, q.end, _AFTER_NUMBER))
        end = c[1] if c else q.end
        if c is None:
            q, c = _range_low(t, q, cur)
            if c is None:
                continue
        code, rule, value = c[2], "currency_word", q.value
        if code == "kopeck":
            code, value = "RUB", value / 100
        if code == "RUB" and not re.match(r"(?i)(российск|расійск)", t[c[0]:c[1]]):
            code, rule = ("BYN" if country == "BY" else "RUB"), "ruble_generic"
        if (kop := _KOPECKS.match(t, end)) and c[2] != "kopeck":
            value, end = value + int(kop.group(1)) / 100, kop.end()
        if (words := _repeated_in_words(t, end, value, cur)) is not None:
            end = words  # "2,5 млн рублей (два миллиона пятьсот тысяч рублей)": the same sum again
        taken = end
        out.append(Amount(value=_clean(value), currency=code, text=text[q.start:end], start=q.start, end=end,
                          rule=rule))
    return out


def _compound(t: str, q: Quantity, cur: Lexicon) -> Quantity:
    """"1 млн 500 тыс. рублей", "2 млрд 300 млн рублей": a scaled number and a smaller scaled number
    before the currency are one sum."""
    raw = _num(q.digits) if q.digits else None
    if not raw or q.value <= raw or cur.match(t, _skip(t, q.end, _AFTER_NUMBER)):
        return q
    nxt = quantity_at(t, _skip(t, q.end, r"\s+"))
    if nxt is None or not nxt.digits or nxt.value >= q.value:
        return q
    if cur.match(t, _skip(t, nxt.end, _AFTER_NUMBER)) is None:
        return q
    return replace(q, end=nxt.end, value=q.value + nxt.value)


def _repeated_in_words(t: str, end: int, value: float, cur: Lexicon) -> int | None:
    """The end of "(два миллиона пятьсот тысяч рублей)" right after a sum of the same value, else None."""
    m = _OPEN.match(t, end)
    if m is None:
        return None
    q = quantity_at(t, m.end())
    if q is None or q.digits or abs(q.value - value) > 0.5:
        return None
    c = cur.match(t, _skip(t, q.end, r"\s*"))
    close = _CLOSE.match(t, c[1]) if c else None
    return close.end() if close else None


_KOPECKS = re.compile(r"(?i)\s*(\d{1,2})\s*(?:коп\b\.?|копе\w*|капе\w*|кап\b\.?)")
_OPEN, _CLOSE = re.compile(r"\s*\("), re.compile(r"\s*\)")


def _range_low(t: str, q: Quantity, cur: Lexicon) -> tuple[Quantity, tuple[int, int, str] | None]:
    """The low end of a sum range ("от 100 до 500 тыс. рублей"): it takes the currency (returned) and
    the scale of the high end."""
    to = re.compile(r"(?i)\s*(?:до|да|-|–|—)\s*").match(t, q.end)
    if to is None or not re.search(r"(?i)(от|ад)\s+$", t[max(0, q.start - 4):q.start]):
        return q, None
    hi = quantity_at(t, to.end())
    c = cur.match(t, _skip(t, hi.end, _AFTER_NUMBER)) if hi else None
    if c is None:
        return q, None
    hi_raw = _num(hi.digits) if hi.digits else hi.value
    if q.digits and t[q.start:q.end].strip() == q.digits and hi_raw and q.value <= hi_raw < hi.value:
        q = replace(q, value=q.value * hi.value / hi_raw)
    return q, c


def _looks_belarusian(t: str) -> bool:
    return bool(re.search(r"[іўІЎ]", t))


# ---- deadlines -------------------------------------------------------------------------------------

_DL = "entities/deadline_words.txt"
_MONTHS = "entities/months.txt"


@lru_cache(maxsize=None)
def _date_re() -> re.Pattern:
    months = _alternation(sorted({fold(f) for _, f in read_terms(_MONTHS)}, key=len, reverse=True))
    return re.compile(
        rf"(?P<d>\d{{1,2}})(?:-?(?:го|е))?\s+(?P<m>{months})(?:\s+(?P<y>\d{{4}})(?:\s*(?:г\.|года|году|год|г)(?!\w))?)?"
        rf"|(?P<nd>\d{{2}})\.(?P<nm>\d{{2}})\.(?P<ny>\d{{4}})(?:\s*г\.)?", re.I)


def parse_date(m: re.Match) -> str:
    """ISO date of a date match; "--MM-DD" (ISO 8601 month-day) when no year is printed."""
    if m.group("nd"):
        return f"{m.group('ny')}-{m.group('nm')}-{m.group('nd')}"
    month = lexicon(_MONTHS).match(m.group("m"), 0)[2]
    day = int(m.group("d"))
    if m.group("y"):
        return f"{m.group('y')}-{int(month):02d}-{day:02d}"
    return f"--{int(month):02d}-{day:02d}"


_TERM_ADJ = re.compile(r"(?<!\w)(?:в|у|ў)\s+(?:(?P<n>\d+)-\s*)?(?P<w>[а-яіў]*?)-?"
                       r"(?P<u>месячн|дневн|недельн|годичн|дзённ|тыднёв)\w*\s+(?:срок|тэрмін)\w*", re.I)


def find_deadlines(text: str) -> list[Deadline]:
    """Time limits for actions.

    Rules: `period` ("в течение 30 рабочих дней", "не пазней за 20 працоўных дзён", "не менее чем за 30 дней
    до начала"; not years: `years_before_is_condition`, "зарегистрирован не менее чем за 2 года"), `term_adjective`
    ("в трехмесячный срок"), `date` ("не позднее 1 марта", "до 1 апреля 2025 г."), `day_of_month`
    ("не позднее 20-го числа месяца" — no date, the text only).
    """
    t = fold(text)
    openers = lexicon(_DL, ("period", "lead", "period date", "date"))
    units = lexicon(_DL, ("day", "week", "month", "year"))
    out: list[Deadline] = []
    for s, e, kind in openers.finditer(t):
        p = _skip(t, e, r"\s*")
        if kind != "date":
            d = _period_at(text, t, s, p, units)
            if d and kind == "lead" and d.months is not None and d.months % 12 == 0 and d.days is None:
                continue  # rule years_before_is_condition: an age, left to the thresholds
            if d:
                out.append(d)
                continue
        if kind not in ("period", "lead"):
            m = _date_re().match(t, p)
            if m:
                out.append(Deadline(text=text[s:m.end()].rstrip(), date=parse_date(m), start=s,
                                    end=s + len(text[s:m.end()].rstrip()), rule="date"))
                continue
            m = re.compile(r"(\d{1,2})(?:-?(?:го|е|га))?\s+(?:числа|чысла)", re.I).match(t, p)
            if m:
                out.append(Deadline(text=text[s:m.end()], start=s, end=m.end(), rule="day_of_month"))
    for m in _TERM_ADJ.finditer(t):
        n = int(m.group("n")) if m.group("n") else (words_value(m.group("w")) if m.group("w") else 1)
        if n is None:
            continue
        u = m.group("u").lower()
        n = int(n)
        days = n if u in ("дневн", "дзённ") else 7 * n if u in ("недельн", "тыднёв") else None
        months = n if u == "месячн" else 12 * n if u == "годичн" else None
        out.append(Deadline(text=text[m.start():m.end()], days=days, months=months, start=m.start(), end=m.end(),
                            rule="term_adjective"))
    return _dedupe(out)


def _period_at(text: str, t: str, s: int, p: int, units: Lexicon) -> Deadline | None:
    q = quantity_at(t, p)
    if q is None:
        return None
    p = _skip(t, q.end, _AFTER_NUMBER)
    working = False
    kind = lexicon(_DL, ("working", "calendar")).match(t, p)
    if kind:
        working = kind[2] == "working"
        p = _skip(t, kind[1], r"\s*")
    u = units.match(t, p)
    if u is None or lexicon(_DL, ("not_a_limit",)).match(t, _skip(t, u[1], r"\s*")):
        return None
    n = int(q.value)
    days = n if u[2] == "day" else 7 * n if u[2] == "week" else None
    months = n if u[2] == "month" else 12 * n if u[2] == "year" else None
    return Deadline(text=text[s:u[1]], days=days, working_days=working, months=months, start=s, end=u[1],
                    rule="period")


def _dedupe(items: list) -> list:
    """Keep the longest of overlapping records, in text order."""
    kept: list = []
    for r in sorted(items, key=lambda r: (r.start, -(r.end - r.start))):
        if kept and r.start < kept[-1].end:
            continue
        kept.append(r)
    return kept


# ---- references ------------------------------------------------------------------------------------

@lru_cache(maxsize=None)
def _ref_tail_re() -> re.Pattern:
    date = _date_re().pattern.replace("?P<", "?P<a_")
    date2 = _date_re().pattern.replace("?P<", "?P<b_")
    num = r"(?:№|N(?=\s*\d))\s*(?P<{}>\d(?:[\w/.-]*\w)?)"
    not_issuer = r"(?:от|ад|в|с|на|о|об|по|к|для|у|з|аб|утвержден\w*|зацверджан\w*)\s"
    return re.compile(
        rf"(?P<issuer>(?:\s+(?!{not_issuer})[^\s№«».,;:]+){{0,12}}?)\s*"
        rf"(?:(?:от|ад)\s+(?:{date})\s*(?:{num.format('num1')})?"
        rf"|{num.format('num2')}(?:\s*(?:от|ад)\s+(?:{date2}))?|(?=«))"
        rf"(?:\s*(?P<title>«[^»]{{1,400}}»))?", re.I)


def find_references(text: str) -> list[Reference]:
    """Other acts cited: type (SPEC §3 noun), number as printed, ISO date.

    Rules: `act_number_date` (a type with a number and/or a date: "Федеральный закон от 31 декабря 2014 г.
    № 488-ФЗ", "Декрет № 8"), `act_title` (a type followed by a quoted title only).
    """
    t = fold(text)
    out = []
    for s, e, typ in lexicon("lexicons/act_types.txt").finditer(t):
        m = _ref_tail_re().match(t, e)
        if m is None:
            continue
        number, date = m.group("num1") or m.group("num2"), None
        for pre in ("a_", "b_"):
            if m.group(pre + "d") or m.group(pre + "nd"):
                date = parse_date(_Prefixed(m, pre))
        if not (number or date or m.group("title")):
            continue
        end = m.end()
        out.append(Reference(text=text[s:end], type=typ, number=number, date=date, start=s, end=end,
                             rule="act_number_date" if (number or date) else "act_title"))
    return _dedupe(out)


class _Prefixed:
    """A match seen through one prefix of its group names (the two date slots of a reference)."""

    def __init__(self, m: re.Match, prefix: str):
        self.m, self.prefix = m, prefix

    def group(self, name: str):
        return self.m.group(self.prefix + name)


# ---- thresholds ------------------------------------------------------------------------------------

_CMP = "entities/comparators.txt"
_DURATIONS = {"год", "месяц", "день", "квартал", "налоговый период"}
_STATED_UNITS = {"%", "процентный пункт", "базовая величина"}
_ADJ = re.compile(r"[а-яіў'-]+(?:ый|ий|ой|ая|яя|ое|ее|ые|ие|ых|их|ого|его|ому|ему|ым|им|ыми|ими|ую|юю|ай|ага|яга|"
                  r"аму|яму|ыя|ія|ае|ое)(?!\w)\s*", re.I)
_TERM_BEFORE = re.compile(r"(?i)(срок\w*|период\w*|перыяд\w*|тэрмін\w*|течение|працягу)\s*$")
_BENEFIT_PERIOD = re.compile(r"(?i)(на\s+период|на\s+перыяд|в\s+течение|на\s+працягу|пребыва|знаходзі)[^.;]*$")


@dataclass(frozen=True)
class _Unit:
    """Where a quantity's unit ends, the canonical unit, and whether it is a currency (money)."""

    end: int
    unit: str
    money: bool = False


def unit_at(t: str, pos: int) -> _Unit | None:
    """The unit after a quantity: a lexicon unit, possibly after a dash and up to 3 adjectives."""
    p = _skip(t, pos, _AFTER_NUMBER + r"(?:[—–-]\s*)?")
    if lexicon("lexicons/currencies.txt").match(t, p):
        return _Unit(lexicon("lexicons/currencies.txt").match(t, p)[1], "", money=True)
    for _ in range(4):
        u = lexicon("lexicons/units.txt").match(t, p)
        if u:
            return _Unit(u[1], u[2])
        m = _ADJ.match(t, p)
        if not m:
            break
        p = m.end()
    return None


def _fallback_unit(t: str, pos: int) -> _Unit | None:
    """Rule `unit_lemma`: an unknown counted noun after up to 3 adjectives, lemmatized (Belarusian words
    are kept as printed: the morphology is Russian)."""
    p = _skip(t, pos, r"\s*(?:[—–-]\s*)?")
    for _ in range(4):
        m = re.compile(r"[а-яіў'-]+", re.I).match(t, p)
        if not m:
            return None
        word = m.group(0).lower()
        if _looks_belarusian(word) or re.search(r"[іў]", t[max(0, pos - 40):pos]):
            if _ADJ.fullmatch(word):
                p = _skip(t, m.end(), r"\s*")
                continue
            return _Unit(m.end(), word)
        parse = _morph().parse(word)[0]
        if parse.tag.POS in ("ADJF", "PRTF"):
            p = _skip(t, m.end(), r"\s*")
            continue
        return _Unit(m.end(), parse.normal_form) if parse.tag.POS == "NOUN" else None
    return None


class CachedMorph:
    """One pymorphy3 analyzer per process with a memo of parses: legal text repeats its words, and the
    dictionary walk is the slowest step of the pipeline."""

    def __init__(self):
        import pymorphy3

        self.analyzer = pymorphy3.MorphAnalyzer()
        self.parse = lru_cache(maxsize=200_000)(self.analyzer.parse)

    def __getattr__(self, name):
        return getattr(self.analyzer, name)


@lru_cache(maxsize=None)
def _morph() -> CachedMorph:
    return CachedMorph()


_COUNT_OF = re.compile(r"(?i)(?<!\w)(?:количеств\w*|числ[оа]|численност\w*|колькасц\w*)\s+")
_OF_WHICH = re.compile(r"(?i)(из которых|из них|из числа которых|з якіх|з іх)[^.;]*$")


def _unit_from_context(t: str, s: int, found: list[Threshold]) -> str:
    """Rule `unit_from_context` for a bare number: "из которых не менее 1" takes the unit of the count
    before it; "количество совместных проектов … — не менее 5" takes the counted noun."""
    before = t[max(0, s - 150):s]
    before = before[max(before.rfind(";"), before.rfind("."), before.rfind(":")) + 1:]
    if _OF_WHICH.search(before) and found:
        return found[-1].unit
    for m in reversed(list(_COUNT_OF.finditer(before))):
        for word in re.findall(r"[^\W\d_]+", before[m.end():])[:4]:
            parse = _morph().parse(word.lower())[0]
            if parse.tag.POS == "NOUN":
                return parse.normal_form
            if parse.tag.POS not in ("ADJF", "PRTF"):
                break
    return ""


def _not_a_quantity(t: str, q: Quantity) -> str | None:
    """Why a number after a comparator is not a quantity (a date, a year), or None."""
    after = t[q.end:q.end + 20]
    if _date_re().match(t, q.start):
        return "date"
    if q.digits and re.fullmatch(r"(19|20)\d\d", q.digits) and re.match(r"(?i)\s*(г\.|год|года|году|г\b)", after):
        return "year"
    return None


def _points_in_text(t: str, s: int) -> bool:
    """The words right before position `s` point to a place in the text ("указанных выше"), per comparators.txt."""
    a = max(0, s - 30)
    return any(not t[a + e:s].strip() for _, e, _ in lexicon(_CMP, ("text_reference",)).finditer(t[a:s]))


def find_thresholds(text: str, amounts: list[Amount] | None = None,
                    covered: list[tuple[int, int]] = ()) -> list[Threshold]:
    """Quantitative conditions on anything but money.

    Rules: `comparator_before` ("не менее 10 участников"), `comparator_after` ("два и более
    показателя"), `stated_rate` ("по ставке 9 процентов", only shares and base units), `upto_known_unit`
    ("до 50 процентов": "до" bounds only a lexicon unit, never a date, a year or a range), `fraction`
    ("более половины" → 50 %), `range_bounds` ("от 5 до 50 га"; not a scale "от 0 до 10 баллов"),
    `coefficient` ("с применением коэффициента 0,5" → = 0.5), `unit_from_context` ("из которых не менее
    1", "количество проектов — не менее 5"), `coordinated_value` ("не может превышать 15 млн рублей в год
    и 80 процентов": a bare quantity joined to a bounded one inherits its comparator), `unit_lemma` (the
    unit is an unknown noun, lemmatized). Money is never a threshold; a duration bounded from above is one
    ("срок реализации проекта не более 5 лет") unless it is how long a benefit lasts
    (`benefit_period_not_condition`: "на период реализации проекта, но не более 2 лет", "на срок до 10 лет").
    `covered` are spans of other records (deadlines, references) whose numbers are not quantities.
    """
    t = fold(text)
    amounts = amounts if amounts is not None else find_amounts(text)
    covered = list(covered) + [(a.start, a.end) for a in amounts]
    out: list[Threshold] = []
    anchors: list[tuple[int, str]] = []  # ends of bounded quantities (also money), for coordination

    def inside(a: int, b: int) -> bool:
        return any(a < ce and cs < b for cs, ce in covered)

    def emit(cmp: str, s: int, q: Quantity, rule: str, after: int | None = None, upto: bool = False) -> None:
        if _not_a_quantity(t, q):
            return
        if inside(q.start, q.end):
            if any(a.start <= q.start < a.end for a in amounts):
                anchors.append((next(a.end for a in amounts if a.start <= q.start < a.end), cmp))
            return
        u = unit_at(t, q.end if after is None else after)
        if u is not None and u.money:
            return
        if u is None and not upto and cmp != "=":
            u = _fallback_unit(t, q.end if after is None else after)
            rule_used = "unit_lemma" if u else rule
        else:
            rule_used = rule
        if u is None:
            if upto or cmp == "=" or rule == "comparator_after":
                return
            u = _Unit(q.end, _unit_from_context(t, s, out))
            rule_used = "unit_from_context" if u.unit else rule
        if cmp == "=" and u.unit not in _STATED_UNITS:
            return
        if u.unit in _DURATIONS and cmp in ("<=", "<") and (
                _BENEFIT_PERIOD.search(t[max(0, s - 60):s]) or upto and _TERM_BEFORE.search(t[max(0, s - 30):s])):
            return  # rule benefit_period_not_condition: how long a preference lasts ("на срок до 10 лет")
        out.append(Threshold(comparator=cmp, value=_clean(q.value), unit=u.unit, text=text[s:u.end], start=s,
                             end=u.end, rule=rule_used))
        anchors.append((u.end, cmp))

    cmps = lexicon(_CMP, (">=", "<=", ">", "<", "=", "= coefficient"))
    for s, e, cmp in cmps.finditer(t):
        if t[s:e].lower().startswith(("выше", "ниже")) and _points_in_text(t, s):
            continue  # "указанных выше 5 документов": a place in the text, not a bound
        p = _skip(t, e, r"\s*,?\s*(?:(?:в|на|у|ў|за|с|со|для|з)\s+)?")
        if cmp == "=":  # "по ставке арендной платы 1 процент": the rate's name may come between
            p = _skip_rate_name(t, p, cmps)
        f = _fraction_re().match(t, p)
        if f and cmp != "=":
            phrase = re.sub(r"\s+", " ", f.group(0).lower())
            value = _number_words()[0].get(phrase) or words_value(phrase) or 0
            out.append(Threshold(comparator=cmp, value=_clean(value * 100), unit="%", text=text[s:f.end()],
                                 start=s, end=f.end(), rule="fraction"))
            anchors.append((f.end(), cmp))
            continue
        q = quantity_at(t, p)
        if q is not None and cmp == "= coefficient":
            if not inside(q.start, q.end) and unit_at(t, q.end) is None:
                out.append(Threshold(comparator="=", value=_clean(q.value), unit="коэффициент", text=text[s:q.end],
                                     start=s, end=q.end, rule="coefficient"))
        elif q is not None:
            emit(cmp, s, q, "stated_rate" if cmp == "=" else "comparator_before")
    post = lexicon(_CMP, (">= after", "<= after"))
    for q in quantities(t):
        c = post.match(t, _skip(t, q.end, _AFTER_NUMBER))
        if c:
            emit(c[2].split()[0], q.start, q, "comparator_after", after=c[1])
    for m in re.finditer(r"(?i)(?<!\w)(?:до|да)\s+", t):
        q = quantity_at(t, m.end())
        if q is None or re.search(r"(?i)(?<!\w)(от|ад)\s+[\d\w,.]+\s*$", t[max(0, m.start() - 30):m.start()]):
            continue
        if any(th.start <= m.start() < th.end for th in out):
            continue
        emit("<=", m.start(), q, "upto_known_unit", upto=True)
    out.extend(_ranges(text, t, inside))
    out = _coordinate(text, t, out, anchors, inside)
    return _dedupe(out)


def _skip_rate_name(t: str, p: int, cmps: Lexicon) -> int:
    """Up to 3 words before a stated rate's number; never a comparator or "до" ("в размере не более …")."""
    q = p
    for _ in range(3):
        if cmps.match(t, q) or re.match(r"(?i)(до|да|от|ад)\s", t[q:q + 3]):
            return p
        m = re.compile(r"[^\W\d_]+\s+").match(t, q)
        if m is None:
            break
        q = m.end()
        if t[q:q + 1].isdigit():
            return q
    return p


_RANGE = re.compile(r"(?i)(?<!\w)(?:от|ад)\s+")


def _ranges(text: str, t: str, inside) -> list[Threshold]:
    """Rule `range_bounds`: "площадью от 5 до 50 га" is >= 5 га and <= 50 га. A scale is not a condition
    ("по шкале от 0 до 10 баллов"): no bounds when the range starts at 0 or counts points."""
    out = []
    for m in _RANGE.finditer(t):
        lo = quantity_at(t, m.end())
        if lo is None:
            continue
        to = re.compile(r"(?i)\s*(?:до|да)\s+").match(t, lo.end)
        hi = quantity_at(t, to.end()) if to else None
        if hi is None or lo.value == 0 or inside(lo.start, hi.end) or _not_a_quantity(t, hi):
            continue
        u = unit_at(t, hi.end)
        if u is None or u.money or u.unit in ("балл", ""):
            continue
        out.append(Threshold(comparator=">=", value=_clean(lo.value), unit=u.unit, text=text[m.start():lo.end],
                             start=m.start(), end=lo.end, rule="range_bounds"))
        k = to.start() + len(to.group(0)) - len(to.group(0).lstrip())  # where "до" starts
        out.append(Threshold(comparator="<=", value=_clean(hi.value), unit=u.unit, text=text[k:u.end], start=k,
                             end=u.end, rule="range_bounds"))
    return out


_COORD = re.compile(r"(?i)(—|\s(и|или|а|і|ці)\s)")  # a comma alone does not join ("…, расположенных в одном …")


def _coordinate(text: str, t: str, out: list[Threshold], anchors: list[tuple[int, str]], inside) -> list[Threshold]:
    """Rule `coordinated_value`: chain bare quantities joined to a bounded one by a conjunction or dash."""
    cmps = lexicon(_CMP)
    taken = [(th.start, th.end) for th in out]
    todo = sorted(anchors)
    while todo:
        end, cmp = todo.pop(0)
        m = _quantity_re().search(t, end, min(len(t), end + 60))
        q = _quantity(m) if m else None
        if q is None:
            continue
        gap = t[end:q.start]
        if (len(gap) > 30 or re.search(r"[.;:()\d]", gap) or not _COORD.search(gap) or cmps.search(gap)
                or inside(q.start, q.end) or any(a < q.end and q.start < b for a, b in taken)):
            continue
        u = unit_at(t, q.end)
        if u is None or u.money or (cmp == "=" and u.unit not in _STATED_UNITS):
            continue
        th = Threshold(comparator=cmp, value=_clean(q.value), unit=u.unit, text=text[q.start:u.end],
                       start=q.start, end=u.end, rule="coordinated_value")
        out.append(th)
        taken.append((th.start, th.end))
        todo.append((u.end, cmp))
        todo.sort()
    return out


# ---- one clause ------------------------------------------------------------------------------------

def extract_entities(text: str, nlp=None, country: str | None = "RU", doc=None) -> Entities:
    """Run the pipeline on one clause text and return its entities (offsets within `text`).

    `country` ("RU"|"BY") decides what a bare ruble is; `doc` may be a Doc the pipeline already made for
    this text (e.g. from `nlp.pipe`), in which case nothing is run again.
    """
    from .nlp import doc_entities, get_nlp

    if doc is None:
        nlp = nlp or get_nlp()
        d = nlp.make_doc(text)
        d._.country = country
        doc = nlp(d)
    return doc_entities(doc, country=country)


def entities_from_text(text: str, country: str | None = "RU") -> Entities:
    """The string-only finders without spaCy or NER (no bodies): for tests and quick checks."""
    amounts = find_amounts(text, country)
    deadlines = find_deadlines(text)
    refs = find_references(text)
    covered = [(d.start, d.end) for d in deadlines] + [(r.start, r.end) for r in refs]
    return Entities(amounts=tuple(amounts), thresholds=tuple(find_thresholds(text, amounts, covered)),
                    deadlines=tuple(deadlines), references=tuple(refs))


def entities_in(entities: Entities, start: int, end: int) -> Entities:
    """The records lying inside [start, end) of the clause text: the attributes of one mechanism when a
    clause holds two ("subsidy up to 200 mln …, provided that co-financing is at least 30 %")."""
    def keep(records):
        return tuple(r for r in records if start <= r.start and r.end <= end)

    return Entities(amounts=keep(entities.amounts), thresholds=keep(entities.thresholds),
                    deadlines=keep(entities.deadlines), references=keep(entities.references),
                    bodies=keep(entities.bodies))


def entities_in_part(entities: Entities, text: str, part: str) -> Entities:
    """`entities_in` for a part of the clause given as its text (unchanged when the part is "" or absent)."""
    at = text.find(part) if part else -1
    return entities if at < 0 else entities_in(entities, at, at + len(part))


def with_country(amount: Amount, country: str | None) -> Amount:
    """A bare ruble read before the act's country was known, settled for that country."""
    if amount.rule == "ruble_generic" and country in ("RU", "BY"):
        return replace(amount, currency="BYN" if country == "BY" else "RUB")
    return amount


__all__ = ["extract_entities", "entities_from_text", "entities_in", "entities_in_part", "find_amounts",
           "find_thresholds", "find_deadlines", "find_references", "words_value", "fold", "lexicon", "read_terms",
           "with_country"]
