"""Byte pieces that steer decoder fuzzing towards its branches (shared by the property
tests and ``bench/fuzz_decode.py``)."""

TOKENS = [
    b"\n", b"\r\n", b"\r", b"\t", b" ", b"  ", b"\x00", b"\x07", b"\x0c", b"\xff", b"\xc3", b"\xc2\xb6",
    b"VZCZCXRO1169", b"OO ", b"RR RUEHWEB", b"DE RUEHTA #0179/01 0420828", b"ZNR UUUUU ZZH", b"ZNY EEEEE",
    b"O 110828Z FEB 10", b"O P 320828Z FEB 10", b"R 271311Z APR 2009 ZDK", b"FM ", b"TO ", b"INFO ", b"XMT ",
    b"RUEHC/", b"ZEN/", b"//J3//", b" IMMEDIATE", b" NIACT IMMEDIATE", b" 4778-4781", b", XMT ",
    b"PAGE 02 RUEHTA 0179", b"ASTANA 00000179  002 OF 003", b"BT", b"NNNN", b"UNCLAS ", b"S E C R E T ",
    b"SECTION 01 OF 02 ", b"SIPDIS", b"E.O. 12958: DECL: 13/45/20", b"TAGS: [PGOV](#)", b"SUBJECT: ", b"REF: (A) ",
    b"\xc2\xb61. (SBU) ", b"INFO  LOG-00   EEB-00", b"------------------5A9C83  271329Z /38", b"/", b"#",
]  # fmt: skip
