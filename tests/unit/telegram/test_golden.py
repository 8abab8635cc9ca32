"""Golden tests: the seed cable and corpus cables chosen for their quirks.

Every expected value below was written by reading the cable file itself (line numbers
counted in the file), not copied from the decoder's output.
"""

from __future__ import annotations

import datetime as dt
import pathlib

import pytest

from cablerouter.telegram import Addressee, Cable, decode_telegram

pytestmark = pytest.mark.unit

CORPUS = pathlib.Path(__file__).resolve().parents[2] / "corpus"
UTC = dt.UTC


def decode(name: str) -> Cable:
    path = CORPUS / "seed" / f"{name}.txt"
    if not path.exists():
        path = CORPUS / "cables" / f"{name}.txt"
    return decode_telegram(path.read_bytes())


def rows(addressees: list[Addressee]) -> list[tuple]:
    """(line, ri, plad, precedence, mcn, office) for each addressee."""
    return [(a.line, a.ri, a.plad, a.precedence, a.mcn, a.office) for a in addressees]


def codes(cable: Cable) -> list[str]:
    return [w.code for w in cable.warnings]


def test_seed_10astana179() -> None:
    c = decode("10ASTANA179")
    assert c.id == "10ASTANA179"
    assert c.transmission is not None
    assert (c.transmission.raw, c.transmission.channel, c.transmission.serial) == ("VZCZCXRO1169", "XRO", "1169")
    assert c.routing is not None
    assert (c.routing.prosign, c.routing.precedence, c.routing.ris) == ("OO", "IMMEDIATE", ["RUEHIK"])
    assert c.origin is not None
    assert (c.origin.ri, c.origin.ssn, c.origin.section) == ("RUEHTA", "0179", None)
    assert c.origin.filing_time_raw == "0420828"
    # Julian day 042 of 2010 is 11 February.
    assert c.origin.filing_time == dt.datetime(2010, 2, 11, 8, 28, tzinfo=UTC)
    assert c.security is not None
    assert (c.security.signal, c.security.letters, c.security.classification) == ("ZNR", "UUUUU", "UNCLASSIFIED")
    assert c.security.opsigs == ["ZZH"]
    assert (c.precedence, c.info_precedence) == ("IMMEDIATE", "IMMEDIATE")
    assert c.dtg == dt.datetime(2010, 2, 11, 8, 28, tzinfo=UTC)
    assert c.dtg_raw == "110828Z FEB 10"
    assert c.dtg_opsigs == []
    assert c.originator is not None
    assert (c.originator.ri, c.originator.plad, c.originator.line) == (None, "AMEMBASSY ASTANA", 8)
    assert rows(c.to) == [(9, "RUEHC", "SECSTATE WASHDC", "IMMEDIATE", "7388", None)]
    assert rows(c.info) == [
        (10, "RUCNCIS", "CIS COLLECTIVE", None, "2441", None),
        (11, "RUCNCLS", "ALL SOUTH AND CENTRAL ASIA COLLECTIVE", None, None, None),
        (12, "RUEHZL", "EUROPEAN POLITICAL COLLECTIVE", None, None, None),
        (13, "RUEHBJ", "AMEMBASSY BEIJING", None, "1801", None),
        (14, "RUEHKO", "AMEMBASSY TOKYO", None, "2507", None),
        (15, "RUEHUL", "AMEMBASSY SEOUL", None, "1417", None),
        (16, "RUCNDT", "USMISSION USUN NEW YORK", None, "2696", None),
        (17, "RUEHNO", "USMISSION USNATO", None, "2986", None),
        (18, "RHMFISS", "DEPT OF ENERGY WASHINGTON DC", None, None, None),
        (19, "RUEAIIA", "CIA WASHDC", None, None, None),
        (20, "RHEFAAA", "DIA WASHDC", None, None, None),
        (21, "RHEHNSC", "NSC WASHDC", None, "1998", None),
        (22, "RUEKJCS", "SECDEF WASHDC", None, "1846", None),
        (23, "RUEKJCS", "JOINT STAFF WASHDC", None, None, None),
        (24, "RHMFIUU", "CDR USCENTCOM MACDILL AFB FL", None, None, None),
    ]
    assert c.xmt == []
    assert c.info[0].raw == "RUCNCIS/CIS COLLECTIVE 2441"
    assert c.classification is not None
    cl = c.classification
    assert (cl.marking, cl.section, cl.sections, cl.origin, cl.serial, cl.line) == (
        "UNCLAS", None, None, "ASTANA", "000179", 26,
    )
    assert c.captions == ["SENSITIVE", "SIPDIS"]
    assert c.instructions == ["STATE FOR SCA/CEN, ISN/WMDT"]
    assert c.eo == "12958: N/A"
    assert c.declassify_on is None
    assert c.tags == ["PGOV", "MNUC", "KNNP", "RS", "KZ"]
    assert c.subject == "KAZAKHSTAN URGES U.S. SUPPORT FOR GLOBAL INITIATIVE CONFERENCE"
    assert c.refs == ["ASTANA 0037", "08 ASTANA 1541"]
    assert c.signer == "SPRATLEN"
    assert c.paragraph_marks == ["U", "SBU"]
    assert c.body_line == 43
    assert c.body.startswith("1. (U) Sensitive but unclassified. Not for public Internet.")
    assert c.body.endswith("in the spirit of our strategic partnership.\"\n\n16. (SBU) ACTION REQUEST: Post would appreciate "
                           "the Department's expeditious response to Kazakhstan's proposal of hosting a GICNT conference "
                           "in Astana on April 7. We would also appreciate guidance on responding to Sadykov's request "
                           "concerning the MTCR.\n\nSPRATLEN")
    assert c.warnings == []
    assert c.size == len((CORPUS / "seed" / "10ASTANA179.txt").read_bytes())


