//! Addressees (`FM`, `TO`, `INFO`, `XMT` lines), as `addressees.parse_addressee` reads the
//! plain form: optional `RI/`, the PLAD, an optional `//office//`, precedence and MCN.

use crate::text::*;

// ---------------------------------------------------------------------------------------
// Addressees.

pub(crate) const PRECEDENCE_WORDS: [&[u8]; 4] = [b"IMMEDIATE", b"PRIORITY", b"ROUTINE", b"FLASH"];

pub(crate) fn is_plad_char(b: u8) -> bool {
    is_upper(b) || is_digit(b) || matches!(b, b'.' | b'&' | b'\'' | b'(' | b')' | b'-')
}

/// `[0-9]{4,6}(?:-[0-9]{4,6})?`, the whole word.
pub(crate) fn is_mcn(w: &[u8]) -> bool {
    let run = |from: usize| w[from..].iter().take_while(|&&b| is_digit(b)).count();
    let a = run(0);
    if !(4..=6).contains(&a) {
        return false;
    }
    if a == w.len() {
        return true;
    }
    if w[a] != b'-' {
        return false;
    }
    let b = run(a + 1);
    (4..=6).contains(&b) && a + 1 + b == w.len()
}

/// Whether the words are a precedence/MCN tail: `(?:PREC(?: MCN)?|MCN)` and nothing more.
pub(crate) fn is_tail(ws: &[&[u8]]) -> bool {
    match ws.len() {
        1 => PRECEDENCE_WORDS.contains(&ws[0]) || is_mcn(ws[0]),
        2 => {
            (ws[0] == b"NIACT" && ws[1] == b"IMMEDIATE") || (PRECEDENCE_WORDS.contains(&ws[0]) && is_mcn(ws[1]))
        }
        3 => ws[0] == b"NIACT" && ws[1] == b"IMMEDIATE" && is_mcn(ws[2]),
        _ => false,
    }
}

pub(crate) struct Addr<'a> {
    pub(crate) ri: Option<&'a [u8]>,
    pub(crate) plad: &'a [u8],
    pub(crate) office: Option<&'a [u8]>,
    pub(crate) prec: Option<&'a [u8]>,
    pub(crate) mcn: Option<&'a [u8]>,
    pub(crate) raw: &'a [u8],
}

/// `_formats.PAGE`, `PAGE +\d{1,3}(?: +[A-Z0-9#/]+)*`, the whole (single-spaced) line.
pub(crate) fn is_acp_page(c: &[u8]) -> bool {
    let ws: Vec<&[u8]> = c.split(|&b| b == b' ').collect();
    ws.len() >= 2
        && ws[0] == b"PAGE"
        && (1..=3).contains(&ws[1].len())
        && all(ws[1], is_digit)
        && ws[2..].iter().all(|w| !w.is_empty() && all(w, |b| is_upper(b) || is_digit(b) || b == b'#' || b == b'/'))
}

/// Whether addressee text opens with the word `XMT` (`XMT FOO`, `XMT/FOO`, `XMT`) or holds
/// `XMT/` anywhere: an exemption form, left to the Python parsers.
pub(crate) fn is_exemption(c: &[u8]) -> bool {
    (c.starts_with(b"XMT") && !c.get(3).is_some_and(|&b| is_word(b))) || contains(c, b"XMT/")
}

