"""Act metadata (SPEC §3): country, type, issuer, number, date, title, language, each from a named rule."""
from __future__ import annotations

import datetime as _dt
import re
from functools import lru_cache

from extractors.records import ActMeta, DocumentText
from extractors.structure import _entries, _morph, despace, join_lines, line_roles
from extractors.structure import words as words_

__all__ = ["extract_act", "parse_date"]


@lru_cache(maxsize=None)
def _tsv(name: str) -> tuple[tuple[str, str], ...]:
    return tuple(tuple(e.split("\t", 1)) for e in _entries(name))  # type: ignore[misc]


@lru_cache(maxsize=None)
def _months() -> dict[str, int]:
    return {w: int(n) for w, n in _tsv("months.tsv")}


@lru_cache(maxsize=None)
def _date_re() -> re.Pattern:
    months = "|".join(sorted(_months(), key=len, reverse=True))
    return re.compile(rf"(?<!\d)(\d{{1,2}})\s*(?:({months})\s+(\d{{4}})|\.(\d{{1,2}})\.(\d{{4}}))(?!\d)", re.I)


_NUMBER = re.compile(r"(?:№|N)\s*(\d[\w/.\-]*[\wа-яА-Я]|\d)", re.I)
_PLACEHOLDER = re.compile(r"\[[A-Z]+\d*\]|_{2,}")


def parse_date(s: str) -> str | None:
    """The first date in `s` as ISO, RU or BE month names or dd.mm.yyyy."""
    m = _date_re().search(s)
    if not m:
        return None
    day = int(m.group(1))
    month = _months()[m.group(2).lower()] if m.group(2) else int(m.group(4))
    year = int(m.group(3) or m.group(5))
    try:
        return _dt.date(year, month, day).isoformat() if 1900 <= year <= 2100 else None
    except ValueError:
        return None


def _number(s: str) -> str | None:
    m = _NUMBER.search(s)
    return m.group(1).rstrip(".") if m else None


def _skip(line: str) -> str | None:
    """Name of the header_skip rule a line falls under (registration, edition, adoption...)."""
    for name, rx in _tsv("header_skip.tsv"):
        if re.search(rx, line, re.I if name != "registration" else 0):
            return name
    return None


def _date_number(lines: list[str]) -> tuple[str | None, str | None]:
    """Date and number from the first line (or pair of adjacent lines) that carries both."""
    skip_next = False
    for i, line in enumerate(lines):
        reason = _skip(line)
        if reason or skip_next:
            skip_next = bool(reason) and not (_number(line) and parse_date(line))
            continue
        pair = line if i + 1 >= len(lines) or _skip(lines[i + 1]) else f"{line} {lines[i + 1]}"
        for cand in (line, pair):
            d, n = parse_date(cand), _number(cand)
            if d and n and not _PLACEHOLDER.search(cand):
                return d, n
    return None, None


def _act_type(line: str) -> str | None:
    head = despace(line).upper()
    for word, typ in _tsv("act_types.tsv"):
        if head.startswith(word) and (len(head) == len(word) or not head[len(word)].isalpha()):
            raw = despace(line)[:len(word)]
            if raw.isupper() or re.match(rf"{re.escape(word)}(?:\s+\S+)*\s+от\s+\d", head, re.I):
                return typ
    return None


def _recase(phrase: str, text: str) -> str:
    """An all-caps name in normal case: known name words, adjectives of place names, and words written
    capitalized mid-sentence elsewhere in the document keep a capital."""
    always = set(words_("capitalized_words.txt"))
    ws = phrase.split()
    out = []
    for k, w in enumerate(ws):
        low = w.lower()
        cap = "-".join(p[:1].upper() + p[1:] for p in low.split("-"))
        nxt = ws[k + 1].lower() if k + 1 < len(ws) else ""
        place = low.endswith(("ской", "ская", "цкой", "цкая")) and nxt.startswith(
            ("республик", "федерац", "област", "кра", "округ"))
        if k == 0 or low in always or place or re.search(rf"[а-яёіў,]\s+{re.escape(cap)}(?![а-яёіў])", text):
            out.append(cap)
        else:
            out.append(low)
    return " ".join(out)


