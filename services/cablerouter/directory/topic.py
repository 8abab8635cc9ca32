"""The one mapping from a canonical addressee id to the Kafka topic its copies go to.

:func:`topic_for` is deterministic and documented here because operators create ACLs and
consumers from its output.

* A *plain* id -- upper-case letters and digits in words separated by single spaces, short
  enough to fit -- becomes the prefix plus the id in lower case with spaces as hyphens:
  ``AMEMBASSY BEIJING`` -> ``cables.to.amembassy-beijing``. This slug is a lossless
  encoding (upper-case it and turn hyphens back into spaces), so two plain ids never meet.
* Any other id (lower case, punctuation, non-ASCII, too long) becomes a readable slug,
  a dot and the first 24 hex digits (96 bits) of the SHA-256 of the id's UTF-8 bytes:
  ``USMISSION UNVIE VIENNA//ECON//`` -> ``cables.to.usmission-unvie-vienna-econ.1f0c…``.
  The part after the prefix of a plain topic never contains a dot and that of a hashed
  topic always does, so the two kinds never meet; two hashed topics meet only on a
  SHA-256 prefix collision.

Every topic matches ``[a-z0-9._-]{1,249}``, the legal Kafka charset in lower case.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata

__all__ = ("DEFAULT_TOPIC_PREFIX", "MAX_TOPIC_LENGTH", "topic_for")

DEFAULT_TOPIC_PREFIX = "cables.to."
MAX_TOPIC_LENGTH = 249
_HASH_HEX_DIGITS = 24
_PLAIN_ID = re.compile(r"[A-Z0-9]+(?: [A-Z0-9]+)*")
_LEGAL_PREFIX = re.compile(r"[a-z0-9._-]*")
_NOT_SLUG = re.compile(r"[^a-z0-9]+")
# Longest prefix that still leaves room for ".<hash>" after it.
_MAX_PREFIX_LENGTH = MAX_TOPIC_LENGTH - 1 - _HASH_HEX_DIGITS


def topic_for(addressee_id: str, *, prefix: str = DEFAULT_TOPIC_PREFIX) -> str:
    """Return the Kafka topic for the addressee with canonical id ``addressee_id``.

    Parameters
    ----------
    addressee_id
        Canonical addressee id (any string).
    prefix
        Topic name prefix; must match ``[a-z0-9._-]*`` and be at most 224 characters.

    Returns
    -------
    str
        A legal Kafka topic name of at most 249 characters, distinct for distinct ids.

    Raises
    ------
    ValueError
        If ``prefix`` is not a legal topic prefix.
    """
    if len(prefix) > _MAX_PREFIX_LENGTH or not _LEGAL_PREFIX.fullmatch(prefix):
        raise ValueError(
            f"Expected a topic prefix matching `[a-z0-9._-]{{0,{_MAX_PREFIX_LENGTH}}}`, got {prefix!r}"
        )
    budget = MAX_TOPIC_LENGTH - len(prefix)
    if len(addressee_id) <= budget and _PLAIN_ID.fullmatch(addressee_id):
        return prefix + addressee_id.lower().replace(" ", "-")
    digest = hashlib.sha256(addressee_id.encode("utf-8", "surrogatepass")).hexdigest()
    readable = _slug(addressee_id)[: budget - 1 - _HASH_HEX_DIGITS].strip("-")
    return f"{prefix}{readable}.{digest[:_HASH_HEX_DIGITS]}"


def _slug(text: str) -> str:
    """Lower-case ASCII letters and digits of ``text``, other runs turned into one hyphen."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    return _NOT_SLUG.sub("-", ascii_text.lower()).strip("-")
