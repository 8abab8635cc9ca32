"""The native scanner (``services/scan``) reads cables exactly as the Python parsers do.

``decode_telegram`` first hands the raw bytes to the Rust scanner, which answers with the
parts of a clean, standard cable or ``None``. Whatever it accepts must decode to the same
``Cable`` as the line-by-line parsers (the reference reader); these tests also require that
it is installed and current (in CI), that its type stub matches it, and that it still reads
most of the corpus, so a change that quietly sends everything to the Python parsers fails
here rather than only in the benchmark.

With ``CABLEROUTER_NATIVE_SCANNER=0`` (the test command's second, pure-Python run) the
scanner is off and the tests that need it are skipped.
"""

from __future__ import annotations

import ast
import inspect
import os
import pathlib
import random
import re

import pytest

from cablerouter.errors import DecodeError
from cablerouter.telegram import Cable, DecodeLimits, _scan
from cablerouter.telegram.decode import NATIVE_SCANNER_FAILED, decode_with
from cablerouter.telegram.repairs import repair_addressees

from tests.mutants import mutants

pytestmark = pytest.mark.unit

ROOT = pathlib.Path(__file__).resolve().parents[3]
CORPUS = ROOT / "tests" / "corpus"
FILES = [CORPUS / "seed" / "10ASTANA179.txt", *sorted((CORPUS / "cables").glob("*.txt"))]
LIMITS = DecodeLimits()
SCAN = ROOT / "services" / "scan"

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
        return decode_with(raw, LIMITS, native=False)
    except DecodeError as exc:
        return ("error", exc.reason)


def _outcome(raw: bytes, *, native: bool) -> object:
    try:
        return decode_with(raw, LIMITS, native=native)
    except DecodeError as exc:
        return ("error", exc.reason, str(exc), exc.line, exc.excerpt)


def _read_natively(raw: bytes, context: object) -> bool:
    """Whether the scanner reads ``raw``; when it does, its Cable must be the line parsers'."""
    cable = _scan.scan_decode(raw, LIMITS)
    if cable is None:
        return False
    assert repair_addressees(cable) == _python(raw), context  # the decoder repairs every reader's cable
    return True


def _mutants(count: int, seed: int) -> list[bytes]:
    """Corpus cables with a few edits anywhere (the scanner reads the body too)."""
    return mutants(FILES, PIECES, count, seed, edits=(1, 5))


def test_the_native_scanner_is_installed_and_built_from_this_source() -> None:
    if not _scan.INSTALLED:
        if os.environ.get("CI"):
            pytest.fail("cablerouter_scan is not installed: run deploy/setup (needs cargo)")
        pytest.skip("cablerouter_scan is not installed (deploy/setup builds it when cargo is present)")
    import cablerouter_scan

    digest = 0xCBF29CE484222325
    for path in sorted((SCAN / "src").glob("*.rs")):
        for byte in path.name.encode() + b"\0" + path.read_bytes() + b"\0":
            digest = ((digest ^ byte) * 0x100000001B3) % (1 << 64)
    assert cablerouter_scan.source_digest() == f"{digest:016x}", "stale build: re-run deploy/setup"


# Skipped when the scanner is turned off (conftest.py), or not built outside CI.
needs_native = pytest.mark.skipif(
    not _scan.AVAILABLE and (_scan.INSTALLED or not os.environ.get("CI")),
    reason="native scanner turned off (CABLEROUTER_NATIVE_SCANNER=0) or not built",
)
needs_module = pytest.mark.skipif(
    not _scan.INSTALLED and not os.environ.get("CI"), reason="native scanner not built"
)


@needs_module
def test_the_type_stub_declares_what_the_module_holds() -> None:
    import cablerouter_scan

    stub = ast.parse((SCAN / "cablerouter_scan.pyi").read_text())
    declared: dict[str, set[str] | list[str]] = {}
    for node in stub.body:
        if isinstance(node, ast.ClassDef):
            declared[node.name] = {n.name for n in node.body if isinstance(n, ast.FunctionDef)}
        elif isinstance(node, ast.FunctionDef):
            declared[node.name] = [a.arg for a in node.args.args]
    runtime = {name for name in dir(cablerouter_scan) if not name.startswith("_") and name != "cablerouter_scan"}
    assert set(declared) == runtime
    for name, members in declared.items():
        obj = getattr(cablerouter_scan, name)
        if isinstance(members, list):
            assert list(inspect.signature(obj).parameters) == members, name
        elif name != "PanicException":
            fields = {n for n, v in vars(obj).items() if not n.startswith("_") and inspect.isdatadescriptor(v)}
            assert members == fields, name
    assert issubclass(cablerouter_scan.PanicException, BaseException)
    assert not issubclass(cablerouter_scan.PanicException, Exception)