def test_09berlin485_state_distribution_block_and_trace_line() -> None:
    c = decode("09BERLIN485")
    assert c.transmission is None and c.routing is None and c.origin is None and c.security is None
    assert c.distribution is not None
    assert c.distribution.line == 1
    assert c.distribution.info[:3] == ["LOG-00", "EEB-00", "AMAD-00"]
    assert c.distribution.info[-1] == "FA-00"
    assert "LAB-01" in c.distribution.info
    assert len(c.distribution.info) == 36  # 7 + 7 + 7 + 7 + 7 + 1 codes on lines 1-6
    assert c.distribution.total == "/001W"
    assert c.distribution.traces == ["------------------5A9C83 271329Z /38"]
    assert (c.precedence, c.dtg) == ("ROUTINE", dt.datetime(2009, 4, 27, 13, 11, tzinfo=UTC))
    assert c.originator is not None and c.originator.plad == "AMEMBASSY BERLIN"
    assert rows(c.to) == [(11, None, "SECSTATE WASHDC", None, "3926", None)]
    assert rows(c.info) == [
        (12, None, "WHITE HOUSE WASHINGTON DC", None, None, None),
        (13, None, "SECDEF WASHINGTON DC", None, None, None),
        (14, None, "DIA WASHINGTON DC", None, None, None),
        (15, None, "CIA WASHINGTON DC", None, None, None),
        (16, None, "DEPT OF TREASURY WASHINGTON DC", None, None, None),
        (17, None, "FRG COLLECTIVE", None, None, None),
        (18, None, "AMEMBASSY BRUSSELS", None, None, None),
        (19, None, "AMEMBASSY LONDON", None, None, None),
        (20, None, "AMEMBASSY PARIS", None, None, None),
        (21, None, "AMEMBASSY ROME", None, None, None),
        (22, None, "USMISSION USNATO", None, None, None),
        (23, None, "USMISSION USOSCE", None, None, None),
        (24, None, "HQ USAFE RAMSTEIN AB GE", None, None, None),
        (25, None, "HQ USEUCOM VAIHINGEN GE", None, None, "J5 DIRECTORATE (MC)"),
        (26, None, "CDRUSAREUR HEIDELBERG GE", None, None, None),
        (27, None, "UDITDUSAREUR HEIDELBERG GE", None, None, None),
    ]
    assert c.id == "09BERLIN485"
    assert c.eo == "12958: N/A"  # written `E.0.` with a zero
    assert c.tags == ["OPRC", "KMDR", "KPAO", "GM", "US", "IZ", "PK", "SF", "IC"]
    assert c.subject == "MEDIA REACTION: SWINE FLU, IRAQ, OBAMA, TALIBAN, CIA, ARMENIA, SOUTH AFRICA, ICELAND"
    assert c.signer == "KOENIG"
    assert "text_before_header" not in codes(c)


