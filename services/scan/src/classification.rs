//! The classification line (`_classification.match_classification`) and the lines
//! `text._find_classification` passes over before it.

use crate::text::*;
use crate::preamble::*;

// ---------------------------------------------------------------------------------------
// The classification line: `UNCLAS|UNCLASSIFIED|CONFIDENTIAL|SECRET [SECTION n OF m] ORIGIN SERIAL`.

pub(crate) struct Class<'a> {
    pub(crate) raw: &'a [u8],
    pub(crate) word: &'a [u8],
    pub(crate) efto: bool,
    pub(crate) sec: Option<&'a [u8]>,
    pub(crate) secs: Option<&'a [u8]>,
    pub(crate) origin: &'a [u8],
    pub(crate) serial: &'a [u8],
    // Where the reflowed rest of the line starts (`UNCLAS TALLINN 000128 SIPDIS ...`).
    pub(crate) tail: Option<usize>,
}

/// `_classification.match_classification` on a single-spaced line, for the forms with an
/// origin and serial (the marking and origin in upper case; anything may follow).
pub(crate) fn classification(c: &[u8]) -> Option<Class<'_>> {
    let ws = words(c)?;
    // The marking, as `_WORD`'s alternatives read it (letter-spaced forms are words of one
    // letter), then ` EFTO` or ` E F T O`.
    const FORMS: [&[&[u8]]; 10] = [
        &[b"UNCLAS"], &[b"UUNCLAS"], &[b"UNCLASSIFIED"], &[b"UUNCLASSIFIED"], &[b"CONFIDENTIAL"],
        &[b"C", b"O", b"N", b"F", b"I", b"D", b"E", b"N", b"T", b"I", b"A", b"L"], &[b"TOP", b"SECRET"], &[b"SECRET"],
        &[b"T", b"O", b"P", b"S", b"E", b"C", b"R", b"E", b"T"], &[b"S", b"E", b"C", b"R", b"E", b"T"],
    ];
    let form = FORMS.iter().find(|f| ws.len() >= f.len() && ws[..f.len()] == f[..])?;
    let mut k = form.len();
    let word_end = ws[k - 1].as_ptr() as usize - c.as_ptr() as usize + ws[k - 1].len();
    let mut efto = false;
    if ws.len() > k && ws[k] == b"EFTO" {
        efto = true;
        k += 1;
    } else if ws.len() >= k + 4 && ws[k..k + 4] == [&b"E"[..], b"F", b"T", b"O"] {
        efto = true;
        k += 4;
    }
    let digits = |w: &[u8], lo: usize, hi: usize| (lo..=hi).contains(&w.len()) && all(w, is_digit);
    let (mut sec, mut secs) = (None, None);
    if ws.len() > k + 3 && ws[k] == b"SECTION" && digits(ws[k + 1], 1, 3) && ws[k + 2] == b"OF" && digits(ws[k + 3], 1, 3) {
        sec = Some(ws[k + 1]);
        secs = Some(ws[k + 3]);
        k += 4;
    }
    let n = ws.len();
    // 1 to 4 origin words, then the serial; what follows is the reflowed tail.
    let origin_word = |w: &[u8]| {
        is_upper(w[0])
            && all(w, |b| is_upper(b) || matches!(b, b'.' | b'\'' | b'-'))
            && !w.starts_with(b"EFTO")
            && !matches!(w, b"E" | b"SECTION" | b"FINAL")
    };
    let mut j = k;
    while j < n && j - k < 5 && origin_word(ws[j]) {
        j += 1;
    }
    if j == k || j - k > 4 || j >= n || !digits(ws[j], 3, 7) {
        return None;
    }
    let o_start = ws[k].as_ptr() as usize - c.as_ptr() as usize;
    let o_end = ws[j - 1].as_ptr() as usize - c.as_ptr() as usize + ws[j - 1].len();
    let tail = (j + 1 < n).then(|| ws[j + 1].as_ptr() as usize - c.as_ptr() as usize);
    Some(Class { raw: c, word: &c[..word_end], efto, sec, secs, origin: &c[o_start..o_end], serial: ws[j], tail })
}