@needs_module
def test_the_stub_and_py_typed_ship_with_the_module() -> None:
    import cablerouter_scan

    package = pathlib.Path(cablerouter_scan.__file__).parent
    assert (package / "py.typed").is_file()
    assert (package / "__init__.pyi").read_text() == (SCAN / "cablerouter_scan.pyi").read_text()


@needs_native
def test_the_result_is_frozen_and_typed() -> None:
    import cablerouter_scan

    scanned = cablerouter_scan.scan(FILES[0].read_bytes(), LIMITS.max_bytes, LIMITS.max_addressees, 200)
    assert isinstance(scanned, cablerouter_scan.ScannedCable)
    assert isinstance(scanned.dtg.time, cablerouter_scan.Timestamp)
    assert (scanned.dtg.time.year, scanned.dtg.time.month, scanned.dtg.time.day) == (2010, 2, 11)
    assert scanned.filing_time is not None and scanned.filing_time.status == "resolved"
    assert [a.plad for a in scanned.to] == ["SECSTATE WASHDC"]
    assert scanned.signer == "SPRATLEN"
    with pytest.raises(AttributeError):
        scanned.signer = "X"  # type: ignore[misc]


def _panic(message: str) -> None:
    """A real panic in the scanner when it is installed (PyO3's PanicException), else the
    stand-in exception type."""
    if _scan.INSTALLED:
        import cablerouter_scan

        cablerouter_scan.raise_panic(message)
    raise _scan.ScannerPanic(message)


@needs_module
def test_a_panic_in_the_scanner_reaches_python_as_panic_exception() -> None:
    import cablerouter_scan

    assert _scan.ScannerPanic is cablerouter_scan.PanicException
    with pytest.raises(cablerouter_scan.PanicException, match="index out of bounds"):
        _panic("index out of bounds")


