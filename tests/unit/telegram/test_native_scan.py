"""The native scanner (``services/scan``) reads cables exactly as the Python parsers do.

``decode_telegram`` first hands the raw bytes to the Rust scanner, which answers with the
parts of a clean, standard cable or ``None``. Whatever it accepts must decode to the same
``Cable`` as the line-by-line parsers; these tests also require that it is installed and
current (in CI), and that it still reads most of the corpus, so a change that quietly
sends everything to the slow path fails here rather than only in the benchmark.
"""

from __future__ import annotations

import os
import pathlib
import random

import pytest
from cablerouter.errors import DecodeError
from cablerouter.telegram import DecodeLimits, _scan
from cablerouter.telegram.decode import decode_with

from tests.mutants import mutants

pytestmark = pytest.mark.unit

ROOT = pathlib.Path(__file__).resolve().parents[3]
CORPUS = ROOT / "tests" / "corpus"
FILES = [CORPUS / "seed" / "10ASTANA179.txt", *sorted((CORPUS / "cables").glob("*.txt"))]
LIMITS = DecodeLimits()
SOURCE = ROOT / "services" / "scan" / "src" / "lib.rs"

# Pieces inserted anywhere (the body included): what the scanner's rules turn on.
PIECES = [
    b"\n", b"\r\n", b" ", b"  ", b"\t", b"\x0b", b"\x00", b"\\", b"/", b"//", b"(", b")", b"-", b".", b":",
    b"(U)", b"(SBU)", b"(S/NF)", b"(C//REL)", b"(TS)", b"1. ", b"12.(C) ", b"3.  (S) ", b"\n4. ", b"\n\xc2\xb6",
    b"\xc2\xb6", b"\xe2\x80\x99", b"\xc3\xa9", b"\xc2\xa0", b"\xe2\x80\x83", b"\xff", b"NNNN", b"\nBT\n", b"\n#0179\n",
    b"\n====\n", b"\n<< END OF DOCUMENT >>\n", b" OF 0", b"\nASTANA 00000179  002 OF 003\n", b"PAGE 02 ",
    b"\nTAGS: ", b"TAGS ", b" SUBJECT: ", b"SUBJ:", b"\nREF: ", b"REFS: ", b" REFTEL ", b"E.O. 12958", b"EO 12958",
    b"\n(A) ", b"B. ", b"SIPDIS\n", b"SENSITIVE ", b"\nUNCLAS ", b"UUNCLAS ", b"SECTION 01 OF 02 ", b"EFTO ",
    b"\nThursday, 11 October 2007\n", b"\n174082\n", b"VZCZC", b"\nTO ", b"INFO ", b"XMT ", b"FM ", b"ZNR UUUUU (CCY)",
    b" IMMEDIATE", b" NIACT IMMEDIATE", b" 1234", b"-5678", b"AIG 7011", b"RUEHC/",
]  # fmt: skip


def _python(raw: bytes) -> object:
    try:
        return decode_with(raw, LIMITS, fast=False)
    except DecodeError as exc:
        return ("error", exc.reason)


def _read_natively(raw: bytes, context: object) -> bool:
    """Whether the scanner reads ``raw``; when it does, its Cable must be the line parsers'."""
    cable = _scan.scan_decode(raw, LIMITS)
    if cable is None:
        return False
    assert cable == _python(raw), context
    return True


def _mutants(count: int, seed: int) -> list[bytes]:
    """Corpus cables with a few edits anywhere (the scanner reads the body too)."""
    return mutants(FILES, PIECES, count, seed, edits=(1, 5))