def test_09london2001_distribution_block_without_trace() -> None:
    c = decode("09LONDON2001")
    assert c.distribution is not None
    assert c.distribution.info[:2] == ["LOG-00", "AF-00"]
    assert c.distribution.total == "/002W"
    assert c.distribution.traces == []
    assert rows(c.to) == [(12, None, "SECSTATE WASHDC", None, "3314", None)]
    assert rows(c.info) == [(13, None, "COMDT COGARD WASHINGTON DC", None, None, None)]
    assert c.subject == "IMO: REPORT OF THE 86TH SESSION OF THE MARITIME SAFETY COMMITTEE: MAY 27 - JUNE 5, 2009"
    assert c.tags == ["EWWT", "IMO", "PHSA", "UK"]
    assert c.id == "09LONDON2001"


def test_09manama653_bare_plads_after_distribution_block() -> None:
    c = decode("09MANAMA653")
    assert c.distribution is not None and c.distribution.total == "/001W"
    assert rows(c.to) == [(11, None, "SECSTATE WASHDC", None, "9012", None)]
    assert rows(c.info) == [
        (12, None, "GULF COOPERATION COUNCIL COLLECTIVE", None, None, None),
        (13, None, "COMUSNAVCENT", None, None, None),
        (14, None, "HQ USCENTCOM MACDILL AFB FL", None, None, None),
    ]
    assert c.instructions == ["STATE FOR NEA AND DRL"]
    assert c.subject == "BAHRAIN: NEW GOVERNMENT HUMAN RIGHTS BODY"
    assert c.signer == "ERELI"


def test_90baghdad4397_niact_and_letter_spaced_secret() -> None:
    c = decode("90BAGHDAD4397")
    assert c.transmission is None and c.origin is None
    assert (c.precedence, c.info_precedence) == ("IMMEDIATE", "IMMEDIATE")
    assert c.dtg == dt.datetime(1990, 8, 2, 4, 11, tzinfo=UTC)
    assert rows(c.to) == [
        (3, None, "SECSTATE WASHDC", "NIACT IMMEDIATE", "4708", None),
        (4, None, "AMEMBASSY KUWAIT", "NIACT IMMEDIATE", None, None),
        (5, None, "AMEMBASSY RIYADH", "IMMEDIATE", None, None),
        (6, None, "AMEMBASSY CAIRO", "IMMEDIATE", None, None),
        (7, None, "AMEMBASSY DOHA", "IMMEDIATE", None, None),
        (8, None, "AMEMBASSY ABU DHABI", "IMMEDIATE", None, None),
        (9, None, "AMEMBASSY MANAMA", "IMMEDIATE", None, None),
        (10, None, "AMEMBASSY AMMAN", "IMMEDIATE", None, None),
        (11, None, "AMEMBASSY MUSCAT", "IMMEDIATE", None, None),
        (12, None, "AMEMBASSY DAMASCUS", "IMMEDIATE", None, None),
    ]
    assert c.info == []
    assert c.classification is not None
    assert (c.classification.marking, c.classification.origin, c.classification.serial) == ("SECRET", "BAGHDAD", "04397")
    assert c.id == "90BAGHDAD4397"
    assert c.eo == "12356: DECL:OADR"
    assert c.declassify_on is None
    assert c.tags == ["PREL", "IZ", "KU", "AS"]
    assert c.subject == "IRAQI INCURSION ACROSS KUWAITI BORDER"
    assert c.refs == ["STATE 253201", "WILSON/MACK TELECON", "WILSON/CHARLES TELECON"]
    assert c.paragraph_marks == ["S-ENTIRE TEXT"]
    assert c.body_line == 24
    assert c.signer == "WILSON"
    assert "missing_dtg" not in codes(c)


