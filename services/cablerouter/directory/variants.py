"""Station-name variants and relay detection: how a PLAD that is not listed word for word
still finds its addressee (pure).

Cables and the ACP 117 table write the same addressee in different ways:
``DEPT OF COMMERCE WASHDC`` against ``DEPT OF COMMERCE WASHINGTON DC``, ``DEPARTMENT`` against
``DEPT``, ``USDAO ANKARA TU`` with a country code, ``AMEMBASSY COLOMBO`` against the table's
typo ``AMEMBASSY COLUMBO``. :func:`variant_key` maps the spelling variants to one key;
:func:`is_typo_of` accepts a small misspelling, but only of a name listed under the same
routing indicator (the caller's rule), and never across kinds of post.

A routing indicator that serves several distinct addressees is a *relay* (a gateway such as
``RHMFISS``, a headquarters switch such as ``RUEKJCS``): its station being known says where
a copy goes, not who the addressee is, so names are never matched loosely under it.
:func:`relay_indicators` derives the relays from the directory's own data.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping

__all__ = ("is_typo_of", "relay_indicators", "variant_key")

# Whole-word spellings that denote the same thing, mapped to one form.
_WORDS = {
    "WASHDC": "WASHINGTON DC",
    "WASHINGTON,DC": "WASHINGTON DC",
    "WASH": "WASHINGTON",
    "DEPT": "DEPARTMENT",
    "DEPARTMENT": "DEPARTMENT",
    "DEP": "DEPARTMENT",
    "&": "AND",
    "HQS": "HQ",
    "AMEMB": "AMEMBASSY",
    "USEMB": "AMEMBASSY",
}
_DROP = frozenset(("OF", "THE", "FOR"))
# A kind of State post glued to its city by a lost blank (``AMEMBASSYBRASILIA``, archive damage).
_GLUED_POST = re.compile(r"^(AMEMBASSY|AMCONSUL|USMISSION)(?=[A-Z]{3})")
_PUNCTUATION = re.compile(r"[,;:'\"()]+")


def variant_key(name: str) -> str:
    """The key shared by the spelling variants of a normalised name.

    Parameters
    ----------
    name
        A normalised PLAD or station name (upper case, single spaces).

    Returns
    -------
    str
        ``WASHDC`` and ``WASHINGTON DC`` become one form, as do ``DEPT``/``DEPARTMENT``,
        ``&``/``AND`` and ``HQS``/``HQ``; a post glued to its city (``AMEMBASSYBRASILIA``) is
        split; full stops (``D.C.``), other punctuation and the words ``OF``, ``THE`` and
        ``FOR`` are dropped, and so is a trailing two-letter country code after at least
        two words (``USDAO ANKARA TU``).
    """
    words: list[str] = []
    for word in _PUNCTUATION.sub(" ", name.replace(".", "")).split():
        word = _WORDS.get(word, word)
        word = _GLUED_POST.sub(r"\1 ", word)
        if word not in _DROP:
            words.extend(word.split())
    if len(words) >= 3 and len(words[-1]) == 2 and words[-1].isalpha() and words[-1] != "DC":
        words.pop()
    return " ".join(words)


def is_typo_of(name: str, listed: str) -> bool:
    """Whether ``name`` is ``listed`` misspelt: the same first word (the kind of post or
    organisation) and the rest at most one edit apart, or two when it is ten letters or more.

    Both are variant keys (:func:`variant_key`). Short names (rest under five letters)
    never match: there a single edit names another place.
    """
    first, _, rest = name.partition(" ")
    listed_first, _, listed_rest = listed.partition(" ")
    if first != listed_first or not rest or rest == listed_rest or min(len(rest), len(listed_rest)) < 5:
        return False
    limit = 2 if min(len(rest), len(listed_rest)) >= 10 else 1
    return _within(rest, listed_rest, limit)


def _within(a: str, b: str, limit: int) -> bool:
    """Whether the edit distance of ``a`` and ``b`` is at most ``limit`` (banded)."""
    if abs(len(a) - len(b)) > limit:
        return False
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        current = [i] + [0] * len(b)
        for j, cb in enumerate(b, 1):
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (ca != cb))
        if min(current) > limit:
            return False
        previous = current
    return previous[-1] <= limit


def relay_indicators(served: Mapping[str, Iterable[str]], four_letter: Iterable[str] = ()) -> frozenset[str]:
    """The routing indicators that serve more than one distinct addressee.

    Parameters
    ----------
    served
        For each RI, the names it serves: the names of its station and the PLADs, ids and
        aliases of the addressees and collectives the directory says it serves, grouped
        per entry as one variant key each (so an addressee's own aliases count once).
    four_letter
        RIs the directory marks as relay facilities (4-letter relays of ACP 117).

    Returns
    -------
    frozenset of str
        The relays: every RI whose names form two or more distinct variant keys, plus
        ``four_letter``.
    """
    relays = set(four_letter)
    for ri, names in served.items():
        if len(set(names)) > 1:
            relays.add(ri)
    return frozenset(relays)