def test_the_native_scanner_is_installed_and_built_from_this_source() -> None:
    if not _scan.AVAILABLE:
        if os.environ.get("CI"):
            pytest.fail("cablerouter_scan is not installed: run deploy/setup (needs cargo)")
        pytest.skip("cablerouter_scan is not installed (deploy/setup builds it when cargo is present)")
    import cablerouter_scan

    digest = 0xCBF29CE484222325
    for byte in SOURCE.read_bytes():
        digest = ((digest ^ byte) * 0x100000001B3) % (1 << 64)
    assert cablerouter_scan.source_digest() == f"{digest:016x}", "stale build: re-run deploy/setup"


needs_native = pytest.mark.skipif(not _scan.AVAILABLE and not os.environ.get("CI"), reason="native scanner not built")


@needs_native
def test_the_scanner_reads_most_of_the_corpus() -> None:
    read = [path.name for path in FILES if _scan.scan_decode(path.read_bytes(), LIMITS) is not None]
    # 149 of 151 when this was written; the rest have an e-mail wrapper, or a classification
    # line run together with the preamble without blanks, which the Python parsers read.
    assert len(read) >= 140, f"only {len(read)} of {len(FILES)} corpus cables read natively"


@needs_native
@pytest.mark.parametrize("path", FILES, ids=lambda p: p.name)
def test_corpus_cables_decode_as_the_python_parsers_decode_them(path: pathlib.Path) -> None:
    raw = path.read_bytes()
    cable = _scan.scan_decode(raw, LIMITS)
    if cable is not None:
        assert cable == _python(raw)


@needs_native
@pytest.mark.parametrize("seed", range(4))
def test_mutated_cables_decode_as_the_python_parsers_decode_them(seed: int) -> None:
    read = 0
    for raw in _mutants(1500, seed):
        read += _read_natively(raw, raw[:200])
    # The mutants must exercise the scanner, not only its refusals.
    assert read > 300


@needs_native
def test_input_the_python_decoder_would_change_is_left_to_it() -> None:
    raw = (FILES[0]).read_bytes()
    assert _scan.scan_decode(raw, LIMITS) is not None
    for changed in (
        raw.replace(b"\n", b"\r\n"),  # CR LF line ends
        raw.replace(b"SIPDIS", b"SIP\x00DIS"),  # control bytes
        raw.replace(b"SIPDIS", b"SIP\xffDIS"),  # invalid UTF-8
        b"\xef\xbb\xbf" + raw,  # byte-order mark
        raw.replace(b"SIPDIS", b"SIP\xc2\xa0DIS"),  # a non-ASCII blank
    ):
        assert _scan.scan_decode(changed, LIMITS) is None
    assert _scan.scan_decode(raw, DecodeLimits(max_bytes=len(raw) - 1)) is None


ADDRESS_TOKENS = [
    "RUEHC/", "RUEHXX/", "QXYZABC/", "RUEH/", "SECSTATE", "WASHDC", "AMEMBASSY", "CIS", "COLLECTIVE", "IMMEDIATE",
    "NIACT", "PRIORITY", "ROUTINE", "FLASH", "1234", "123456", "12345-12346", "123", "1234567", "//", "/", "J-3",
    "EAP/RSP", "AIG", "7011", "PAGE", "(A)", "&", ".", "-", "O'NEIL", "IMMEDIATEX", "XMT", "TO", "INFO", "BT", "ZEN",
]  # fmt: skip


def _address_line(rng: random.Random) -> str:
    if rng.random() < 0.6:
        # The usual shape, with words drawn from the same tokens: [RI/]PLAD[//office//][ PREC][ MCN].
        words = [rng.choice(ADDRESS_TOKENS[4:] + ["39OS", "1ST", "9999"]) for _ in range(rng.randint(1, 4))]
        out = rng.choice(["", "", "RUEHC/", "RHMFIUU/", "QABC/"]) + " ".join(words)
        if rng.random() < 0.4:
            out += "//" + rng.choice(["J-3", "EAP/RSP", "USD", "ECJ4-ID", "A B", "", "X.Y&Z"]) + rng.choice(["//", "", "/"])
        out += rng.choice(["", "", " IMMEDIATE", " NIACT IMMEDIATE", " PRIORITY", " ROUTINE", " FLASH"])
        return out + rng.choice(["", "", " 1234", " 123456", " 1234-5678", " 12"])
    out = ""
    for _ in range(rng.randint(1, 7)):
        out += rng.choice(ADDRESS_TOKENS) + rng.choice(["", " ", " ", " ", "  "])
    return out.strip(" ") if rng.random() < 0.9 else out


