"""Builders of hostile and broken inputs, each written into a folder by the tests that need it."""
from __future__ import annotations

import os
import random
import zlib
from pathlib import Path

from reportlab.lib.pagesizes import A4
from reportlab.lib.pdfencrypt import StandardEncryption
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen import canvas

FONT = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"

ACT = [
    "ПРАВИТЕЛЬСТВО РОССИЙСКОЙ ФЕДЕРАЦИИ",
    "ПОСТАНОВЛЕНИЕ",
    "от 31 июля 2015 г. № 779",
    "О промышленных кластерах",
    "Правительство Российской Федерации постановляет:",
    "1. Субсидия предоставляется специализированной организации кластера",
    "в размере не более 50 млн рублей.",
    "2. Участниками кластера являются не менее 10 организаций.",
]


def _font() -> str:
    if "DejaVu" not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(TTFont("DejaVu", FONT))
    return "DejaVu"


def good_pdf(path: Path, lines: list[str] = ACT, encrypt: StandardEncryption | None = None) -> Path:
    c = canvas.Canvas(str(path), pagesize=A4, encrypt=encrypt, invariant=1)
    c.setFont(_font(), 11)
    y = 780
    for line in lines:
        c.drawString(72, y, line)
        y -= 18
    c.showPage()
    c.save()
    return path


def blank_pages(path: Path, n: int) -> Path:
    c = canvas.Canvas(str(path), pagesize=A4, invariant=1)
    for _ in range(n):
        c.showPage()
    c.save()
    return path


def inflate_bomb(path: Path, megabytes: int = 2048) -> Path:
    """A one-page PDF whose content stream inflates from about 2 MB to `megabytes` MB."""
    z = zlib.compressobj(9)
    chunk = b" " * (16 * 1024 * 1024)
    payload = b"".join(z.compress(chunk) for _ in range(megabytes // 16)) + z.flush()
    objs = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R >>",
        b"<< /Length %d /Filter /FlateDecode >>\nstream\n" % len(payload) + payload + b"\nendstream",
    ]
    out = bytearray(b"%PDF-1.7\n")
    offsets = []
    for i, body in enumerate(objs, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % i + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objs) + 1)
    out += b"".join(b"%010d 00000 n \n" % o for o in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objs) + 1, xref)
    path.write_bytes(bytes(out))
    return path


def build_hostile_folder(folder: Path, outside: Path) -> dict[str, str | None]:
    """Every hostile case of the brief beside good acts; returns file name → expected error reason (None = ok)."""
    folder.mkdir(parents=True, exist_ok=True)
    outside.mkdir(parents=True, exist_ok=True)
    rng = random.Random(7)
    expected: dict[str, str | None] = {}
    good = good_pdf(folder / "good.pdf")
    expected["good.pdf"] = None
    (folder / "empty.pdf").write_bytes(b"")
    expected["empty.pdf"] = "empty"
    (folder / "letter.pdf").write_text("Уважаемые коллеги! Это не PDF.", encoding="utf-8")
    expected["letter.pdf"] = "not_pdf"
    data = good.read_bytes()
    (folder / "truncated.pdf").write_bytes(data[: len(data) // 3])
    expected["truncated.pdf"] = "truncated"
    (folder / "garbage.pdf").write_bytes(b"%PDF-1.7\n" + bytes(rng.getrandbits(8) for _ in range(20000)))
    expected["garbage.pdf"] = "truncated"
    good_pdf(folder / "locked.pdf", encrypt=StandardEncryption("secret", ownerPassword="owner", canPrint=0))
    expected["locked.pdf"] = "encrypted"
    good_pdf(folder / "owner-only.pdf", encrypt=StandardEncryption("", ownerPassword="owner", canPrint=0))
    expected["owner-only.pdf"] = None
    broken_xref = data.replace(b"startxref", b"startxref\n999999\n%", 1)
    (folder / "broken-xref.pdf").write_bytes(broken_xref)
    expected["broken-xref.pdf"] = None
    inflate_bomb(folder / "bomb.pdf")
    expected["bomb.pdf"] = "too_large"
    blank_pages(folder / "blank-3000.pdf", 3000)
    expected["blank-3000.pdf"] = "no_text"
    target = good_pdf(outside / "secret.pdf")
    os.symlink(target, folder / "link-outside.pdf")
    expected["link-outside.pdf"] = "outside_input"
    for i, odd in enumerate(("Постановление № 5 «о кластерах».pdf", "act with spaces.pdf", "it's \"quoted\".pdf")):
        good_pdf(folder / odd, ACT + [f"{i + 3}. Реестр кластеров ведет уполномоченный орган."])
        expected[odd] = None
    (folder / "zz-same-as-good.pdf").write_bytes(data)
    expected["zz-same-as-good.pdf"] = "duplicate"
    return expected