def test_08state50524_page_artefact_in_info_and_nnnn() -> None:
    c = decode("08STATE50524")
    assert (c.precedence, c.info_precedence) == ("IMMEDIATE", "PRIORITY")  # `O P 131528Z MAY 08`
    assert c.dtg == dt.datetime(2008, 5, 13, 15, 28, tzinfo=UTC)
    assert c.originator is not None and c.originator.plad == "SECSTATE WASHDC"
    assert rows(c.to) == [(3, None, "AMEMBASSY BEIJING", "IMMEDIATE", None, None)]
    # Line 4 is `INFO PAGE 02 ... STATE 050524 131535Z`: a page break, not an addressee.
    assert rows(c.info) == [(5, None, "AMEMBASSY BAGHDAD", "PRIORITY", None, None)]
    assert [(w.code, w.line) for w in c.warnings] == [("page_artefact", 4)]
    assert c.classification is not None and c.classification.marking == "SECRET"
    assert c.id == "08STATE50524"
    assert c.captions == ["NOFORN"]
    assert c.eo == "12958 DECL: 05/05/2018"
    assert c.declassify_on == dt.date(2018, 5, 5)
    assert c.tags == ["PARM", "PREL"]
    assert c.subject == "CHINA CONVENTIONAL ARMS TRANSFERS TO IRAN"
    assert c.refs == [
        "STATE 162318", "STATE 109649", "BEIJING 5237", "STATE 071143", "STATE 073601",
        "BEIJING 5754", "STATE 72896", "BEIJING 5361", "STATE 148514", "BEIJING 6848",
        "STATE 159388", "BEIJING 7212", "BEIJING 7387",
    ]  # fmt: skip
    assert c.paragraph_marks == ["U", "S/NF", "S/REL CHINA"]
    assert c.body.startswith("Classified By: CLASSIFIED BY ISN ACTING DAS ELIOT KANG")
    assert c.body.endswith("END TALKING POINTS. RICE")  # NNNN is not part of the text
    assert c.signer == "RICE"


def test_08sanjose928_bt_after_the_classification_line() -> None:
    c = decode("08SANJOSE928")
    assert c.transmission is None and c.origin is None
    assert c.precedence == "IMMEDIATE"
    assert rows(c.to) == [(3, None, "SECSTATE WASHDC", "IMMEDIATE", "0307", None)]
    assert c.captions == ["SIPDIS", "ALDAC"]
    assert c.instructions == ["DEPARTMENT FOR USAID/OFDA: ROB THAYER"]
    assert c.tags == ["PGOV", "EAID", "AEMR", "ASEC", "PHUM", "KFLO", "CS"]
    assert c.subject == "COLD FRONT AFFECTING CARIBBEAN COAST OF COSTA RICA AND PANAMA: DECLARATION OF DISASTER"
    assert c.body.startswith("¶1. As result of flood damage")
    assert c.signer == "CIANCHETTE"
    assert c.id == "08SANJOSE928"


def test_09tripoli254_xmt_and_dual_precedence() -> None:
    c = decode("09TRIPOLI254")
    assert c.routing is not None and c.routing.ris == ["RUEHBC", "RUEHDE", "RUEHKUK", "RUEHROV"]
    assert c.origin is not None and (c.origin.ri, c.origin.ssn) == ("RUEHTRO", "0254")
    assert (c.precedence, c.info_precedence) == ("IMMEDIATE", "ROUTINE")
    assert rows(c.to) == [(7, "RUEHC", "SECSTATE WASHDC", "IMMEDIATE", "4653", None)]
    assert rows(c.info) == [
        (8, "RUEHEE", "ARAB LEAGUE COLLECTIVE", None, None, None),
        (9, "RUEHTRO", "AMEMBASSY TRIPOLI", None, "5180", None),
    ]
    assert rows(c.xmt) == [(10, None, "AMEMBASSY KHARTOUM", None, None, None)]
    assert c.instructions == ["DEPT FOR NEA/MAG AND NEA/RA (JSCOVITCH)"]
    assert c.refs == ["STATE 23823"]
    assert c.body.startswith("(U) Post passed reftel points")
    assert c.signer == "CRETZ"


