//! The heading, FL1 to the end of the address block (`header.parse_header`'s rules for
//! the clean standard form).

use crate::text::*;
use crate::address::*;

/// The address block an addressee line belongs to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Role {
    To,
    Info,
    Xmt,
}

/// `OPSIG.findall`: `\([^)]*\)?|\S+` over the operating signals after the FL4 letters.
pub(crate) fn opsigs(c: &[u8]) -> Vec<&[u8]> {
    let mut out = Vec::new();
    let mut i = 0;
    while i < c.len() {
        if c[i] == b' ' {
            i += 1;
            continue;
        }
        let start = i;
        if c[i] == b'(' {
            i = find_byte(c, b')', i).map_or(c.len(), |p| p + 1);
        } else {
            while i < c.len() && c[i] != b' ' {
                i += 1;
            }
        }
        out.push(&c[start..i]);
    }
    out
}

// ---------------------------------------------------------------------------------------
// The heading.

pub(crate) struct Heading<'a> {
    pub(crate) fl1: Option<(&'a [u8], &'a [u8], &'a [u8])>,
    pub(crate) routing: Option<(&'a [u8], Vec<&'a [u8]>)>,
    pub(crate) origin: Option<(&'a [u8], &'a [u8], Option<&'a [u8]>, Option<&'a [u8]>)>,
    pub(crate) security: Option<(&'a [u8], &'a [u8], Vec<&'a [u8]>, usize)>,
    pub(crate) fl5: (&'a [u8], Option<&'a [u8]>, &'a [u8], Vec<&'a [u8]>),
    pub(crate) fm: (Addr<'a>, usize),
    // Each addressee with its block and 1-based line.
    pub(crate) block: Vec<(Role, Addr<'a>, usize)>,
    // Page-break lines removed from the address block (1-based line numbers).
    pub(crate) pages: Vec<usize>,
    // 0-based index of the blank line closing the heading, and where the next text starts.
    pub(crate) end_line: usize,
    pub(crate) next: usize,
}

pub(crate) fn heading(t: &[u8], from: usize, max_addressees: usize, max_chars: usize) -> Option<Heading<'_>> {
    let mut pos = skip_blank_lines(t, from);
    // FL1 `VZCZC` + channel + serial.
    let mut fl1 = None;
    let (e, next) = eol_line(t, pos)?;
    let c = &t[pos..e];
    if c.starts_with(b"VZCZC") {
        let body = &c[5..];
        let ch = body.iter().take_while(|&&b| is_upper(b)).count();
        let se = body[ch..].iter().take_while(|&&b| is_digit(b)).count();
        if (1..=12).contains(&ch) && (1..=12).contains(&se) && ch + se == body.len() {
            fl1 = Some((c, &body[..ch], &body[ch..]));
            pos = skip_blank_lines(t, next);
        }
    }
    // FL2 routing line and its continuation lines.
    let mut routing = None;
    let (e, next) = eol_line(t, pos)?;
    if let Some(ws) = words(&t[pos..e]) {
        if matches!(ws[0], b"ZZ" | b"OO" | b"PP" | b"RR")
            && ws.len() >= 2
            && ws[1..].iter().all(|w| (4..=8).contains(&w.len()) && all(w, is_upper))
        {
            let mut ris: Vec<&[u8]> = ws[1..].to_vec();
            pos = next;
            loop {
                let Some((e, next)) = eol_line(t, pos) else { break };
                let Some(ws) = words(&t[pos..e]) else { break };
                if ws[0][0] == b'R' && ws.iter().all(|w| (4..=8).contains(&w.len()) && all(w, is_upper)) {
                    ris.extend(ws);
                    pos = next;
                } else {
                    break;
                }
            }
            routing = Some((ws[0], ris));
            pos = skip_blank_lines(t, pos);
        }
    }
    // FL3 `DE RI #SSN[/section] [filing time]`.
    let mut origin = None;
    let (e, next) = eol_line(t, pos)?;
    if let Some(ws) = words(&t[pos..e]) {
        if ws[0] == b"DE" && (ws.len() == 3 || ws.len() == 4) {
            let ri = ws[1];
            let f = ws[2];
            let ok_ri = (3..=8).contains(&ri.len()) && all(ri, is_upper);
            let mut filing_ok = true;
            let filing = if ws.len() == 4 {
                let w = ws[3];
                filing_ok = (w.len() == 7 && all(w, is_digit))
                    || (w.len() == 8 && all(&w[..2], is_digit) && w[2] == b'/' && all(&w[3..7], is_digit) && w[7] == b'Z');
                Some(w)
            } else {
                None
            };
            if ok_ri && filing_ok && f.len() >= 2 && f[0] == b'#' {
                let d = f[1..].iter().take_while(|&&b| is_digit(b)).count();
                let mut k = 1 + d;
                if k < f.len() && is_upper(f[k]) {
                    k += 1;
                }
                let ssn = &f[1..k];
                let mut section = None;
                let mut ok = (1..=6).contains(&d);
                if ok && k < f.len() {
                    let sd = f[k + 1..].iter().take_while(|&&b| is_digit(b)).count();
                    if f[k] == b'/' && (1..=3).contains(&sd) && k + 1 + sd == f.len() {
                        section = Some(&f[k + 1..]);
                    } else {
                        ok = false;
                    }
                }
                if ok {
                    origin = Some((ri, ssn, section, filing));
                    pos = skip_blank_lines(t, next);
                }
            }
        }
    }
    // FL4 `ZNR UUUUU` + operating signals.
    let mut security = None;
    let (e, next) = eol_line(t, pos)?;
    if let Some(ws) = words(&t[pos..e]) {
        if (ws[0] == b"ZNR" || ws[0] == b"ZNY") && ws.len() >= 2 {
            let l = ws[1];
            // `SECURITY`'s `[A-Z]{5}(?:/[A-Z]{5})?`; letters other than five identical known ones
            // are kept with an `unusual_security_letters` warning (Python's, from the letters).
            let ok = l.len() >= 5
                && all(&l[..5], is_upper)
                && (l.len() == 5 || (l.len() == 11 && l[5] == b'/' && all(&l[6..], is_upper)));
            let ops_ok = ws[2..].iter().all(|w| all(w, |b| (0x21..=0x60).contains(&b) || (0x7b..=0x7e).contains(&b)));
            if ok && ops_ok {
                let ops = if ws.len() > 2 {
                    let start = ws[2].as_ptr() as usize - t.as_ptr() as usize;
                    opsigs(&t[start..e])
                } else {
                    Vec::new()
                };
                let line = t[..pos].iter().filter(|&&b| b == b'\n').count() + 1;
                security = Some((ws[0], l, ops, line));
                pos = skip_blank_lines(t, next);
            }
        }
    }
    // FL5 precedence(s), DTG, operating signals: required.
    let (e, next) = eol_line(t, pos)?;
    let ws = words(&t[pos..e])?;
    let prosign = |w: &[u8]| w.len() == 1 && b"ZOPR".contains(&w[0]);
    if !prosign(ws[0]) {
        return None;
    }
    let mut k = 1;
    let mut info = None;
    if ws.len() > 1 && prosign(ws[1]) {
        info = Some(ws[1]);
        k = 2;
    }
    if ws.len() < k + 3 {
        return None;
    }
    let (d, m, y) = (ws[k], ws[k + 1], ws[k + 2]);
    if !(d.len() == 7 && all(&d[..6], is_digit) && d[6] == b'Z')
        || !(m.len() == 3 && all(m, is_upper))
        || !((y.len() == 2 || y.len() == 4) && all(y, is_digit))
    {
        return None;
    }
    let ops = ws[k + 3..].to_vec();
    if !ops.iter().all(|w| all(w, |b| is_upper(b) || is_digit(b) || b == b'#' || b == b'/')) {
        return None;
    }
    let dtg_start = d.as_ptr() as usize - t.as_ptr() as usize;
    let dtg_end = y.as_ptr() as usize - t.as_ptr() as usize + y.len();
    let fl5 = (ws[0], info, &t[dtg_start..dtg_end], ops);
    pos = skip_blank_lines(t, next);
    // FM: required.
    let (e, next) = eol_line(t, pos)?;
    let c = &t[pos..e];
    if !c.starts_with(b"FM ") || c.len() < 4 || is_blank(c[3]) {
        return None;
    }
    let fm_line = t[..pos].iter().filter(|&&b| b == b'\n').count() + 1;
    let fm = addressee(&c[3..], max_chars)?;
    pos = skip_blank_lines(t, next);
    // The address block, up to the first blank line.
    let rest = &t[pos..];
    if !(rest.starts_with(b"TO ") || rest.starts_with(b"INFO ") || rest.starts_with(b"XMT ")) {
        return None;
    }
    let mut line = t[..pos].iter().filter(|&&b| b == b'\n').count() + 1;
    let mut block = Vec::new();
    let mut pages = Vec::new();
    let mut kind = Role::To;
    loop {
        let nl = find_byte(t, b'\n', pos)?;
        let e = trim_end_blanks(t, pos, nl);
        if e == pos {
            // A blank line (only blanks before its line end) closes the block.
            break;
        }
        let c = &t[pos..e];
        // Inline exemptions are left to the Python parsers (the whole line, blanks included).
        if contains(&t[pos..nl], b" XMT ") {
            return None;
        }
        let a = if let Some(r) = c.strip_prefix(b"TO ") {
            kind = Role::To;
            r
        } else if let Some(r) = c.strip_prefix(b"INFO ") {
            kind = Role::Info;
            r
        } else if let Some(r) = c.strip_prefix(b"XMT ") {
            kind = Role::Xmt;
            r
        } else if c.starts_with(b"PAGE ") && is_acp_page(c) {
            c
        } else {
            let w = &c[..c.iter().take_while(|&&b| is_word(b)).count()];
            if matches!(
                w,
                b"TO" | b"INFO" | b"XMT" | b"BT" | b"NNNN" | b"PAGE" | b"UNCLAS" | b"UUNCLAS" | b"UNCLASSIFIED"
                    | b"CONFIDENTIAL" | b"SECRET" | b"TOP" | b"C" | b"S" | b"T" | b"LIMITED" | b"RESTRICTED"
            ) {
                return None;
            }
            c
        };
        if a.starts_with(b"PAGE ") && is_acp_page(a) {
            // A page-break line (`PAGE 02 ...`), alone or after the keyword: parse_header
            // removes it with a warning.
            pages.push(line);
            line += 1;
            pos = nl + 1;
            continue;
        }
        let a = addressee(a, max_chars)?;
        block.push((kind, a, line));
        if block.len() > max_addressees {
            return None;
        }
        line += 1;
        pos = nl + 1;
    }
    // `pos` is the blank line; the heading ends there.
    let end_line = line - 1;
    let next = skip_blank_lines(t, pos);
    Some(Heading { fl1, routing, origin, security, fl5, fm: (fm, fm_line), block, pages, end_line, next })
}

#[cfg(test)]
mod tests {
    use super::*;

    const HEADING: &[u8] = b"VZCZCXRO1169\nOO RUEHIK\nRUEHXX RUEHYY\nDE RUEHTA #0179/01 0420828\nZNR UUUUU ZZH\n\
O 110828Z FEB 10\nFM AMEMBASSY ASTANA\nTO RUEHC/SECSTATE WASHDC IMMEDIATE 7388\nINFO RUCNCIS/CIS COLLECTIVE 2441\n\
RUEHBJ/AMEMBASSY BEIJING 1801\nXMT AMEMBASSY X\n\nUNCLAS ASTANA 000179\n";

    #[test]
    fn the_standard_heading_is_read_line_by_line() {
        let h = heading(HEADING, 0, 100, 200).expect("a standard heading");
        assert_eq!(h.fl1, Some((&b"VZCZCXRO1169"[..], &b"XRO"[..], &b"1169"[..])));
        let (prosign, ris) = h.routing.as_ref().unwrap();
        assert_eq!((*prosign, ris.clone()), (&b"OO"[..], vec![&b"RUEHIK"[..], b"RUEHXX", b"RUEHYY"]));
        assert_eq!(h.origin, Some((&b"RUEHTA"[..], &b"0179"[..], Some(&b"01"[..]), Some(&b"0420828"[..]))));
        let (signal, letters, ops, line) = h.security.as_ref().unwrap();
        assert_eq!((*signal, *letters, ops.clone(), *line), (&b"ZNR"[..], &b"UUUUU"[..], vec![&b"ZZH"[..]], 5));
        assert_eq!(h.fl5.0, b"O");
        assert_eq!(h.fl5.2, b"110828Z FEB 10");
        assert_eq!((h.fm.0.plad, h.fm.1), (&b"AMEMBASSY ASTANA"[..], 7));
        let block: Vec<(Role, &[u8], usize)> = h.block.iter().map(|(r, a, l)| (*r, a.plad, *l)).collect();
        assert_eq!(
            block,
            vec![
                (Role::To, &b"SECSTATE WASHDC"[..], 8),
                (Role::Info, b"CIS COLLECTIVE", 9),
                (Role::Info, b"AMEMBASSY BEIJING", 10),
                (Role::Xmt, b"AMEMBASSY X", 11),
            ]
        );
        assert_eq!(h.end_line, 11);
        assert!(HEADING[h.next..].starts_with(b"UNCLAS"));
    }

    #[test]
    fn a_heading_without_fl5_or_fm_or_addressees_is_refused() {
        let without = |line: &[u8]| {
            let i = HEADING.windows(line.len()).position(|w| w == line).unwrap();
            [&HEADING[..i], &HEADING[i + line.len()..]].concat()
        };
        assert!(heading(&without(b"O 110828Z FEB 10\n"), 0, 100, 200).is_none());
        assert!(heading(&without(b"FM AMEMBASSY ASTANA\n"), 0, 100, 200).is_none());
        assert!(heading(&without(b"TO RUEHC/SECSTATE WASHDC IMMEDIATE 7388\nINFO RUCNCIS/CIS COLLECTIVE 2441\n\
RUEHBJ/AMEMBASSY BEIJING 1801\nXMT AMEMBASSY X\n"), 0, 100, 200)
            .is_none());
    }

    #[test]
    fn inline_exemptions_and_too_many_addressees_are_refused() {
        // `RUEHBJ/AMEMBASSY BEIJING 1801 XMT AMEMBASSY Y`, the XMT line dropped.
        let inline = [&HEADING[..HEADING.len() - 39], b" XMT AMEMBASSY Y\n\nUNCLAS ASTANA 000179\n"].concat();
        assert!(inline.windows(46).any(|w| w == b"RUEHBJ/AMEMBASSY BEIJING 1801 XMT AMEMBASSY Y\n"));
        assert!(heading(HEADING, 0, 4, 200).is_some());
        assert!(heading(HEADING, 0, 3, 200).is_none());
        assert!(heading(&inline, 0, 100, 200).is_none());
    }

    #[test]
    fn operating_signals_split_at_blanks_outside_brackets() {
        assert_eq!(opsigs(b"ZZH (CCY TEXT ADX) ZFR"), vec![&b"ZZH"[..], b"(CCY TEXT ADX)", b"ZFR"]);
        assert_eq!(opsigs(b"(CCY"), vec![&b"(CCY"[..]]);
    }
}