@needs_native
@pytest.mark.parametrize("seed", range(3))
def test_generated_address_lines_decode_as_the_python_parsers_decode_them(seed: int) -> None:
    rng = random.Random(seed)
    template = FILES[0].read_bytes().decode()
    line = "TO RUEHC/SECSTATE WASHDC IMMEDIATE 7388\n"
    assert line in template
    read = 0
    for _ in range(2000):
        block = "TO " + _address_line(rng) + "\n" + "".join(_address_line(rng) + "\n" for _ in range(rng.randint(0, 2)))
        if rng.random() < 0.2:  # page-break lines, alone or after a keyword
            page = rng.choice(["PAGE 02 RUEHTA 0179", "INFO PAGE 02        STATE   050524  131535Z", "PAGE 1234 X"])
            block += page + "\n" + _address_line(rng) + "\n"
        fm = "FM " + _address_line(rng) + "\n" if rng.random() < 0.3 else "FM AMEMBASSY ASTANA\n"
        raw = template.replace(line, block).replace("FM AMEMBASSY ASTANA\n", fm).encode()
        read += _read_natively(raw, block)
    assert read > 200


CAPTION_TOKENS = [
    "SENSITIVE", "SIPDIS", "NOFORN", "EXDIS", "LIMDIS", "EYES ONLY", "SBU", "FOUO", "NOFORN/REL", "sipdis", "PASS",
    "STATE", "FOR", "EAP/RSP", ",", ".", ";", "SENSITIVE BUT UNCLASSIFIED", "CODEL", "X",
]  # fmt: skip
TAG_TOKENS = ["PGOV", "[PGOV](#)", "[MNUC](http://x)", "KZ,", "RS;", ".", ":", "[", "](", ")", "[A] (B)", "pgov", "E.O."]
SIGNER_LINES = [
    "SPRATLEN", "Spratlen", "End Text. AGUIRRE", "BEYRLE.", "O'NEIL-SMITH JR", "A B C D", "COMMENT", "END TEXT",
    "SIPDIS", "\\\\", "HOAGLAND \\\\", "1234", "See para 4. MILLER", "Thanks. ok", "X" * 41, "NNNN", "BT",
]  # fmt: skip


def _variant(rng: random.Random, template: str) -> str:
    day, hour, minute = rng.randint(0, 32), rng.randint(0, 25), rng.choice([0, 28, 59, 60])
    month = rng.choice(["JAN", "FEB", "MAR", "JUN", "DEC", "XYZ"])
    year = rng.choice(["10", "08", "99", "49", "50", "2009", "2000", "1900"])
    dtg = f"O {day:02d}{hour:02d}{minute:02d}Z {month} {year}"
    if rng.random() < 0.5:
        filing = f"{rng.randint(0, 367):03d}{rng.randint(0, 24):02d}{rng.choice([0, 28, 59, 60]):02d}"
    else:
        filing = f"{rng.randint(0, 32):02d}/{rng.randint(0, 24):02d}{rng.choice([0, 28, 60]):02d}Z"
    captions = "\n".join(
        " ".join(rng.choice(CAPTION_TOKENS) for _ in range(rng.randint(1, 4))) for _ in range(rng.randint(1, 3))
    )
    tags = " ".join(rng.choice(TAG_TOKENS) for _ in range(rng.randint(1, 5)))
    text = (
        template.replace("O 110828Z FEB 10", dtg)
        .replace("0420828", filing)
        .replace("SENSITIVE\nSIPDIS", captions)
        .replace("[PGOV](#) [MNUC](#) [KNNP](#) [RS](#) [KZ](#)", tags)
    )
    return text.rstrip("\n").rsplit("\n", 1)[0] + "\n" + rng.choice(SIGNER_LINES) + "\n"