/// One addressee, the whole of `c` (no blanks at either end): optional `RI/`, the PLAD, an
/// optional `//office//`, an optional precedence and MCN, as `addressees.parse_addressee`
/// reads the plain form (the PLAD is the shortest run of words after which the rest is a
/// precedence/MCN tail; the office the shortest run after `//` that leaves such a tail).
pub(crate) fn addressee(c: &[u8], max_chars: usize) -> Option<Addr<'_>> {
    // `ZEN/` pseudo-routes are left to the Python parsers (`ZEN//X` reads differently there).
    if c.len() > max_chars || c.starts_with(b"PAGE ") || c.starts_with(b"ZEN/") || contains(c, b"  ") || c.contains(&b'\t') {
        return None;
    }
    // Exemption forms (`XMT FOO`, `XMT/FOO`, `... XMT/FOO`) are read by the Python parsers only.
    if is_exemption(c) {
        return None;
    }
    let mut rest = c;
    let mut ri = None;
    if let Some(slash) = c.iter().position(|&b| b == b'/') {
        // `RI/` unless the first slash opens the office (then the pattern reads no RI).
        if c.get(slash + 1) != Some(&b'/') {
            let p = &c[..slash];
            if (4..=8).contains(&p.len()) && (p[0] == b'R' || p[0] == b'Q') && all(p, is_upper) {
                ri = Some(p);
                rest = &c[slash + 1..];
            } else {
                return None;
            }
        }
    }
    let (plad_part, office_part) = match find(rest, b"//", 0) {
        Some(k) => (&rest[..k], Some(&rest[k + 2..])),
        None => (rest, None),
    };
    if plad_part.contains(&b'/') {
        return None;
    }
    let ws = words(plad_part)?;
    let w0 = ws[0];
    if !(is_upper(w0[0]) || is_digit(w0[0])) || !all(w0, is_plad_char) {
        return None;
    }
    // A PLAD may open with a digit (`39OS INCIRLIK AB TU`) as parse_addressee reads it, but
    // not when the words are nothing but a precedence/MCN tail (`1234`: no PLAD there).
    if is_digit(w0[0]) && is_tail(&ws) {
        return None;
    }
    for word in [&b"NIACT"[..], b"IMMEDIATE", b"PRIORITY", b"ROUTINE", b"FLASH"] {
        if rest.starts_with(word) && (rest.len() == word.len() || !is_word(rest[word.len()])) {
            return None;
        }
    }
    if let Some(o) = office_part {
        // Before `//` no tail can end the line, so every word is the PLAD's.
        if !ws.iter().all(|w| all(w, is_plad_char)) {
            return None;
        }
        let is_office_char = |b: u8| is_upper(b) || is_digit(b) || matches!(b, b'/' | b' ' | b'.' | b'&' | b'(' | b')' | b'\'' | b'-');
        let mut l = 0;
        loop {
            if let Some((prec, mcn)) = office_tail(&o[l..]) {
                return Some(Addr { ri, plad: plad_part, office: Some(&o[..l]), prec, mcn, raw: c });
            }
            if l < o.len() && is_office_char(o[l]) {
                l += 1;
            } else {
                return None;
            }
        }
    }
    let mut j = 1;
    while j < ws.len() && !is_tail(&ws[j..]) {
        if !all(ws[j], is_plad_char) {
            return None;
        }
        j += 1;
    }
    let plad_len: usize = ws[..j].iter().map(|w| w.len()).sum::<usize>() + (j - 1);
    let plad = &rest[..plad_len];
    let tail = &ws[j..];
    let (mut prec, mut mcn) = (None, None);
    let mut k = 0;
    if tail.len() >= 2 && tail[0] == b"NIACT" && tail[1] == b"IMMEDIATE" {
        let start = plad_len + 1;
        prec = Some(&rest[start..start + 15]);
        k = 2;
    } else if !tail.is_empty() && PRECEDENCE_WORDS.contains(&tail[0]) {
        prec = Some(tail[0]);
        k = 1;
    }
    if k < tail.len() && is_mcn(tail[k]) {
        mcn = Some(tail[k]);
        k += 1;
    }
    if k != tail.len() {
        return None;
    }
    Some(Addr { ri, plad, office: None, prec, mcn, raw: c })
}

