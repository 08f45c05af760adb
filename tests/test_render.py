"""The corpus renderer: markup in, an act-like PDF out that pdfplumber reads back."""
import importlib.util
import re
import sys
from pathlib import Path

import pdfplumber
import pytest

SPEC = importlib.util.spec_from_file_location("render", Path(__file__).parents[1] / "corpora" / "render.py")
render = importlib.util.module_from_spec(SPEC)
sys.modules["render"] = render  # dataclasses look their module up
SPEC.loader.exec_module(render)

LONG = ("Специализированная организация промышленного кластера обеспечивает взаимодействие участников "
        "промышленного кластера, научно-технический и образовательный потенциал которого подтвержден, "
        "с образовательными организациями высшего образования и научными организациями, "
        "осуществляющими научно-техническую деятельность в интересах участников кластера.")

MARKUP = f"""^ ПРАВИТЕЛЬСТВО РОССИЙСКОЙ ФЕДЕРАЦИИ

^ ПОСТАНОВЛЕНИЕ

^ от 4 октября 2012 г. № 1006

1. Утвердить прилагаемые Требования к промышленным кластерам.

2. {LONG}

3. {LONG.replace("Специализированная", "Управляющая")}

| Показатель | 2024 год | 2025 год |
| Доля экспорта участников кластера, процентов | 10 | 15 |

4. Настоящее постановление вступает в силу со дня его официального опубликования.

@pagebreak

> УТВЕРЖДЕНЫ
> постановлением Правительства
> Российской Федерации
> от 4 октября 2012 г. № 1006

^ ТРЕБОВАНИЯ

^ к промышленным кластерам

1. Субсидия предоставляется в размере не более 5 000 тыс. рублей.
"""


def norm(s: str) -> str:
    """Compare texts up to line breaks and hyphens (a compound may lose its hyphen at a line end)."""
    s = re.sub(r"-\s*\n\s*", "", s).replace("-", "")
    return re.sub(r"\s+", " ", s).strip()


@pytest.fixture(scope="module")
def pdf_path(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("render")
    src = folder / "act.txt"
    src.write_text(MARKUP, encoding="utf-8")
    render.render(src, folder / "act.pdf")
    return folder / "act.pdf"


@pytest.fixture(scope="module")
def pages(pdf_path) -> list[str]:
    with pdfplumber.open(pdf_path) as pdf:
        return [p.extract_text() or "" for p in pdf.pages]


@pytest.mark.parametrize("word, expected", [
    ("кластер", ["клас", "тер"]),
    ("промышленности", ["про", "мыш", "лен", "нос", "ти"]),
    ("объединение", ["объ", "е", "ди", "не", "ние"]),  # ъ stays on the left
    ("большой", ["боль", "шой"]),  # ь stays on the left
    ("район", ["рай", "он"]),  # й stays on the left
    ("праўда", ["праў", "да"]),  # Belarusian ў behaves like й
    ("інавацыйнага", ["іна", "ва", "цый", "на", "га"]),  # no single letter at the start
    ("идея", ["идея"]),  # too short to break
    ("ПОСТАНОВЛЯЕТ", ["ПОСТАНОВЛЯЕТ"]),  # capitals are not hyphenated
    ("научно-технический", ["научно-", "технический"]),  # a compound breaks only at its hyphen
])
def test_render_hyphen_points(word, expected):
    points = render.hyphen_points(word)
    parts = [word[a:b] for a, b in zip([0] + points, points + [len(word)])]
    assert parts == expected


@pytest.mark.parametrize("token, first", [
    ("«Развитие", ("«Разви-", "тие")),
    ("(научно-технический),", ("(научно-", "технический),")),
    ("кластеров;", ("класте-", "ров;")),
])
def test_render_split_word_keeps_punctuation(token, first):
    assert render.split_word(token)[0] == first


@pytest.mark.parametrize("text, unit", [
    ("от 4 октября 2012 г. № 1006", "№ 1006"),
    ("в размере 5 000 тыс. рублей", "5 000"),
    ("в 2016 г. Министр А.В. Улюкаев", "А.В. Улюкаев"),
])
def test_render_glue_keeps_units_together(text, unit):
    assert unit in render.units(text)


def test_render_text_comes_back(pages):
    text = norm("\n".join(pages))
    for line in MARKUP.splitlines():
        line = line.lstrip("^> ").strip()
        if line and not line.startswith(("|", "@")):
            assert norm(line) in text


def test_render_table_is_ruled(pdf_path):
    with pdfplumber.open(pdf_path) as pdf:
        tables = [t for p in pdf.pages for t in p.extract_tables()]
    assert len(tables) == 1
    rows = [[norm(c or "") for c in row] for row in tables[0]]
    assert rows == [["Показатель", "2024 год", "2025 год"],
                    [norm("Доля экспорта участников кластера, процентов"), "10", "15"]]


def test_render_pagebreak_starts_new_page(pages):
    assert len(pages) == 2
    assert "вступает в силу" in pages[0] and "УТВЕРЖДЕНЫ" not in pages[0]
    assert pages[1].splitlines()[1].strip() == "УТВЕРЖДЕНЫ"


def test_render_header_and_page_number_on_every_page(pages):
    for number, text in enumerate(pages, 1):
        lines = text.splitlines()
        assert lines[0] == render.HEADERS["RU"]
        assert lines[-1].strip() == str(number)


def test_render_hyphenates_long_words(pages):
    broken = re.findall(r"(\w+)-\n(\w+)", "\n".join(pages))
    assert broken, "expected at least one word hyphenated at a line end"
    words = set(re.findall(r"\w+", MARKUP))
    for head, tail in broken:
        assert head + tail in words or head in {"научно"}


def test_render_compound_whole_or_split_at_hyphen(pages):
    text = "\n".join(pages)
    for m in re.finditer(r"научн\S*", text):
        assert m.group(0).rstrip(".,") in {"научно-технический", "научно-техническую", "научно-", "научными"}


def test_render_is_deterministic(pdf_path, tmp_path):
    again = tmp_path / "again.pdf"
    render.render(pdf_path.with_suffix(".txt"), again)
    assert again.read_bytes() == pdf_path.read_bytes()


def test_render_all_skips_up_to_date(tmp_path):
    (tmp_path / "a.txt").write_text("^ ЗАКОН\n\nСтатья 1. Предмет.\n", encoding="utf-8")
    assert render.render_all(tmp_path) == [tmp_path / "a.pdf"]
    assert render.render_all(tmp_path) == []
    assert render.render_all(tmp_path, force=True) == [tmp_path / "a.pdf"]


@pytest.mark.parametrize("head, expected", [
    ("^ ПАСТАНОВА САВЕТА МІНІСТРАЎ РЭСПУБЛІКІ БЕЛАРУСЬ", "BY-be"),
    ("^ ПОСТАНОВЛЕНИЕ СОВЕТА МИНИСТРОВ РЕСПУБЛИКИ БЕЛАРУСЬ", "BY-ru"),
    ("^ ПРАВИТЕЛЬСТВО РОССИЙСКОЙ ФЕДЕРАЦИИ", "RU"),
])
def test_render_header_follows_country_and_language(head, expected):
    assert render.detect_header(head) == render.HEADERS[expected]
