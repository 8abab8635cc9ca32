//! The whole scan of one cable, and the typed result handed to Python.
//!
//! [`scan_cable`] runs the parts in order (before the heading, the heading, the lines
//! before the classification line, the classification line, the preamble, the body) and
//! builds a [`ScannedCable`], or answers `None` for anything it does not read exactly as
//! the Python parsers do. These are plain Rust types; `lib.rs` hands them to Python as
//! frozen classes of the same names and fields (declared in `cablerouter_scan.pyi`).

use std::borrow::Cow;

use crate::address::*;
use crate::body::*;
use crate::classification::*;
use crate::dates::*;
use crate::heading::*;
use crate::preamble::*;
use crate::text::*;
use crate::wrappers::*;

/// FL1, the transmission identification (`VZCZCXRO1169`).
#[derive(Clone, Debug, PartialEq)]
pub struct Transmission {
    pub raw: String,
    pub channel: String,
    pub serial: String,
}

/// FL2, the routing line and its continuation lines.
#[derive(Clone, Debug, PartialEq)]
pub struct Routing {
    pub prosign: String,
    pub ris: Vec<String>,
}

/// FL3, `DE RI #SSN[/section] [filing time]`.
#[derive(Clone, Debug, PartialEq)]
pub struct Origin {
    pub ri: String,
    pub ssn: String,
    pub section: Option<String>,
    pub filing_time_raw: Option<String>,
}

/// FL4, the security warning and its operating signals.
#[derive(Clone, Debug, PartialEq)]
pub struct Security {
    pub signal: String,
    pub letters: String,
    pub opsigs: Vec<String>,
    pub line: usize,
}

/// A date and time to the minute, UTC.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Timestamp {
    pub year: i64,
    pub month: i64,
    pub day: i64,
    pub hour: i64,
    pub minute: i64,
}

/// FL5: the precedence prosigns, the date-time group (always a valid date) and its
/// operating signals.
#[derive(Clone, Debug, PartialEq)]
pub struct Dtg {
    pub action: String,
    pub info: Option<String>,
    pub raw: String,
    pub opsigs: Vec<String>,
    pub time: Timestamp,
}

/// The FL3 filing time resolved against the DTG. `status` is `"resolved"`, `"invalid"` (not
/// a valid time: `time` is `None`) or `"far_from_dtg"` (more than two days from the DTG).
#[derive(Clone, Debug, PartialEq)]
pub struct FilingTime {
    pub status: &'static str,
    pub time: Option<Timestamp>,
}

/// One addressee, as `Addressee`'s fields (`AIG 7011` already names the AIG, the office
/// has lost its slashes).
#[derive(Clone, Debug, PartialEq)]
pub struct Addressee {
    pub ri: Option<String>,
    pub plad: String,
    pub office: Option<String>,
    pub precedence: Option<String>,
    pub mcn: Option<String>,
    pub raw: String,
    pub line: usize,
}

/// Wrapper lines before the heading (`text_before_header`).
#[derive(Clone, Debug, PartialEq)]
pub struct Wrapper {
    /// 1-based line of the first wrapper line.
    pub first_line: usize,
    /// 0-based index of the heading's first line.
    pub heading_index: usize,
}

/// State's internal distribution block before the heading.
#[derive(Clone, Debug, PartialEq)]
pub struct Distribution {
    pub action: Vec<String>,
    pub info: Vec<String>,
    pub total: Option<String>,
    pub traces: Vec<String>,
    pub line: usize,
}

/// Lines passed over between the heading and the classification line.
#[derive(Clone, Debug, PartialEq)]
pub struct SkippedLines {
    /// 1-based line of the first one.
    pub first_line: usize,
    /// Whether they hold a second copy of the header (`duplicate_header`).
    pub duplicate: bool,
}

/// The classification line with an origin and serial.
#[derive(Clone, Debug, PartialEq)]
pub struct ClassificationLine {
    pub line: usize,
    pub raw: String,
    pub word: String,
    pub efto: bool,
    pub section: Option<String>,
    pub sections: Option<String>,
    pub origin: String,
    pub serial: String,
}