def test_03abudhabi2641_email_wrapper_before_the_header() -> None:
    c = decode("03ABUDHABI2641")
    assert [(w.code, w.line) for w in c.warnings] == [("text_before_header", 1)]
    assert c.transmission is not None and (c.transmission.channel, c.transmission.serial) == ("ADI", "319")
    assert c.routing is not None
    assert c.routing.ris == ["RUEHC", "RUEHAM", "RUEHRB", "RUEHRH", "RUEHKU", "RHEHNSC", "RUEAIIA", "RHEFDIA", "RUCJACC"]
    assert c.origin is not None and (c.origin.ri, c.origin.ssn, c.origin.filing_time_raw) == ("RUEHAD", "2641", "1541250")
    assert c.security is not None and (c.security.signal, c.security.classification) == ("ZNY", "CONFIDENTIAL")
    assert c.dtg == dt.datetime(2003, 6, 3, 12, 50, tzinfo=UTC)
    assert rows(c.to) == [(50, "RUEHC", "SECSTATE WASHDC", "IMMEDIATE", "0227", None)]
    assert len(c.info) == 8
    assert rows(c.info)[-1] == (58, "RUCJACC", "USCINCCENT MACDILL AFB FL", None, None, "CCJ2/POLAD")
    assert c.classification is not None and c.classification.marking == "CONFIDENTIAL"
    assert c.classification.line == 60
    assert c.id == "03ABUDHABI2641"
    assert c.eo == "12958 DECL: 06/03/08"
    assert c.declassify_on == dt.date(2008, 6, 3)
    assert c.tags == ["PREL", "EPET", "EAID", "PGOV", "JO", "MO", "SA", "KU", "TC"]
    assert c.subject == (
        "UAE TO SUPPORT JORDAN OIL NEEDS FOR THREE MORE MONTHS, PROVIDED $40 MILLION TO RABAT AFTER TERROR ATTACKS"
    )
    assert c.refs == ["Abu Dhabi 1384"]
    assert c.instructions == ["S/S-O PLEASE PASS NEA A/S BURNS", "STATE FOR NEA/ARP, NEA/ARN AND NEA/ENA", "NSC FOR THEROUX"]
    assert c.paragraph_marks == ["U", "C"]
    assert c.signer == "WAHBA"


def test_09eftolondon2618_efto() -> None:
    c = decode("09EFTOLONDON2618")
    assert c.security is not None
    assert (c.security.signal, c.security.letters, c.security.classification) == ("ZNY", "EEEEE", "EFTO")
    assert c.classification is not None
    assert (c.classification.marking, c.classification.origin) == ("UNCLAS EFTO", "LONDON")
    # WikiLeaks named this cable 09EFTOLONDON2618, reading the spaced EFTO as part of the
    # origin; the reference id is origin LONDON + serial 2618.
    assert c.id == "09LONDON2618"
    assert c.subject == "UK RESPONSE: FMCT POSITIONS FOR P-3 DISCUSSION IN PARIS"
    assert c.refs == ["SECSTATE 119308"]
    assert c.signer == "SUSMAN"


def test_07kampala1752_znr_with_trailing_text_and_to_without_ri() -> None:
    c = decode("07KAMPALA1752")
    assert c.security is not None
    assert c.security.opsigs == ["ZZH", "(CCY TEXT ADX: 2BE005 MSI7470 600)"]
    assert rows(c.to) == [(8, None, "SECSTATE WASHDC", None, "9624", None)]
    assert c.info == []
    assert c.instructions == [
        "DEPARTMENT FOR: INS/CTR, DS/IP/AF, T, DS, INR, IO/T,",
        "INR/SPM, PM/ISO, PMAT, S/CT, S/P AND S/ES-O",
        "C O R R E C T E D C O P Y (ADDING CAPTION)",
    ]
    assert c.tags == ["ASEC", "KCRM", "KNNP", "MNUC", "PARM", "PTER", "UG"]
    assert c.subject is None
    assert c.body.startswith("1.(SBU) Post wishes to alert")


def test_09brasilia1321_routing_continued_and_dtg_opsigs() -> None:
    c = decode("09BRASILIA1321")
    assert c.routing is not None
    assert c.routing.ris == [
        "RUEHAST", "RUEHDH", "RUEHHM", "RUEHLN", "RUEHMA", "RUEHPB", "RUEHPOD", "RUEHSL", "RUEHTM", "RUEHTRO",
    ]  # fmt: skip
    assert c.origin is not None and (c.origin.ssn, c.origin.section) == ("1321", 1)
    assert c.dtg_raw == "161428Z NOV 09"
    assert c.dtg_opsigs == ["ZDK", "CTG#6223"]
    assert c.classification is not None and (c.classification.section, c.classification.sections) == (1, 7)
    assert c.refs == ["BRASILIA 1254", "BRASILIA 1105"]
    assert len(c.instructions) == 3