def _nominative(phrase: str) -> str:
    """Put the head of a name in the nominative ("Министерства экономики ..." -> "Министерство экономики ...")."""
    m = _morph()
    ws = phrase.split()
    if m is None:
        return phrase
    out = []
    for k, w in enumerate(ws):
        p = m.parse(w)[0]
        form = p.inflect({"nomn"}) if ({"gent"} & p.tag.grammemes or {"ablt"} & p.tag.grammemes
                                       or {"datv"} & p.tag.grammemes) else None
        new = form.word if form else w.lower()
        out.append(new[:1].upper() + new[1:] if w[:1].isupper() else new)
        if "NOUN" in p.tag:
            return " ".join(out + ws[k + 1:])
    return phrase


def _issuer(header: list[str], text: str, typ: str | None) -> tuple[str | None, str]:
    for i, line in enumerate(header):  # "Принят постановлением Законодательного Собрания Калужской области"
        if typ == "закон" and re.match(r"Принят\w*\s+(?:постановлением|решением)", line):
            tail = []
            for nxt in header[i:i + 4]:
                tail.append(nxt)
                if parse_date(nxt):
                    break
            name = re.sub(r"^Принят\w*\s+(?:постановлением|решением)\s*", "", join_lines(tail))
            name = re.split(r"\s+от\s+\d|\s+\d", name)[0].strip()
            if name:
                return _nominative(name), "issuer_adopted_by"
    joined = " ".join(header[:15])  # a known name anywhere in the header, the earliest one
    found = [(m.start(), name) for rx, name in _tsv("issuers.tsv") for m in [re.search(rx, joined, re.I)] if m]
    if found:
        return min(found)[1], "issuer_known_name"
    for pos, line in enumerate(header):
        t = _act_type(line)
        if not t:
            continue
        word_len = len(next(w for w, typ_ in _tsv("act_types.tsv") if despace(line).upper().startswith(w)))
        rest = despace(line)[word_len:].strip()
        if rest and rest.isupper() and not re.search(r"\d", rest):  # ПОСТАНОВЛЕНИЕ МИНИСТЕРСТВА ...
            tail = [rest] + [h for h in header[pos + 1:pos + 3] if h.isupper() and not re.search(r"\d", h)]
            return _nominative(_recase(" ".join(tail), text)), "issuer_after_type"
        m = re.match(r"\S+\s+(.+?)\s+от\s+\d", rest and despace(line) or "")
        if m and not rest.isupper():  # "Указ Главы Карачаево-Черкесской Республики от 21 ноября 2022 г."
            return _nominative(m.group(1)), "issuer_title_line"
        above = [h for h in header[max(0, pos - 3):pos]
                 if h.isupper() and not h.startswith("(") and not re.fullmatch(r"РОССИЙСКАЯ ФЕДЕРАЦИЯ", h)]
        if above:
            return _recase(" ".join(above), text), "issuer_above_type"
    return None, ""


def _title(header: list[str]) -> str | None:
    for i, line in enumerate(header):
        m = re.match(r"^[\"«]?(?:О|Об|ОБ|Аб|АБ|Пра|ПРА)\s", line)
        if not m:
            continue
        parts = [line]
        for nxt in header[i + 1:]:
            if _skip(nxt) or nxt.startswith("(") or parse_date(nxt) and _number(nxt) or len(parts) >= 8:
                break
            parts.append(nxt)
        return join_lines(parts).strip("\"«»")
    return None


def _language(text: str) -> tuple[str, str]:
    letters = [c for c in text.lower() if "а" <= c <= "я" or c in "ёіў"]
    share = sum(c in "іў" for c in letters) / max(len(letters), 1)
    counts = {"be": 0, "ru": 0}
    tokens = re.findall(r"[а-яёіў]+", text.lower())
    vocab = {}
    for lang, w in _tsv("language_words.tsv"):
        vocab[w] = lang
    for t in tokens:
        if t in vocab:
            counts[vocab[t]] += 1
    if share >= 0.004 and counts["be"] > counts["ru"]:
        return "be", "language_letters_and_words"
    return "ru", "language_default"


# Bodies only Belarus has: executive committees (Russia's regions have governments and administrations).
_BY_ISSUER = re.compile(r"исполнительн\w*\s+комитет|выканаўч\w*\s+камітэт|\w*исполком\w*|\w*выканкам\w*", re.I)


