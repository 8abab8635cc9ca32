"""Damaged and unusual input: every DecodeError message pinned, and survivable damage."""

from __future__ import annotations

import ast
import datetime as dt
import pathlib

import pytest

from cablerouter.errors import DecodeError
from cablerouter.telegram import DecodeLimits, decode_telegram
from cablerouter.telegram.decode import REASONS

pytestmark = pytest.mark.unit

ROOT = pathlib.Path(__file__).resolve().parents[3]
SEED = (ROOT / "tests" / "corpus" / "seed" / "10ASTANA179.txt").read_bytes()
PACKAGE = ROOT / "services" / "cablerouter" / "telegram"

HEADER_ONLY = b"""VZCZCXRO1169
OO RUEHIK
DE RUEHTA #0179 0420828
ZNR UUUUU ZZH
O 110828Z FEB 10
FM AMEMBASSY ASTANA
TO RUEHC/SECSTATE WASHDC IMMEDIATE 7388
"""


def codes(raw: bytes) -> list[str]:
    return [w.code for w in decode_telegram(raw).warnings]


# --- every DecodeError, message pinned -------------------------------------------------


def test_empty_input() -> None:
    with pytest.raises(DecodeError, match=r"^Expected a telegram, got 0 bytes$") as info:
        decode_telegram(b"")
    assert info.value.reason == "empty_input"


def test_white_space_only_is_empty() -> None:
    with pytest.raises(DecodeError, match=r"^Expected a telegram, got only white space \(5 bytes\)$") as info:
        decode_telegram(b" \r\n\t\n")
    assert info.value.reason == "empty_input"


def test_oversized_input() -> None:
    with pytest.raises(
        DecodeError, match=rf"^Expected at most 100 bytes \(DecodeLimits.max_bytes\), got {len(SEED)}$"
    ) as info:
        decode_telegram(SEED, limits=DecodeLimits(max_bytes=100))
    assert info.value.reason == "oversized_input"
    assert decode_telegram(SEED, limits=DecodeLimits(max_bytes=len(SEED))).id == "10ASTANA179"


def test_binary_input_by_control_bytes() -> None:
    with pytest.raises(
        DecodeError, match=r"^Expected text, got binary data \(500 of 1000 bytes are control bytes\)$"
    ) as info:
        decode_telegram(b"\x00\x01\x02\x03\x04\xff" * 100 + b"A" * 400)
    assert info.value.reason == "binary_input"
    assert info.value.excerpt is not None and info.value.excerpt.startswith("?????")


def test_binary_input_by_invalid_utf8() -> None:
    with pytest.raises(
        DecodeError, match=r"^Expected text, got binary data \(200 of 300 characters are not UTF-8\)$"
    ) as info:
        decode_telegram(b"\xff\xfe" * 100 + b"X" * 100)
    assert info.value.reason == "binary_input"


def test_utf16_text_is_binary() -> None:
    with pytest.raises(DecodeError) as info:
        decode_telegram(SEED.decode().encode("utf-16"))
    assert info.value.reason == "binary_input"


def test_text_only_has_no_addressees() -> None:
    text = SEED.split(b"UNCLAS ASTANA 000179", 1)[1]
    with pytest.raises(
        DecodeError,
        match=r"^Expected a telegram header \(VZCZC, DE, DTG or FM line\) with TO/INFO addressees, "
        r"got text only - at line 1$",
    ) as info:
        decode_telegram(text)
    assert info.value.reason == "no_addressees"


def test_header_without_addressees() -> None:
    raw = HEADER_ONLY.replace(b"TO RUEHC/SECSTATE WASHDC IMMEDIATE 7388\n", b"\nUNCLAS ASTANA 000179\n")
    with pytest.raises(DecodeError, match=r"^Expected a TO or INFO addressee line, got none - at line 8$") as info:
        decode_telegram(raw)
    assert info.value.reason == "no_addressees"
    assert info.value.excerpt == "VZCZCXRO1169"
    assert info.value.line == 8  # where the text starts


def test_too_many_addressees() -> None:
    with pytest.raises(
        DecodeError,
        match=r"^Expected at most 10 addressees \(DecodeLimits.max_addressees\), got more in the INFO block "
        r"- at line 19$",
    ) as info:
        decode_telegram(SEED, limits=DecodeLimits(max_addressees=10))
    assert info.value.reason == "too_many_addressees"