def test_a_scanner_panic_falls_back_to_the_python_parsers_and_is_recorded(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(_scan, "_scan", lambda *_args: _panic("index out of bounds"))
    raw = FILES[0].read_bytes()
    cable = decode_with(raw, LIMITS, native=True)
    reference = decode_with(raw, LIMITS, native=False)
    assert cable.warnings[0].code == NATIVE_SCANNER_FAILED
    assert "index out of bounds" in (cable.warnings[0].detail or "")
    assert cable.warnings[1:] == reference.warnings
    assert {f: getattr(cable, f) for f in cable.__struct_fields__ if f != "warnings"} == {
        f: getattr(reference, f) for f in reference.__struct_fields__ if f != "warnings"
    }
    # Input the Python parsers refuse is refused as before.
    with pytest.raises(DecodeError):
        decode_with(b"no header here", LIMITS, native=True)


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
        assert repair_addressees(cable) == _python(raw)


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
        words = [rng.choice([*ADDRESS_TOKENS[4:], "39OS", "1ST", "9999"]) for _ in range(rng.randint(1, 4))]
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
            words[at:at] = [rng.choice(INSIDE_TOKENS[:11]), *rng.sample(["EFTO", "SECTION 1 OF 2", "FINAL"], rng.randint(0, 1))]
            words[at + 1 : at + 1] = [rng.choice(["BERN", "TEL AVIV", "ST.", "X-Y", "A"]), rng.choice(["000896", "12", "1234"])]
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
        wrapper = rng.choice([*SKIPPED_LINES, "2007-09-13\t07BERN896\tEmbassy Bern\tUNCLASSIFIED//FOUO\t\tVZCZC\\", "\\"])
        cls = rng.choice(["UNCLAS ASTANA 000179", "UNCLAS ASTANA 000179 \\", "\tUNCLAS ASTANA 000179\\"])
        raw = (head + wrapper + "\n" + cls + "\n" + "\n".join(lines)).encode()
        read += _read_natively(raw, (wrapper, cls))
    assert read > 200


# Pieces inserted around the heading and preamble, where most of the scanner's rules are.
HEADING_PIECES = [
    b"\n", b"\r\n", b" ", b"  ", b"\t", b"/", b"//", b"#", b"(", b",", b"XMT ", b"ZEN/", b"PAGE 02 ", b"TO ",
    b"INFO ", b"FM ", b"DE ", b"BT\n", b"\n\n", b"NIACT ", b" IMMEDIATE", b" 1234", b"AIG 7011", b"0", b"Z",
    b"ZNR UUUUU", b"RR RUEHC", b"O 320828Z FEB 10", b"UNCLAS ", b"SECRET ", b"E.O. 12958", b"TAGS: ",
    b"SUBJECT: ", b"REF: ", b"\xc2\xb6", b"1. ", b"(U) ", b"a", b"\xc2\xa0", b"XMT/", b"TO XMT ",
]  # fmt: skip


@needs_native
@pytest.mark.parametrize("seed", range(4))
def test_mutated_headings_decode_the_same_with_either_reader(seed: int) -> None:
    read = 0
    for number, raw in enumerate(mutants(FILES, HEADING_PIECES, 1500, seed, edits=(1, 4), within=2500)):
        read += _scan.scan_decode(raw, LIMITS) is not None
        assert _outcome(raw, native=True) == _outcome(raw, native=False), f"seed {seed}, mutant {number}: {raw[:300]!r}"
    assert read > 300


HEADING = (
    b"VZCZCXRO1169\nOO RUEHIK\nDE RUEHTA #0179 0420828\nZNR UUUUU ZZH\nO 110828Z FEB 10\n"
    b"FM AMEMBASSY ASTANA\nTO RUEHC/SECSTATE WASHDC IMMEDIATE 7388\n"
)
TEXT = b"\nUNCLAS ASTANA 000179\n\nSUBJECT: X\n\n1. (U) Y\n"


@needs_native
def test_a_plain_cable_is_read_natively() -> None:
    # Otherwise the comparisons below and above could pass with every input refused.
    assert _scan.scan_decode(HEADING + b"INFO RUEKJCS/JOINT STAFF WASHDC//J-3/J-5// PRIORITY 1234\n" + TEXT, LIMITS)
    assert _scan.scan_decode(HEADING + TEXT, LIMITS) is not None


@pytest.mark.parametrize(
    "lines",
    [
        b"INFO RUEKJCS/JOINT STAFF WASHDC//J-3/J-5// PRIORITY 1234\n",
        b"INFO RUEHRC/USDA FAS WASHDC//USD 1440\n",
        b"INFO RUEKJCS/JOINT STAFF WASHDC//J-3  J-5//\n",
        b"INFO RUEHXX/AMEMBASSY X// //\nRUEHYY/AMEMBASSY Y//  \n",
        b"INFO AMEMBASSY KUWAIT NIACT IMMEDIATE\nAMEMBASSY X NIACT\nAMEMBASSY Y XNIACT IMMEDIATE 0001\n",
        b"INFO AIG 7011\nRUEHC/7388\nNIACT IMMEDIATE 1234\nRUEHC/IMMEDIATE\n",
        b"INFO RUEHC/SECSTATE  WASHDC\n",
        b"INFO COLLECTIVE, XMT AMEMBASSY X\n",
        b"TO ZEN//ECJ4-ID//\n",
    ],
)
def test_address_lines_decode_the_same_with_either_reader(lines: bytes) -> None:
    raw = HEADING + lines + TEXT
    assert _outcome(raw, native=True) == _outcome(raw, native=False)


@needs_native
def test_a_zen_line_with_an_office_is_left_to_the_python_parsers() -> None:
    # `ZEN//X//` once read as PLAD `ZEN`, office `X`, but as a ZEN pseudo-route with PLAD
    # `/X` by the Python parsers.
    raw = FILES[0].read_bytes().replace(b"TO RUEHC/SECSTATE WASHDC IMMEDIATE 7388", b"TO ZEN//ECJ4-ID//")
    assert _scan.scan_decode(raw, LIMITS) is None
    assert _outcome(raw, native=True) == _outcome(raw, native=False)


@pytest.mark.parametrize(
    "line",
    [
        b"XMT XMT AMEMBASSY X\n",
        b"INFO XMT AMEMBASSY X\n",
        b"INFO XMT/AMEMBASSY X\n",
        b"TO RUEHC/SECSTATE WASHDC XMT/AMEMBASSY X\n",
        b"INFO RUEHXX/AMEMBASSY X\nXMT/AMEMBASSY Y\n",
        b"INFO RUEHXX/AMEMBASSY X\nRUEHYY/AMEMBASSY Y XMT/Z\n",
        b"INFO XMT\n",
    ],
)
def test_exemption_forms_are_left_to_the_python_parsers(line: bytes) -> None:
    # The Python parsers own the exemption rules (XMT FOO, XMT/FOO): the scanner refuses
    # any addressee text that opens with the word XMT or holds `XMT/`.
    raw = HEADING + line + TEXT
    assert _scan.scan_decode(raw, LIMITS) is None
    assert _outcome(raw, native=True) == _outcome(raw, native=False)


@needs_native
@pytest.mark.parametrize("line", [b"INFO AMEMBASSY XMTX\n", b"INFO RUEHXX/XMTA BASE\n", b"INFO AMEMBASSY MIXMT\n"])
def test_words_that_only_contain_xmt_are_still_read_natively(line: bytes) -> None:
    raw = HEADING + line + TEXT
    assert _scan.scan_decode(raw, LIMITS) == _python(raw)


def test_a_heading_that_starts_at_the_security_line_decodes_the_same_with_either_reader() -> None:
    # FL1-FL3 lost: the ZNR line is the first format line. The Python parsers once took it
    # for a wrapper (text_before_header, no security warning).
    raw = FILES[0].read_bytes().replace(b"VZCZCXRO1169\nOO RUEHIK\nDE RUEHTA #0179 0420828\n", b"")
    python = _outcome(raw, native=False)
    assert isinstance(python, Cable)
    assert python.security is not None and python.security.letters == "UUUUU"
    assert "text_before_header" not in [w.code for w in python.warnings]
    assert _outcome(raw, native=True) == python


FIELD_HEADING = (
    b"VZCZCXRO1169\nOO RUEHIK\nDE RUEHTA #0179 0420828\nZNR UUUUU ZZH\nO 110828Z FEB 10\n"
    b"FM AMEMBASSY ASTANA\nTO RUEHC/SECSTATE WASHDC IMMEDIATE 7388\n\nUNCLAS ASTANA 000179\n\nSIPDIS\n\n"
)


@pytest.mark.parametrize(
    "preamble",
    [
        "E.O. 12958: N/A\nTAGS: PGOV PREL\nSUBJECT: A SUBJECT\nON TWO LINES\n\nREF: (A) STATE 1\n(B) STATE 2\n",
        "E.O. 12958: DECL: 02/11/2020\nTAGS: PGOV, PREL; KZ\nSUBJECT: X\n",
        "E.O. 12958: N/A TAGS: PGOV SUBJECT: RUN TOGETHER\n",
        "TAGS: PGOV SUBJECT: RUN TOGETHER REF: STATE 1\n",
        "SUBJECT: FOO TAGS BAR\n",
        "SUBJECT: THE EO 12958 QUESTION\n",
        "SUBJECT: A E.O. B\nTAGS: EO 12345\n",
        "E.O. 1295: N/A\nTAGS: X\nSUBJECT: Y\n",
        "E.O. 12958\nTAGS:\nSUBJECT: \nREF: NONE\n",
        "E.O. \uff11\uff12\uff19\uff15\uff18: N/A\nSUBJECT: FULL-WIDTH DIGITS\n",
        "E.O. 1\u00b2958: N/A\nSUBJECT: SUPERSCRIPT\n",
        "Tags: pgov\nSubject: lower case\nRef: a. state 1\n",
        "TAGS: [PGOV](#) [KZ](#)\nSUBJECT: LINKS\nREF: A. STATE 1 B. STATE 2 REF C: STATE 3\n",
        "REF: A. STATE 1\n\nB. STATE 2\n\nSUBJECT: AFTER REF\n",
        "TAGS: X\n\nSUBJECT: Y\n\nNOT A PARAGRAPH\n",
    ],
)
def test_preamble_field_lines_decode_the_same_with_either_reader(preamble: str) -> None:
    raw = FIELD_HEADING + preamble.encode() + b"\n1. (U) Body.\n"
    assert _outcome(raw, native=True) == _outcome(raw, native=False)


_XMT_WORD = re.compile(rb"(?<![A-Za-z0-9])[Xx][Mm][Tt](?![A-Za-z0-9])")
XMT_TOKENS = [b"XMT", b"xmt", b"Xmt", b"xMT", b"AXMT", b"XMTA", b"1XMT", b"XMT1", b"_XMT", b"/", b" ", b"-", b"X", b"MT", b"a"]


@needs_native
@pytest.mark.parametrize("seed", range(2))
def test_any_input_with_the_word_xmt_is_left_to_the_python_parsers(seed: int) -> None:
    # Exemptions, wherever they are written, are read by the Python parsers alone: the
    # scanner refuses input that holds the word XMT in any case, when XMT or xmt is also
    # written as such (the rule the decoder once applied in Python before the scan).
    rng = random.Random(seed)
    template = FILES[0].read_bytes()
    anchor = b"Kazakhstan's"
    assert template.count(anchor) >= 1 and _scan.scan_decode(template, LIMITS) is not None
    refused = 0
    for _ in range(3000):
        words = b"".join(rng.choice(XMT_TOKENS) for _ in range(rng.randint(1, 4)))
        raw = template.replace(anchor, anchor + b" " + words + b" ", 1)
        expected = (b"XMT" in raw or b"xmt" in raw) and _XMT_WORD.search(raw) is not None
        cable = _scan.scan_decode(raw, LIMITS)
        assert (cable is None) == expected, words
        if cable is not None:
            assert cable == _python(raw), words
        refused += expected
    assert 300 < refused < 2700