@needs_native
@pytest.mark.parametrize("seed", range(3))
def test_dates_captions_tags_and_signers_decode_as_the_python_parsers_decode_them(seed: int) -> None:
    rng = random.Random(seed)
    template = FILES[0].read_bytes().decode()
    for marker in ("O 110828Z FEB 10", "0420828", "SENSITIVE\nSIPDIS", "[PGOV](#) [MNUC](#)", "\nSPRATLEN"):
        assert marker in template
    read = 0
    for _ in range(1500):
        raw = _variant(rng, template).encode()
        read += _read_natively(raw, raw[:400])
    assert read > 500


SKIPPED_LINES = [
    "Thursday, 11 October 2007, 13:48", "174082", "id: 144459", "2008-10-17 01:28:00", "08MONTERREY468",
    "UNCLASSIFIED//FOR OFFICIAL USE ONLY", "UNCLASSIFIED", "UNCLAS EFTO", "S E C R E T", "C O N F I D E N T I A L//X",
    "SECRET SECTION 01 OF 02", "CONFIDENTIAL NOFORN", "Consulate Monterrey", "VZCZCXRO7623", "zczc", "1. (U) Text",
    "12.5 percent", "PAGE 02 RUEHTA", "TO RUEHC/SECSTATE", "INFO X", "RUEHC/SECSTATE WASHDC", "A OF 0001",
    "US EMBASSY", "UNCLAS ASTANA 000179", "TOP SECRET//X", "'QUOTED'", "R 170128Z OCT 08", "\xb6 1. X", "X \\",
    "SECRET\\", "NOT UNCLASSIFIED 123", "RESTRICTED", "LIMITED OFFICIAL USE ONLY",
]  # fmt: skip


@needs_native
@pytest.mark.parametrize("seed", range(3))
def test_lines_before_the_classification_line_decode_as_the_python_parsers_decode_them(seed: int) -> None:
    rng = random.Random(seed)
    template = FILES[0].read_bytes().decode()
    anchor = "RHMFIUU/CDR USCENTCOM MACDILL AFB FL\n\n"
    assert anchor in template
    read = 0
    for _ in range(1500):
        lines = [rng.choice(SKIPPED_LINES) for _ in range(rng.randint(1, 4))]
        gap = "".join(line + rng.choice(["\n", "\n\n", " \n"]) for line in lines)
        raw = template.replace(anchor, anchor + gap).encode()
        read += _read_natively(raw, gap)
    assert read > 100


CLASSIFICATION_TOKENS = [
    "UNCLAS", "UUNCLAS", "UNCLASSIFIED", "UUNCLASSIFIED", "CONFIDENTIAL", "C O N F I D E N T I A L", "SECRET",
    "TOP SECRET", "T O P S E C R E T", "S E C R E T", "LIMITED OFFICIAL USE", "EFTO", "E F T O", "EFTOX", "E",
    "SECTION 01 OF 02", "SECTION 1 OF 3", "SECTION 1234 OF 2", "FINAL SECTION 2 OF 2", "SECTION", "ASTANA", "TEL",
    "AVIV", "ST.", "O'HARE", "SAO", "PAULO", "X-Y", "000179", "12", "1234567", "12345678", "sipdis", "//", "SIPDIS",
]  # fmt: skip


CLASSIFICATION_TAILS = [
    "SIPDIS", "PARIS PASS USOECD", "E.O. 12958: N/A", "TAGS: OECD ECON EN", "SUBJECT: A B", "REF: A. X 12",
    "sipdis", "Subj: x", "REFTEL", "TAGS", "E.O.12958", "SENSITIVE", "\u00b6", "12", "//",
]  # fmt: skip