@pytest.mark.parametrize(
    "dtg",
    [b"O 320828Z FEB 10", b"O 112460Z FEB 10", b"O 110828Z FOO 10", b"O 110828Z FEB", b"O 1108Z FEB 10",
     b"O 300828Z FEB 10"],
)  # fmt: skip
def test_bad_dtg(dtg: bytes) -> None:
    raw = SEED.replace(b"O 110828Z FEB 10", dtg)
    shown = dtg.decode()
    with pytest.raises(DecodeError, match=rf"^Expected DTG `P DDHHMMZ MON YY`, got `{shown}` - at line 7$") as info:
        decode_telegram(raw)
    assert info.value.reason == "bad_dtg"
    assert info.value.line == 7


def test_reason_codes_are_documented() -> None:
    doc = (PACKAGE / "decode.py").read_text()
    for reason in REASONS:
        assert f"``{reason}``" in doc
    assert set(REASONS) == {
        "empty_input", "oversized_input", "binary_input", "no_addressees", "too_many_addressees", "bad_dtg",
    }  # fmt: skip


def test_warning_codes_are_documented() -> None:
    doc = (PACKAGE / "decode.py").read_text()
    emitted = set()
    for path in PACKAGE.glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.keyword) and node.arg == "code" and isinstance(node.value, ast.Constant):
                emitted.add(node.value.value)
    assert emitted, "warning codes are passed as code=..."
    assert sorted(c for c in emitted if f"``{c}``" not in doc) == []


# --- survivable damage -----------------------------------------------------------------


def test_line_end_variants_decode_the_same() -> None:
    plain = decode_telegram(SEED)
    for newline in (b"\r\n", b"\r\r\n", b"\r"):
        other = decode_telegram(SEED.replace(b"\n", newline))
        assert other.to == plain.to and other.info == plain.info
        assert (other.subject, other.tags, other.refs, other.signer) == (plain.subject, plain.tags, plain.refs, plain.signer)
        assert other.warnings == []


def test_tabs_trailing_blanks_and_lower_case() -> None:
    raw = SEED.replace(b"FM AMEMBASSY ASTANA", b"fm\tamembassy   astana  ")
    raw = raw.replace(b"RUEHBJ/AMEMBASSY BEIJING 1801", b"ruehbj/amembassy\tbeijing 1801 \t")
    cable = decode_telegram(raw)
    assert cable.originator is not None and cable.originator.plad == "AMEMBASSY ASTANA"
    beijing = cable.info[3]
    assert (beijing.ri, beijing.plad, beijing.mcn, beijing.line) == ("RUEHBJ", "AMEMBASSY BEIJING", "1801", 13)
    assert [(w.code, w.line) for w in cable.warnings] == [("lower_case_header", 8)]


def test_invalid_utf8_is_replaced_and_flagged() -> None:
    raw = SEED.replace(b"Sadykov used", b"Sadykov \xff\xfe used")
    cable = decode_telegram(raw)
    assert "Sadykov \ufffd\ufffd used" in cable.body
    assert [w.code for w in cable.warnings] == ["invalid_utf8"]
    assert "2 invalid UTF-8 sequences" in cable.warnings[0].detail


def test_control_characters_are_removed_and_flagged() -> None:
    raw = SEED.replace(b"DE RUEHTA", b"DE\x07 RUEHTA").replace(b"SPRATLEN", b"SPRAT\x00LEN\x7f")
    cable = decode_telegram(raw)
    assert cable.origin is not None and cable.origin.ri == "RUEHTA"
    assert cable.signer == "SPRATLEN"
    assert [(w.code, w.detail) for w in cable.warnings] == [("control_characters", "removed 3 control characters")]


def test_form_feed_is_a_line_end() -> None:
    cable = decode_telegram(SEED.replace(b"\nFM AMEMBASSY", b"\x0cFM AMEMBASSY"))
    assert cable.originator is not None and cable.originator.plad == "AMEMBASSY ASTANA"


def test_byte_order_mark() -> None:
    assert decode_telegram(b"\xef\xbb\xbf" + SEED).id == "10ASTANA179"