/// `(?: (?P<prec>PRECEDENCE))?(?: (?P<mcn>MCN))?` and the line end, after an office.
pub(crate) fn office_tail(r: &[u8]) -> Option<(Option<&[u8]>, Option<&[u8]>)> {
    let mut options: Vec<(Option<&[u8]>, &[u8])> = Vec::with_capacity(2);
    for p in [&b"NIACT IMMEDIATE"[..], b"IMMEDIATE", b"PRIORITY", b"ROUTINE", b"FLASH"] {
        if r.len() > p.len() && r[0] == b' ' && r[1..].starts_with(p) {
            options.push((Some(&r[1..1 + p.len()]), &r[1 + p.len()..]));
        }
    }
    options.push((None, r));
    for (prec, r2) in options {
        if r2.is_empty() {
            return Some((prec, None));
        }
        if r2[0] == b' ' && is_mcn(&r2[1..]) {
            return Some((prec, Some(&r2[1..])));
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parts(c: &[u8]) -> Option<(Option<&[u8]>, &[u8], Option<&[u8]>, Option<&[u8]>, Option<&[u8]>)> {
        addressee(c, 200).map(|a| (a.ri, a.plad, a.office, a.prec, a.mcn))
    }

    #[test]
    fn an_addressee_has_an_ri_a_plad_a_precedence_and_an_mcn() {
        assert_eq!(
            parts(b"RUEHC/SECSTATE WASHDC IMMEDIATE 7388"),
            Some((Some(&b"RUEHC"[..]), &b"SECSTATE WASHDC"[..], None, Some(&b"IMMEDIATE"[..]), Some(&b"7388"[..])))
        );
        assert_eq!(parts(b"AMEMBASSY ASTANA"), Some((None, &b"AMEMBASSY ASTANA"[..], None, None, None)));
        assert_eq!(
            parts(b"AMEMBASSY KUWAIT NIACT IMMEDIATE 0001"),
            Some((None, &b"AMEMBASSY KUWAIT"[..], None, Some(&b"NIACT IMMEDIATE"[..]), Some(&b"0001"[..])))
        );
        assert_eq!(parts(b"AIG 7011"), Some((None, &b"AIG"[..], None, None, Some(&b"7011"[..]))));
    }

    #[test]
    fn an_office_follows_two_slashes() {
        assert_eq!(
            parts(b"RUEKJCS/JOINT STAFF WASHDC//J-3/J-5// PRIORITY 1234"),
            Some((
                Some(&b"RUEKJCS"[..]),
                &b"JOINT STAFF WASHDC"[..],
                Some(&b"J-3/J-5//"[..]),
                Some(&b"PRIORITY"[..]),
                Some(&b"1234"[..])
            ))
        );
    }

    #[test]
    fn unusual_forms_are_left_to_the_python_parsers() {
        for line in [
            &b"IMMEDIATE"[..],
            b"1234",
            b"ZEN//ECJ4-ID//",
            b"PAGE 02 RUEHTA",
            b"SECSTATE  WASHDC",
            b"SECSTATE\tWASHDC",
            b"RUE/SECSTATE",
            b"A/B/C",
            b"lower case",
        ] {
            assert!(addressee(line, 200).is_none(), "{}", String::from_utf8_lossy(line));
        }
        assert!(addressee(b"AMEMBASSY ASTANA", 10).is_none());
    }

    #[test]
    fn exemption_forms_are_left_to_the_python_parsers() {
        for line in [&b"XMT AMEMBASSY X"[..], b"XMT/AMEMBASSY X", b"XMT", b"RUEHC/SECSTATE WASHDC XMT/AMEMBASSY X"] {
            assert!(is_exemption(line));
            assert!(addressee(line, 200).is_none(), "{}", String::from_utf8_lossy(line));
        }
        for line in [&b"AMEMBASSY XMTX"[..], b"XMTX BASE", b"AMEMBASSY MIXMT"] {
            assert!(!is_exemption(line));
            assert!(addressee(line, 200).is_some(), "{}", String::from_utf8_lossy(line));
        }
    }

    #[test]
    fn mcns_and_tails() {
        assert!(is_mcn(b"1234") && is_mcn(b"123456") && is_mcn(b"1234-5678"));
        assert!(!is_mcn(b"123") && !is_mcn(b"1234567") && !is_mcn(b"1234-") && !is_mcn(b"12A4"));
        assert!(is_tail(&[b"NIACT", b"IMMEDIATE", b"1234"]));
        assert!(!is_tail(&[b"NIACT"]));
        assert!(is_acp_page(b"PAGE 02 RUEHTA 0179"));
        assert!(!is_acp_page(b"PAGE 1234 X"));
    }
}