@needs_native
@pytest.mark.parametrize("seed", range(3))
def test_classification_lines_decode_as_the_python_parsers_decode_them(seed: int) -> None:
    rng = random.Random(seed)
    template = FILES[0].read_bytes().decode()
    assert "\nUNCLAS ASTANA 000179\n" in template
    read = 0
    for _ in range(1500):
        if rng.random() < 0.7:
            # The usual shape: marking [EFTO] [SECTION n OF m] origin serial, from the same tokens.
            parts = [rng.choice(CLASSIFICATION_TOKENS[:11])]
            parts += [rng.choice(["EFTO", "E F T O", "EFTOX"])] if rng.random() < 0.2 else []
            parts += [rng.choice(CLASSIFICATION_TOKENS[15:20])] if rng.random() < 0.3 else []
            parts += [rng.choice(CLASSIFICATION_TOKENS[20:]) for _ in range(rng.randint(1, 5))]
            parts += [rng.choice(["000179", "179", "12", "1234567", "12345678"])]
            if rng.random() < 0.4:  # reflowed copies run the preamble on
                parts += rng.sample(CLASSIFICATION_TAILS, rng.randint(1, 3))
            line = " ".join(parts)
        else:
            line = " ".join(rng.choice(CLASSIFICATION_TOKENS) for _ in range(rng.randint(2, 6)))
        raw = template.replace("\nUNCLAS ASTANA 000179\n", f"\n{line}{rng.choice(['', ' ', '  '])}\n").encode()
        read += _read_natively(raw, line)
    assert read > 100


SECURITY_LETTERS = ["UUUUU", "EEEEE", "CCCCC", "TTTTT", "UUUAA", "XXXXX", "UUUU", "UUUUUU", "UUUUU/AAAAA", "UUUUU/AAAA"]
OPERATING_SIGNALS = ["ZZH", "(CCY TEXT ADX: 2BE005 MSI7470 600)", "(CCY", "ZFR", "X)", "(A)(B)", "a", "()", "#", "ZDK"]


@needs_native
@pytest.mark.parametrize("seed", range(3))
def test_security_lines_decode_as_the_python_parsers_decode_them(seed: int) -> None:
    rng = random.Random(seed)
    template = FILES[0].read_bytes().decode()
    assert "\nZNR UUUUU ZZH\n" in template
    read = 0
    for _ in range(1000):
        ops = " ".join(rng.choice(OPERATING_SIGNALS) for _ in range(rng.randint(0, 3)))
        line = f"{rng.choice(['ZNR', 'ZNY', 'ZNX'])} {rng.choice(SECURITY_LETTERS)} {ops}".rstrip()
        raw = template.replace("\nZNR UUUUU ZZH\n", f"\n{line}\n").encode()
        read += _read_natively(raw, line)
    assert read > 300


DISTRIBUTION_LINES = [
    "INFO  LOG-00   EEB-00   AMAD-00  INL-00", "ACTION EUR-00", "      EUR-00   FAAE-00  R-00     ", "FA-00      /001W",
    "------------------5A9C83  271329Z /38", "-----5A9C83 271329Z", "----5A9C8312 271329Z", "---5A9C 271329Z",
    "INFO LOG-001", "INFO A1-00 /001", "INFO X", "A1-00 B-12", "OO-00", "R-00 X-00", "Date: Mon, 27 Apr 2009",
    "/001W", "info log-00", "ACTION  EUR-00 /002X EAP-00", "", "   ", "ZNX-00", "DE-00",
    # e-mail and archive wrappers (text_before_header)
    "From: Diana T Fritz", "null", "-----Original Message-----", "Cable Text:", "TELEGRAM June 03, 2003",
    "SUBJECT: X", "O'NEIL", "ZZZ", "PAGE 2",
]  # fmt: skip