def test_header_only() -> None:
    cable = decode_telegram(HEADER_ONLY)
    assert [a.plad for a in cable.to] == ["SECSTATE WASHDC"]
    assert cable.id is None and cable.classification is None and cable.body == ""
    assert [w.code for w in cable.warnings] == ["no_text"]


def test_no_dtg_and_no_fm_are_warnings() -> None:
    raw = HEADER_ONLY.replace(b"O 110828Z FEB 10\n", b"").replace(b"FM AMEMBASSY ASTANA\n", b"")
    cable = decode_telegram(raw)
    assert cable.precedence == "IMMEDIATE"  # from the FL2 prosign
    assert cable.dtg is None and cable.origin is not None and cable.origin.filing_time is None
    assert [w.code for w in cable.warnings] == ["missing_dtg", "missing_originator", "no_text"]


def test_unparsed_addressee_line_is_a_warning() -> None:
    raw = SEED.replace(b"RUEAIIA/CIA WASHDC\n", b"RUEAIIA/CIA WASHDC\n1234\n")
    cable = decode_telegram(raw)
    assert len(cable.info) == 15
    assert [(w.code, w.line) for w in cable.warnings] == [("unparsed_addressee_line", 20)]


def test_four_digit_year_calendar_filing_time_and_inline_xmt() -> None:
    raw = (
        b"DE RUEHTA #0179A/02 10/0828Z\nR 110828Z FEB 2010 ZEX\nFM AMEMBASSY ASTANA\n"
        b"TO RUCNCIS/CIS COLLECTIVE, XMT AMEMBASSY MINSK\nZEN/CHMN EMCCC PARIS //J3// PRIORITY 4778-4781\n"
    )
    cable = decode_telegram(raw)
    assert cable.dtg == dt.datetime(2010, 2, 11, 8, 28, tzinfo=dt.UTC)
    assert cable.dtg_opsigs == ["ZEX"]
    assert cable.origin is not None
    assert (cable.origin.ssn, cable.origin.section) == ("0179A", 2)
    assert cable.origin.filing_time == dt.datetime(2010, 2, 10, 8, 28, tzinfo=dt.UTC)
    assert [(a.ri, a.plad, a.line) for a in cable.to] == [
        ("RUCNCIS", "CIS COLLECTIVE", 4),
        (None, "CHMN EMCCC PARIS", 5),
    ]
    zen = cable.to[1]
    assert (zen.zen, zen.office, zen.precedence, zen.mcn) == (True, "J3", "PRIORITY", "4778-4781")
    assert [(a.plad, a.line) for a in cable.xmt] == [("AMEMBASSY MINSK", 4)]


def test_letter_spaced_confidential_with_sections() -> None:
    raw = HEADER_ONLY + b"\nC O N F I D E N T I A L SECTION 02 OF 03 ASTANA 000179\n\nNOFORN\n\nE.O. 12958: DECL: 02/11/2020\n"
    cable = decode_telegram(raw)
    assert cable.classification is not None
    assert (cable.classification.marking, cable.classification.section, cable.classification.sections) == (
        "CONFIDENTIAL", 2, 3,
    )
    assert cable.captions == ["NOFORN"]
    assert cable.declassify_on == dt.date(2020, 2, 11)


def test_bad_declassification_date_is_a_warning() -> None:
    raw = HEADER_ONLY + b"\nSECRET ASTANA 000179\nE.O. 12958: DECL: 13/45/2020\nTAGS: PREL\n"
    cable = decode_telegram(raw)
    assert cable.declassify_on is None
    assert [w.code for w in cable.warnings] == ["bad_declassification_date"]


# --- purity ----------------------------------------------------------------------------

FORBIDDEN = {"os", "logging", "asyncio", "faust", "aiokafka", "prometheus_client", "sys", "io", "pathlib"}


@pytest.mark.parametrize("path", sorted(PACKAGE.glob("*.py")), ids=lambda p: p.name)
def test_telegram_modules_import_only_stdlib_msgspec_and_own(path: pathlib.Path) -> None:
    tree = ast.parse(path.read_text())
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            names = [node.module or ""]
        else:
            continue
        for name in names:
            top = name.split(".")[0]
            assert top not in FORBIDDEN, f"{path.name} imports {name}"
            if top == "cablerouter":
                assert name == "cablerouter.errors" or name.startswith("cablerouter.telegram"), name
    assert len(path.read_text().splitlines()) <= 400