/// Whether `text._find_classification` passes over this non-blank line (stripped) without
/// ending its search, and, for the first line after the heading (`after_heading`), whether
/// `header._continues_addresses` is false for it: no marking anywhere (so neither pattern
/// matches), not a paragraph, not an address. A line opening a second copy of the header
/// (`VZCZC`, `ZCZC`) is passed over too; the caller records it (`duplicate_header`).
pub(crate) fn skippable(c: &[u8], after_heading: bool) -> bool {
    let collapsed = collapse(c).to_ascii_uppercase();
    if after_heading {
        // `header._continues_addresses` (its `u` keeps back-slashes); page artefacts are
        // refused wholesale.
        let u = &collapsed;
        let kw = u.split(|&b| b == b' ').next().unwrap_or(&[]);
        if matches!(kw, b"TO" | b"INFO" | b"XMT") || u.starts_with(b"PAGE ") || contains(u, b" OF 0") {
            return false;
        }
        if let Some(slash) = u.iter().position(|&b| b == b'/') {
            if (4..=8).contains(&slash)
                && all(&u[..slash], |b| b.is_ascii_alphabetic())
                && (u[0] == b'R' || u[0] == b'Q')
                && u.get(slash + 1) != Some(&b'/')
            {
                return false;
            }
        }
    }
    // `u` as `_find_classification` builds it (leading punctuation is refused below).
    let mut u = collapsed;
    while matches!(u.last(), Some(b'\\') | Some(b' ')) {
        u.pop();
    }
    if u.is_empty() {
        // A line of back-slashes: nothing to match.
        return true;
    }
    if matches!(u[0], b',' | b';' | b':' | b'"' | b'\'') || u[0] >= 0x80 {
        return false;
    }
    if is_digit(u[0]) && is_paragraph(&u) {
        return false;
    }
    if u.starts_with(b"PAGE ") {
        return false;
    }
    // A marking at the start (`match_classification`) only counts with an origin and
    // serial (three or more digits), a `SECTION n OF m`, or as the whole line (a fallback
    // Python uses only when no line with a serial follows: the caller goes on to such a
    // line or gives up).
    if MARKINGS.iter().any(|m| u.starts_with(m)) {
        return !(u.windows(3).any(|w| all(w, is_digit)) || contains(&u, b"SECTION"));
    }
    // Inside the line, `CLASSIFICATION_INSIDE` is searched when these words occur.
    if contains(&u, b"UNCLAS") || contains(&u, b"SECRET") || contains(&u, b"CONFIDENTIAL") {
        return !classification_inside(&u);
    }
    true
}

/// `_classification.CLASSIFICATION_INSIDE.search(u) is not None`: a marking not after a
/// letter, then (with every way the optional parts can be read) an origin of one to four
/// words and a serial of three to seven digits.
pub(crate) fn classification_inside(u: &[u8]) -> bool {
    const WORDS: [&[u8]; 12] = [
        b"UUNCLASSIFIED", b"UUNCLAS", b"UNCLASSIFIED", b"UNCLAS", b"CONFIDENTIAL", b"C O N F I D E N T I A L",
        b"TOP SECRET", b"SECRET", b"T O P S E C R E T", b"S E C R E T", b"LIMITED OFFICIAL USE", b"RESTRICTED",
    ];
    let at = |i: usize, w: &[u8]| u.len() >= i + w.len() && &u[i..i + w.len()] == w;
    let digit_run = |i: usize| u[i.min(u.len())..].iter().take_while(|&&b| is_digit(b)).count();
    // ` ?(?P<origin>[A-Z][A-Z.'-]*(?: [A-Z][A-Z.'-]*){0,3}) (?P<serial>\d{3,7})(?![0-9])`
    let origin_serial = |q: usize| {
        let starts = if at(q, b" ") { vec![q + 1, q] } else { vec![q] };
        starts.into_iter().any(|mut r| {
            for _ in 0..4 {
                if r >= u.len() || !is_upper(u[r]) {
                    return false;
                }
                let we = r + u[r..].iter().take_while(|&&b| is_upper(b) || matches!(b, b'.' | b'\'' | b'-')).count();
                if at(we, b" ") && (3..=7).contains(&digit_run(we + 1)) {
                    return true;
                }
                if !at(we, b" ") {
                    return false;
                }
                r = we + 1;
            }
            false
        })
    };
    for p in 0..u.len() {
        if p > 0 && is_upper(u[p - 1]) {
            continue;
        }
        for w in WORDS {
            if !at(p, w) {
                continue;
            }
            let e = p + w.len();
            let mut ends = vec![e];
            if at(e, b" EFTO") {
                ends.push(e + 5);
            }
            if at(e, b" E F T O") {
                ends.push(e + 8);
            }
            // ` ?(?:FINAL )?SECTION (\d{1,3}) OF (\d{1,3})`
            let mut with_section = Vec::new();
            for &e2 in &ends {
                for s0 in [e2, e2 + 1] {
                    if s0 == e2 + 1 && !at(e2, b" ") {
                        continue;
                    }
                    for s1 in [s0, s0 + 6] {
                        if s1 == s0 + 6 && !at(s0, b"FINAL ") {
                            continue;
                        }
                        if at(s1, b"SECTION ") {
                            let k = s1 + 8;
                            let a = digit_run(k);
                            if (1..=3).contains(&a) && at(k + a, b" OF ") {
                                let b = digit_run(k + a + 4);
                                if (1..=3).contains(&b) {
                                    with_section.push(k + a + 4 + b);
                                }
                            }
                        }
                    }
                }
            }
            ends.extend(with_section);
            if ends.into_iter().any(|q| origin_serial(q)) {
                return true;
            }
        }
    }
    false
}