@needs_native
@pytest.mark.parametrize("seed", range(3))
def test_distribution_blocks_and_wrappers_decode_as_the_python_parsers_decode_them(seed: int) -> None:
    rng = random.Random(seed)
    template = FILES[0].read_bytes().decode()
    heading = rng.choice(["VZCZCXRO1169\n", "", "VZCZCXRO1169\nOO RUEHIK\nDE RUEHTA #0179 0420828\n"])
    read = 0
    for _ in range(1500):
        block = "".join(rng.choice(DISTRIBUTION_LINES) + "\n" for _ in range(rng.randint(1, 6)))
        text = template.replace("VZCZCXRO1169\nOO RUEHIK\nDE RUEHTA #0179 0420828\n", heading, 1)
        raw = (block + text.lstrip("\n")).encode()
        read += _read_natively(raw, block)
    assert read > 200


INSIDE_TOKENS = [
    "UNCLAS", "UUNCLAS", "UNCLASSIFIED", "CONFIDENTIAL", "C O N F I D E N T I A L", "SECRET", "TOP", "T O P S E C R E T",
    "S E C R E T", "LIMITED OFFICIAL USE", "RESTRICTED", "EFTO", "E F T O", "FINAL", "SECTION", "1", "01", "OF", "02",
    "1234", "BERN", "TEL AVIV", "ST.", "O'HARE", "X-Y", "000896", "12", "12345678", "//FOR", "2007-09-13", "07BERN896",
    "A", "XUNCLAS", "/", ".", "-",
]  # fmt: skip


@needs_native
@pytest.mark.parametrize("seed", range(2))
def test_the_inside_marking_search_matches_the_pattern(seed: int) -> None:
    import cablerouter_scan
    from cablerouter.telegram._classification import CLASSIFICATION_INSIDE

    rng = random.Random(seed)
    found = 0
    for _ in range(20_000):
        words = [rng.choice(INSIDE_TOKENS) for _ in range(rng.randint(1, 8))]
        if rng.random() < 0.5:
            # A marking, optional parts, origin words and a number somewhere in the line.
            at = rng.randint(0, len(words))
            words[at:at] = [rng.choice(INSIDE_TOKENS[:11])] + rng.sample(["EFTO", "SECTION 1 OF 2", "FINAL"], rng.randint(0, 1))
            words[at + 1 : at + 1] = [rng.choice(["BERN", "TEL AVIV", "ST.", "X-Y", "A"])] + [rng.choice(["000896", "12", "1234"])]
        u = rng.choice(["", " ", " ", " "]).join(words)
        expected = CLASSIFICATION_INSIDE.search(u) is not None
        assert cablerouter_scan.classification_inside_line(u.encode()) == expected, u
        found += expected
    assert found > 2_000


@needs_native
@pytest.mark.parametrize("seed", range(3))
def test_archive_copies_with_back_slashes_decode_as_the_python_parsers_decode_them(seed: int) -> None:
    rng = random.Random(seed)
    template = FILES[0].read_bytes().decode()
    head, _sep, text = template.partition("UNCLAS ASTANA 000179\n")
    read = 0
    for _ in range(800):
        lines = text.split("\n")
        for k in rng.sample(range(len(lines)), rng.randint(1, 12)):
            lines[k] += rng.choice(["\\", " \\", "\\\\", " \\ ", "\t\\"])
        wrapper = rng.choice(SKIPPED_LINES + ["2007-09-13\t07BERN896\tEmbassy Bern\tUNCLASSIFIED//FOUO\t\tVZCZC\\", "\\"])
        cls = rng.choice(["UNCLAS ASTANA 000179", "UNCLAS ASTANA 000179 \\", "\tUNCLAS ASTANA 000179\\"])
        raw = (head + wrapper + "\n" + cls + "\n" + "\n".join(lines)).encode()
        read += _read_natively(raw, (wrapper, cls))
    assert read > 200