def _country(issuer: str | None, header: list[str], text: str, language: str = "ru") -> tuple[str, str]:
    if language == "be":
        return "BY", "country_language"  # acts are written in Belarusian in Belarus only
    by = re.compile(r"Республик\w*\s+Беларусь|Рэспублік\w*\s+Беларусь|\bг\.\s*(?:Минск|Мінск)", re.I)
    ru = re.compile(r"Российск\w*\s+Федераци\w*|\bРФ\b|-ФЗ\b|\bобласт[ьи]\b|\bкра[яй]\b|"
                    r"[А-ЯЁ][\w-]+(?:ской|ская)\s+Республик", re.I)
    if issuer and by.search(issuer):
        return "BY", "country_issuer"
    if issuer and _BY_ISSUER.search(issuer):
        return "BY", "country_issuer_body"
    if issuer and ru.search(issuer):
        return "RU", "country_issuer"
    head = " ".join(header)
    if by.search(head) and not ru.search(head):
        return "BY", "country_header"
    if ru.search(head) and not by.search(head):
        return "RU", "country_header"
    n_by, n_ru = len(by.findall(text)), len(ru.findall(text))
    return ("BY", "country_counts") if n_by > n_ru else ("RU", "country_counts")


def extract_act(doc: DocumentText) -> ActMeta:
    """Act metadata from the header, signature block and annex stamps of one document."""
    roles = line_roles(doc)
    header = [t for role, _, t in roles if role == "header"]
    signature = [t for role, _, t in roles if role == "signature"]
    stamps = [t for role, _, t in roles if role == "annex_heading"]
    annex_titles = [t for role, _, t in roles if role == "annex_title"]
    ev: dict[str, str] = {}

    typ = next((t for t in map(_act_type, header) if t), None)
    if typ:
        ev["type"] = "type_header_word"
    elif annex_titles and not header:
        typ = _act_type(annex_titles[0]) or next((t for t in map(_approving_type, stamps) if t), None)
        ev["type"] = "type_annex_title" if typ else ""

    date = number = None
    if typ in ("закон", "федеральный закон") and signature:
        date, number = _date_number(signature)
        if not date:  # "29 июня 2017 г." and "№ 213-ОЗ" on separate lines with a place between
            date, number = _date_number([" ".join(signature)])
        if date:
            ev["date"] = ev["number"] = "law_signature_block"
    for lines, rule in ((header, "header_date_number"), (stamps, "annex_stamp_date_number"),
                        (signature, "signature_date_number")):
        if date:
            break
        date, number = _date_number(lines)
        if date:
            ev["date"] = ev["number"] = rule
    if not date:  # no line carries both: take each from the first header line that has it
        kept = [h for h in header if not _skip(h) and not _PLACEHOLDER.search(h)]
        date = next((d for d in map(parse_date, kept) if d), None)
        number = next((n for n in map(_number, kept) if n), None)
        for key, val in (("date", date), ("number", number)):
            if val:
                ev[key] = f"header_{key}_alone"

    issuer, rule = _issuer(header or stamps, doc.text, typ)
    if issuer:
        ev["issuer"] = rule
    title = _title(header) or (join_lines(annex_titles) if annex_titles and not header else None)
    if title:
        ev["title"] = "title_header_lines" if header else "title_annex"
    language, ev["language"] = _language(doc.text)
    country, ev["country"] = _country(issuer, header, doc.text, language)
    return ActMeta(country=country, type=typ, issuer=issuer, number=number, date=date, title=title,
                   language=language, evidence={k: v for k, v in ev.items() if v})


def _approving_type(stamp: str) -> str | None:
    """"постановлением Правительства ..." in an approval stamp -> постановление."""
    m = re.search(r"\b(постановлением|указом|приказом|распоряжением|декретом|законом|пастановай|загадам)\b", stamp,
                  re.I)
    if not m:
        return None
    return {"постановлением": "постановление", "указом": "указ", "приказом": "приказ",
            "распоряжением": "распоряжение", "декретом": "декрет", "законом": "закон",
            "пастановай": "постановление", "загадам": "приказ"}[m.group(1).lower()]