def test_09canberra1013_dtg_with_relay_opsigs() -> None:
    c = decode("09CANBERRA1013")
    assert c.dtg == dt.datetime(2009, 11, 18, 23, 0, tzinfo=UTC)
    assert c.dtg_opsigs == ["ZFR", "CTG", "RUEHSD", "0060", "3230357"]
    assert c.origin is not None and c.origin.filing_time == dt.datetime(2009, 11, 18, 23, 0, tzinfo=UTC)
    assert rows(c.info) == [
        (8, "RUEHDN", "AMCONSUL SYDNEY", None, "5049", None),
        (9, "RUEHBN", "AMCONSUL MELBOURNE", None, "6781", None),
        (10, "RUEHPT", "AMCONSUL PERTH", None, "5047", None),
    ]


def test_09dushanbe575_seven_letter_ri_and_own_post_as_action() -> None:
    c = decode("09DUSHANBE575")
    assert c.origin is not None and c.origin.ri == "RUEHDBU"
    assert rows(c.to) == [
        (7, "RUEHDBU", "AMEMBASSY DUSHANBE", None, "0630", None),
        (8, "RUEHC", "SECSTATE WASHDC", None, "0323", None),
    ]
    assert rows(c.info) == [
        (9, "RUCNCIS", "CIS COLLECTIVE", None, None, None),
        (10, "RUEHBUL", "AMEMBASSY KABUL", None, "0106", None),
    ]
    assert c.refs == ["09 DUSHANBE 406"]
    assert c.subject == "TAJIKISTAN'S NEW SYNAGOGUE: BUSINESS, CENTRAL ASIA STYLE"


def test_09state114151_five_letter_ri_and_zero_mcn() -> None:
    c = decode("09STATE114151")
    assert c.origin is not None and (c.origin.ri, c.origin.ssn) == ("RUEHC", "4151")
    assert c.originator is not None and c.originator.plad == "SECSTATE WASHDC"
    assert rows(c.to) == [(8, None, "AMEMBASSY CAIRO", "IMMEDIATE", "0000", None)]
    # The SSN (#4151) is not the serial: the classification line says STATE 114151.
    assert c.id == "09STATE114151"
    assert c.refs == ["CAIRO 2003"]
    assert c.signer == "CLINTON"


def test_09state69224_mixed_action_and_info_precedence() -> None:
    c = decode("09STATE69224")
    assert c.routing is not None and c.routing.prosign == "OO"
    assert (c.precedence, c.info_precedence) == ("IMMEDIATE", "PRIORITY")
    assert rows(c.to) == [
        (8, "RUEHBS", "AMEMBASSY BRUSSELS", "IMMEDIATE", "4232", None),
        (9, "RUEHMD", "AMEMBASSY MADRID", "IMMEDIATE", "1978", None),
        (10, "RUEHRO", "AMEMBASSY ROME", "IMMEDIATE", "1344", None),
    ]
    assert rows(c.info) == [
        (11, "RUEHZP", "AMEMBASSY PANAMA", "PRIORITY", "5121", None),
        (12, "RUCPDOC", "USDOC WASHINGTON DC", "PRIORITY", "5308", None),
    ]
    assert c.instructions == ["PLEASE PASS TO ECON AND COMMERCIAL COUNSELORS"]
    assert c.subject == "DEMARCHE REQUEST: ENSURING FAIRNESS BY BIDDERS IN THE PANAMAL CANAL EXPANSION PROJECT"


def test_07thehague1462_long_info_list_and_unusual_fl4_letters() -> None:
    c = decode("07THEHAGUE1462")
    assert c.security is not None and c.security.letters == "UUUAA"
    assert [(w.code, w.line) for w in c.warnings] == [("unusual_security_letters", 4)]
    assert len(c.info) == 48
    assert [a.line for a in c.info] == list(range(8, 56))
    assert rows(c.info)[0] == (8, "RUEHZJ", "HUMAN RIGHTS COUNCIL COLLECTIVE", "PRIORITY", None, None)
    assert rows(c.info)[12] == (20, "RUEHPOD", "AMEMBASSY PODGORICA", "PRIORITY", None, None)
    assert rows(c.info)[-1] == (55, "RUCNDT", "USMISSION USUN NEW YORK", "PRIORITY", "4315", None)
    assert c.signer == "GALLAGHER"