/// An `unknown_caption` warning.
#[derive(Clone, Debug, PartialEq)]
pub struct CaptionWarning {
    pub line: usize,
    pub detail: String,
}

/// The text preamble's fields (the REF field unsplit, the E.O. line's date unread).
#[derive(Clone, Debug, PartialEq)]
pub struct Preamble {
    pub captions: Vec<String>,
    pub instructions: Vec<String>,
    pub caption_warnings: Vec<CaptionWarning>,
    pub eo: Option<String>,
    pub tags: Vec<String>,
    pub subject: Option<String>,
    pub refs: Option<String>,
}

/// Everything the scanner read of one cable. The body, most of a cable's bytes, is a slice of
/// the input unless page artefacts were cut out of it (UTF-8, checked where it becomes a
/// Python string).
#[derive(Clone, Debug, PartialEq)]
pub struct ScannedCable<'a> {
    pub distribution: Option<Distribution>,
    pub wrapper: Option<Wrapper>,
    pub transmission: Option<Transmission>,
    pub routing: Option<Routing>,
    pub origin: Option<Origin>,
    pub security: Option<Security>,
    pub dtg: Dtg,
    pub filing_time: Option<FilingTime>,
    pub originator: Addressee,
    pub to: Vec<Addressee>,
    pub info: Vec<Addressee>,
    pub xmt: Vec<Addressee>,
    /// 1-based lines of page-break artefacts removed from the address block.
    pub page_lines: Vec<usize>,
    pub skipped: Option<SkippedLines>,
    pub classification: ClassificationLine,
    pub preamble: Preamble,
    /// 1-based line where the body starts (`None`: no body).
    pub body_line: Option<usize>,
    pub body: Cow<'a, [u8]>,
    pub paragraph_marks: Vec<String>,
    pub signer: Option<String>,
    pub reference_id: String,
}

/// The limits the scan keeps to (`DecodeLimits` and the addressee length).
#[derive(Clone, Copy, Debug)]
pub struct Limits {
    pub max_bytes: usize,
    pub max_addressees: usize,
    pub max_addressee_chars: usize,
}

/// Text of a slice the scanner admitted: valid UTF-8 (checked; a violation is a bug and
/// panics, which Python sees as `PanicException`).
pub(crate) fn string(b: &[u8]) -> String {
    std::str::from_utf8(b).expect("the scanner admits UTF-8 only and cuts at ASCII bytes").to_owned()
}

fn opt_string(b: Option<&[u8]>) -> Option<String> {
    b.map(string)
}

fn strings(v: &[&[u8]]) -> Vec<String> {
    v.iter().map(|b| string(b)).collect()
}

fn owned_strings(v: &[Vec<u8>]) -> Vec<String> {
    v.iter().map(|b| string(b)).collect()
}

/// An addressee's fields, with `_body`-independent last touches: `AIG 7011` names the AIG,
/// the office loses its slashes (`office.strip("/ ") or None`).
fn addressee_of(a: &Addr<'_>, line: usize) -> Addressee {
    let (plad, mcn) = match a.mcn {
        Some(m) if a.plad == b"AIG" => (string(&[&b"AIG "[..], m].concat()), None),
        _ => (string(a.plad), opt_string(a.mcn)),
    };
    let office = a.office.and_then(|o| {
        let is_trim = |c: &u8| *c == b'/' || *c == b' ';
        let start = o.iter().position(|c| !is_trim(c)).unwrap_or(o.len());
        let end = o.iter().rposition(|c| !is_trim(c)).map_or(start, |e| e + 1);
        let o = &o[start..end.max(start)];
        (!o.is_empty()).then(|| string(o))
    });
    Addressee {
        ri: opt_string(a.ri),
        plad,
        office,
        precedence: opt_string(a.prec),
        mcn,
        raw: string(a.raw),
        line,
    }
}