/// The markings `_classification._WORD` opens with.
pub(crate) const MARKINGS: [&[u8]; 12] = [
    b"UNCLAS", b"UUNCLAS", b"UNCLASSIFIED", b"UUNCLASSIFIED", b"CONFIDENTIAL", b"C O N F I D E N T I A L",
    b"TOP SECRET", b"SECRET", b"T O P S E C R E T", b"S E C R E T", b"LIMITED OFFICIAL USE", b"RESTRICTED",
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_classification_line_names_origin_and_serial() {
        let c = classification(b"UNCLAS SECTION 01 OF 02 TEL AVIV 000896 SIPDIS").unwrap();
        assert_eq!((c.word, c.efto, c.sec, c.secs), (&b"UNCLAS"[..], false, Some(&b"01"[..]), Some(&b"02"[..])));
        assert_eq!((c.origin, c.serial, c.tail), (&b"TEL AVIV"[..], &b"000896"[..], Some(40)));
        let c = classification(b"C O N F I D E N T I A L E F T O BERN 000896").unwrap();
        assert_eq!((c.word, c.efto, c.origin), (&b"C O N F I D E N T I A L"[..], true, &b"BERN"[..]));
    }

    #[test]
    fn lines_without_origin_and_serial_are_not_read() {
        assert!(classification(b"UNCLASSIFIED").is_none());
        assert!(classification(b"SECRET ASTANA 12").is_none());
        assert!(classification(b"SECRET A B C D E 000179").is_none());
        assert!(classification(b"UNCLAS  ASTANA 000179").is_none());
    }

    #[test]
    fn a_marking_inside_a_line_needs_origin_and_serial() {
        assert!(classification_inside(b"2007-09-13 07BERN896 UNCLASSIFIED BERN 000896"));
        assert!(classification_inside(b"X SECRET FINAL SECTION 2 OF 2 ST. PETERSBURG 1234"));
        assert!(!classification_inside(b"XUNCLAS BERN 000896"));
        assert!(!classification_inside(b"UNCLASSIFIED//FOR OFFICIAL USE ONLY"));
    }

    #[test]
    fn wrapper_lines_are_passed_over_but_markings_and_paragraphs_are_not() {
        assert!(skippable(b"Thursday, 11 October 2007, 13:48", true));
        assert!(skippable(b"UNCLASSIFIED", false));
        assert!(!skippable(b"1. (U) Text", false));
        assert!(!skippable(b"SECRET SECTION 01 OF 02", false));
        assert!(!skippable(b"RUEHC/SECSTATE WASHDC", true));
        assert!(skippable(b"RUEHC/SECSTATE WASHDC", false));
        assert!(!skippable(b"PAGE 02 RUEHTA", false));
    }
}
