"""Mutated corpus cables for the decoder's equivalence tests: seeded and repeatable."""

from __future__ import annotations

import pathlib
import random


def mutants(
    files: list[pathlib.Path],
    pieces: list[bytes],
    count: int,
    seed: int,
    *,
    edits: tuple[int, int] = (1, 4),
    within: int | None = None,
) -> list[bytes]:
    """Corpus cables with a few pieces inserted, bytes deleted, or runs and lines duplicated.

    Parameters
    ----------
    files
        The cables to start from.
    pieces
        Byte strings to insert.
    count
        How many mutants.
    seed
        The random seed.
    edits
        Fewest and most edits per mutant.
    within
        Edit only the first ``within`` bytes (``None``: anywhere).

    Returns
    -------
    list[bytes]
        The mutants.
    """
    rng = random.Random(seed)
    raws = [path.read_bytes() for path in files]
    out = []
    for _ in range(count):
        data = bytearray(rng.choice(raws))
        for _ in range(rng.randint(*edits)):
            pos = rng.randint(0, len(data) if within is None else min(len(data), within))
            op = rng.randrange(4)
            if op == 0:
                del data[pos : pos + rng.randint(1, 12)]
            elif op == 1:
                data[pos:pos] = rng.choice(pieces)
            elif op == 2:
                data[pos:pos] = data[pos : pos + rng.randint(1, 80)]
            else:
                end = data.find(b"\n", pos)
                data[pos:pos] = data[pos:end] if end > pos else b""
        out.append(bytes(data))
    return out