/// Scan a raw telegram: the cable's parts, or `None` for the Python parsers.
///
/// Only input that `lines.decode_bytes` would return unchanged is read: at most
/// `max_bytes`, valid UTF-8, no control bytes but TAB and LF (so no CR, VT, FF or NUL), no
/// byte-order mark, and no characters outside ASCII but the few of `plain_chars`.
pub fn scan_cable(raw: &[u8], limits: Limits) -> Option<ScannedCable<'_>> {
    // `plain_chars` admits only ASCII and whole known UTF-8 sequences, so the input is UTF-8.
    if raw.is_empty() || raw.len() > limits.max_bytes || !plain_chars(raw) {
        return None;
    }
    // Exemptions (XMT in any of its forms, and the lines an exemption run continues over)
    // are read by the Python parsers alone: one set of rules for the lines that decide who
    // must not receive a cable.
    if holds_xmt_word(raw) {
        return None;
    }
    let (dist, wrapper, from) = before_heading(raw)?;
    let t = normalize_heading(raw, from)?;
    let t: &[u8] = &t;
    let h = heading(t, from, limits.max_addressees, limits.max_addressee_chars)?;
    // FL5: the date-time group must be a valid date (the Python parsers raise bad_dtg).
    let (action, info, dtg_raw, dtg_ops) = &h.fl5;
    let year = full_year(&dtg_raw[12..]);
    let month = MONTHS.iter().position(|m| *m == &dtg_raw[8..11]).map_or(0, |m| m as i64 + 1);
    let dtg_parts = [year, month, num(&dtg_raw[0..2]), num(&dtg_raw[2..4]), num(&dtg_raw[4..6])];
    let dtg_valid = year >= 1
        && month > 0
        && dtg_parts[2] >= 1
        && dtg_parts[2] <= days_in_month(year, month)
        && dtg_parts[3] <= 23
        && dtg_parts[4] <= 59;
    if !dtg_valid {
        return None;
    }
    let stamp = |[year, month, day, hour, minute]: [i64; 5]| Timestamp { year, month, day, hour, minute };
    let filing = match h.origin {
        Some((_, _, _, Some(raw_filing))) => Some(match filing_time(raw_filing, dtg_parts).ok()? {
            None => FilingTime { status: "invalid", time: None },
            Some(when) => {
                let far = (minutes(when) - minutes(dtg_parts)).abs() > 2 * 24 * 60;
                FilingTime { status: if far { "far_from_dtg" } else { "resolved" }, time: Some(stamp(when)) }
            }
        }),
        _ => None,
    };
    // The classification line: the first non-blank line after the heading, or a later one
    // after lines `skippable` says `text._find_classification` passes over (wrappers such as
    // `Thursday, 11 October 2007, 13:48`), within its 60-line window.
    let mut at = h.next;
    let mut line_no = t[..h.next].iter().filter(|&&b| b == b'\n').count() + 1;
    let mut first_skipped = 0usize;
    let mut duplicate = false;
    let mut collapsed: Vec<u8>;
    let (cls, nl) = loop {
        if at >= t.len() || line_no > h.end_line + 60 {
            return None;
        }
        let nl = find_byte(t, b'\n', at).unwrap_or(t.len());
        let c = strip(&t[at..nl]);
        if c.is_empty() {
            at = nl + 1;
            line_no += 1;
            continue;
        }
        // Read with blanks collapsed (`_find_classification`'s `u`); `raw` is the line stripped.
        let cu: &[u8] = if contains(c, b"  ") || c.contains(&b'\t') {
            collapsed = collapse(c);
            &collapsed
        } else {
            c
        };
        // `.rstrip("\\ ")`: archive copies end lines with a back-slash.
        let mut ce = cu.len();
        while ce > 0 && matches!(cu[ce - 1], b'\\' | b' ') {
            ce -= 1;
        }
        if let Some(mut cls) = classification(&cu[..ce]) {
            cls.raw = c;
            break (cls, nl);
        }
        if !skippable(c, first_skipped == 0) {
            return None;
        }
        if first_skipped == 0 {
            first_skipped = line_no;
        }
        let cu = c.to_ascii_uppercase();
        duplicate = duplicate || cu.starts_with(b"VZCZC") || cu.starts_with(b"ZCZC");
        at = nl + 1;
        line_no += 1;
    };
    let cls_line = line_no;
    // A reflowed classification line goes on with preamble fields (`text.parse_text`).
    let mut pieces = Vec::new();
    let mut field = "";
    if let Some(off) = cls.tail {
        let c = cls.raw;
        if contains(c, PILCROW) || c.ends_with(b"\\") {
            return None;
        }
        let line_u = if contains(c, b"  ") || c.contains(&b'\t') { collapse(c) } else { c.to_vec() };
        let tail = &line_u[off..];
        field = match field_marker(tail, 0) {
            Some(fm) => split_fields(tail, cls_line, "", &mut pieces, fm),
            None => {
                pieces.push(Piece::Text("", s(tail).to_owned(), cls_line));
                ""
            }
        };
    }
    let seen_main = pieces.iter().any(|p| {
        let f = match p {
            Piece::Marker(f) | Piece::Text(f, _, _) => *f,
        };
        matches!(f, "subject" | "tags" | "ref")
    });
    let (pieces, body_index) =
        if nl < t.len() { preamble(t, nl + 1, cls_line + 1, pieces, field, seen_main)? } else { (pieces, -1) };
    // The body from its first line, closing lines and page artefacts removed.
    let mut body_bytes: Cow<'_, [u8]> = Cow::Borrowed(&[]);
    let mut body_marks: Vec<Vec<u8>> = Vec::new();
    if body_index >= 0 {
        // Offset of line `body_index` (0-based).
        let mut off = 0;
        for _ in 0..body_index {
            off = find_byte(t, b'\n', off).map_or(t.len(), |p| p + 1);
        }
        let mut body = rstrip(&t[off..]);
        for _ in 0..8 {
            let cut = rfind_byte(body, b'\n', body.len()).map_or(0, |p| p + 1);
            let last = strip(&body[cut..]);
            if !last.is_empty() && !is_trailer(last) {
                break;
            }
            body = rstrip(&body[..cut]);
        }
        body_bytes = match strip_pages(body) {
            Some(kept) => Cow::Owned(kept),
            // The same bytes in the input: past the heading, `t` is the input shifted by
            // what the heading's blank runs lost.
            None => {
                let start = off + (raw.len() - t.len());
                let same = &raw[start..start + body.len()];
                debug_assert_eq!(same, body);
                Cow::Borrowed(same)
            }
        };
        if !body_bytes.is_empty() {
            body_marks = marks(&body_bytes).into_iter().map(|m| m.to_vec()).collect();
        }
    }
    let signer_name = if body_bytes.is_empty() {
        None
    } else {
        signer(&body_bytes[rfind_byte(&body_bytes, b'\n', body_bytes.len()).map_or(0, |p| p + 1)..])
    };
    let mut ref_id = format!("{:02}", year % 100).into_bytes();
    ref_id.extend(cls.origin.iter().filter(|&&c| c != b' '));
    let serial = &cls.serial[cls.serial.iter().take_while(|&&c| c == b'0').count()..];
    ref_id.extend_from_slice(if serial.is_empty() { b"0" } else { serial });
    let folded = fold(&pieces);
    let (mut to, mut info_list, mut xmt) = (Vec::new(), Vec::new(), Vec::new());
    for (role, a, line) in &h.block {
        let target = match role {
            Role::To => &mut to,
            Role::Info => &mut info_list,
            Role::Xmt => &mut xmt,
        };
        target.push(addressee_of(a, *line));
    }
    Some(ScannedCable {
        distribution: dist.map(|d| Distribution {
            action: owned_strings(&d.action),
            info: owned_strings(&d.info),
            total: d.total.as_deref().map(string),
            traces: owned_strings(&d.traces),
            line: d.line,
        }),
        wrapper: wrapper.map(|(first_line, heading_index)| Wrapper { first_line, heading_index }),
        transmission: h.fl1.map(|(raw, channel, serial)| Transmission {
            raw: string(raw),
            channel: string(channel),
            serial: string(serial),
        }),
        routing: h.routing.as_ref().map(|(prosign, ris)| Routing { prosign: string(prosign), ris: strings(ris) }),
        origin: h.origin.map(|(ri, ssn, section, filing_raw)| Origin {
            ri: string(ri),
            ssn: string(ssn),
            section: opt_string(section),
            filing_time_raw: opt_string(filing_raw),
        }),
        security: h.security.as_ref().map(|(signal, letters, ops, line)| Security {
            signal: string(signal),
            letters: string(letters),
            opsigs: strings(ops),
            line: *line,
        }),
        dtg: Dtg {
            action: string(action),
            info: opt_string(*info),
            raw: string(dtg_raw),
            opsigs: strings(dtg_ops),
            time: stamp(dtg_parts),
        },
        filing_time: filing,
        originator: addressee_of(&h.fm.0, h.fm.1),
        to,
        info: info_list,
        xmt,
        page_lines: h.pages.clone(),
        skipped: (first_skipped > 0).then_some(SkippedLines { first_line: first_skipped, duplicate }),
        classification: ClassificationLine {
            line: cls_line,
            raw: string(cls.raw),
            word: string(cls.word),
            efto: cls.efto,
            section: opt_string(cls.sec),
            sections: opt_string(cls.secs),
            origin: string(cls.origin),
            serial: string(cls.serial),
        },
        preamble: Preamble {
            captions: owned_strings(&folded.captions),
            instructions: owned_strings(&folded.instructions),
            caption_warnings: folded
                .caption_warnings
                .iter()
                .map(|(line, detail)| CaptionWarning { line: *line, detail: string(detail) })
                .collect(),
            eo: folded.eo.as_deref().map(string),
            tags: owned_strings(&folded.tags),
            subject: folded.subject.as_deref().map(string),
            refs: folded.refs.as_deref().map(string),
        },
        body_line: (body_index >= 0).then_some(body_index as usize + 1),
        body: body_bytes,
        paragraph_marks: owned_strings(&body_marks),
        signer: signer_name.as_deref().map(string),
        reference_id: string(&ref_id),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const LIMITS: Limits = Limits { max_bytes: 1 << 20, max_addressees: 500, max_addressee_chars: 200 };
    const CABLE: &str = "VZCZCXRO1169\nOO RUEHIK\nDE RUEHTA #0179/01 0420828\nZNR UUUUU ZZH\nO 110828Z FEB 10\n\
FM AMEMBASSY ASTANA\nTO RUEHC/SECSTATE WASHDC IMMEDIATE 7388\nINFO AIG 7011\n\
RUEKJCS/JOINT STAFF WASHDC//J-3/J-5// PRIORITY\n\nUNCLAS SECTION 01 OF 02 ASTANA 000179\n\nSENSITIVE\nSIPDIS\n\n\
E.O. 12958: DECL: 02/11/2020\nTAGS: PGOV, KZ\nSUBJECT: A SUBJECT\n\nREF: A. STATE 1\n\n\u{b6}1. (SBU) Body.\n\
2. (U) More.\nASTANA 00000179  002 OF 002\n3. (C) Last.\nSPRATLEN\nNNNN\n";

    fn scan(text: &str) -> Option<ScannedCable> {
        scan_cable(text.as_bytes(), LIMITS)
    }

    #[test]
    fn a_clean_standard_cable_is_read_whole() {
        let c = scan(CABLE).expect("read");
        assert_eq!(c.transmission.as_ref().map(|t| t.channel.as_str()), Some("XRO"));
        assert_eq!(c.dtg.time, Timestamp { year: 2010, month: 2, day: 11, hour: 8, minute: 28 });
        assert_eq!(c.filing_time, Some(FilingTime { status: "resolved", time: Some(c.dtg.time) }));
        assert_eq!(c.origin.as_ref().and_then(|o| o.section.clone()), Some("01".into()));
        assert_eq!(c.originator.plad, "AMEMBASSY ASTANA");
        assert_eq!(c.to[0].ri.as_deref(), Some("RUEHC"));
        assert_eq!((c.info[0].plad.as_str(), c.info[0].mcn.as_deref()), ("AIG 7011", None));
        assert_eq!((c.info[1].office.as_deref(), c.info[1].line), (Some("J-3/J-5"), 9));
        assert!(c.xmt.is_empty());
        assert_eq!(c.classification.line, 11);
        assert_eq!(c.classification.section.as_deref(), Some("01"));
        assert_eq!(c.preamble.captions, vec!["SENSITIVE", "SIPDIS"]);
        assert_eq!(c.preamble.eo.as_deref(), Some("12958: DECL: 02/11/2020"));
        assert_eq!(c.preamble.tags, vec!["PGOV", "KZ"]);
        assert_eq!(c.preamble.refs.as_deref(), Some("A. STATE 1"));
        assert_eq!(c.body_line, Some(22));
        assert!(std::str::from_utf8(&c.body).unwrap().starts_with("\u{b6}1. (SBU) Body.\n2. (U) More.\n3. (C) Last."));
        assert!(matches!(c.body, Cow::Owned(_)), "a page artefact was cut out");
        assert_eq!(c.paragraph_marks, vec!["SBU", "U", "C"]);
        assert_eq!(c.signer.as_deref(), Some("SPRATLEN"));
        assert_eq!(c.reference_id, "10ASTANA179");
        assert!(c.skipped.is_none() && c.wrapper.is_none() && c.distribution.is_none());
    }

    #[test]
    fn the_body_is_a_slice_of_the_input_even_when_heading_blanks_were_collapsed() {
        let plain = CABLE.replace("ASTANA 00000179  002 OF 002\n", "");
        let spaced = plain.replace("OO RUEHIK", "OO    RUEHIK").replace("FM AMEMBASSY", "FM  AMEMBASSY");
        let (a, b) = (scan(&plain).unwrap(), scan(&spaced).unwrap());
        assert!(matches!(b.body, Cow::Borrowed(_)));
        assert_eq!(a.body, b.body);
        assert!(std::str::from_utf8(&b.body).unwrap().ends_with("3. (C) Last.\nSPRATLEN"));
        assert_eq!(b.originator.plad, "AMEMBASSY ASTANA");
    }

    #[test]
    fn a_far_or_invalid_filing_time_is_flagged() {
        let far_text = CABLE.replace("0420828", "0350828");
        let far = scan(&far_text).unwrap();
        assert_eq!(far.filing_time.map(|f| f.status), Some("far_from_dtg"));
        let invalid_text = CABLE.replace("0420828", "0422500");
        let invalid = scan(&invalid_text).unwrap();
        assert_eq!(invalid.filing_time, Some(FilingTime { status: "invalid", time: None }));
    }

    #[test]
    fn what_the_python_parsers_must_read_is_refused() {
        for changed in [
            CABLE.replace("110828Z FEB", "310828Z FEB"),       // no such date: bad_dtg
            CABLE.replace("110828Z FEB", "110828Z FOO"),       // no such month
            CABLE.replace("INFO AIG 7011", "INFO XMT AIG 7011"), // an exemption form
            CABLE.replace("INFO AIG 7011", "INFO XMT/AIG 7011"),
            CABLE.replace("\n", "\r\n"),
            CABLE.replace("SIPDIS", "SIP\u{a0}DIS"),
            String::new(),
        ] {
            assert!(scan(&changed).is_none(), "{changed:.300}");
        }
        assert!(scan_cable(CABLE.as_bytes(), Limits { max_bytes: CABLE.len() - 1, ..LIMITS }).is_none());
        assert!(scan_cable(CABLE.as_bytes(), Limits { max_addressees: 2, ..LIMITS }).is_none());
    }

    #[test]
    fn lines_before_the_classification_line_are_recorded() {
        let text = CABLE.replace("\nUNCLAS SECTION", "\nThursday, 11 October 2007\nVZCZCXRO1169\nUNCLAS SECTION");
        let c = scan(&text).unwrap();
        assert_eq!(c.skipped, Some(SkippedLines { first_line: 11, duplicate: true }));
        assert_eq!(c.classification.line, 13);
    }
}