def test_08monterrey468_info_only_and_a_second_header_copy() -> None:
    c = decode("08MONTERREY468")
    assert c.to == []
    assert rows(c.info) == [
        (7, "RUEHME", "AMEMBASSY MEXICO", None, "4219", None),
        (8, "RUEHXC", "ALL USCONS MEXICO", None, None, None),
        (9, "RUEHC", "SECSTATE WASHDC", None, None, None),  # doubled_word repaired
        (10, "RUEHMC", "AMCONSUL MONTERREY", None, "8713", None),
    ]
    assert [(w.code, w.line) for w in c.warnings] == [
        ("no_action_addressees", 7),
        ("text_before_classification", 12),
        ("duplicate_header", 12),
        ("doubled_word", 9),
    ]
    # Line 16 `UNCLASSIFIED//FOR OFFICIAL USE ONLY` is archive metadata; the text opens on line 29.
    assert c.classification is not None and (c.classification.marking, c.classification.line) == ("UNCLAS", 29)
    assert c.id == "08MONTERREY468"
    assert c.refs == ["MONTERREY 458"]
    assert c.signer == "WILLIAMSON"


def test_05minsk851_section_suffix_and_blank_line_before_de() -> None:
    c = decode("05MINSK851")
    assert c.transmission is not None and c.transmission.serial == "0009"
    assert c.routing is not None and c.routing.ris == ["RUEHWEB"]
    assert c.origin is not None
    assert (c.origin.ri, c.origin.ssn, c.origin.section, c.origin.filing_time_raw) == ("RUEHSK", "0851", 1, "2091418")
    assert c.origin.filing_time == dt.datetime(2005, 7, 28, 14, 18, tzinfo=UTC)  # day 209 of 2005
    assert len(c.info) == 12
    assert rows(c.info)[6] == (15, "RUEHVEN", "USMISSION USOSCE", None, "0593", None)
    assert c.refs == ["MINSK 0638", "Minsk 0118"]
    assert c.instructions == ["State for EB/IFD/OIA, EB/IFD/OIA, EUR/UMB"]


def test_09chisinau945_office_suffixes() -> None:
    c = decode("09CHISINAU945")
    assert c.dtg_opsigs == ["ZDS"]
    assert rows(c.to) == [(8, "RUEASAC", "CDRUSASAC FT BELVOIR VA", None, None, "AMSAC-ME")]
    assert rows(c.info) == [
        (9, "RHMFISS", "HQ USEUCOM VAIHINGEN GE", None, None, "ECJ4-ID"),
        (10, "RHMFISS", "HQ USEUCOM VAIHINGEN GE", None, None, "ECJ5"),
        (11, "RUEOUAA", "DRMS BATTLE CREEK MI", None, None, "DRMS-BBR"),
        (12, "RUEKJCS", "SECDEF WASHINGTON DC", None, None, "USDP-DSCA"),
        (13, "RUEHC", "SECSTATE WASHDC", None, "8651", None),
    ]
    assert c.refs == []  # `REF: NONE`


def test_07bern896_archive_dump_after_the_header() -> None:
    c = decode("07BERN896")
    assert rows(c.info) == [(9, "RUCNMEU", "EU INTEREST COLLECTIVE", None, None, None)]
    # Lines 11-19 repeat the header inside a tab-separated archive row.
    assert [(w.code, w.line) for w in c.warnings] == [("text_before_classification", 11)]
    assert c.classification is not None and c.classification.line == 20
    assert c.instructions == ["DEPT FOR EUR/AGS AND INR/EU"]
    assert c.subject == "BLOCHER-ROSCHACHER ROILS SWISS CONSENSUS POLITICS"
    assert c.signer == "CARTER"


def test_07tallinn128_fields_run_into_the_classification_line() -> None:
    c = decode("07TALLINN128")
    assert c.dtg_opsigs == ["ZDK"]
    assert len(c.to) == 6 and c.info == []
    assert c.classification is not None and c.classification.origin == "TALLINN"
    assert c.captions == ["SIPDIS"]
    assert c.eo == "12958: N/A"
    assert c.tags == ["OECD", "ECON", "EN"]
