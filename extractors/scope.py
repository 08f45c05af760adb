"""Whether an act is about cluster and innovation policy at all (the domain words in data/lexicons/domain.txt)."""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

DATA = Path(__file__).parent / "data" / "lexicons" / "domain.txt"


@lru_cache(maxsize=1)
def domain_pattern() -> re.Pattern:
    terms = [ln.strip() for ln in DATA.read_text(encoding="utf-8").splitlines()
             if ln.strip() and not ln.lstrip().startswith("#")]
    return re.compile("|".join(f"(?:{t})" for t in terms), re.IGNORECASE)


@dataclass(frozen=True)
class Scope:
    """The verdict and the domain words that decided it (at most a few, as evidence)."""

    in_scope: bool
    evidence: tuple[str, ...]


def act_scope(text: str, keep: int = 5) -> Scope:
    """In scope when any domain word occurs in the act; the first distinct ones are the evidence."""
    found: list[str] = []
    for m in domain_pattern().finditer(text):
        word = " ".join(m.group().lower().split())
        if word not in found:
            found.append(word)
            if len(found) >= keep:
                break
    return Scope(in_scope=bool(found), evidence=tuple(found))
