//! The body: closing lines, page-break artefacts, paragraph marks and the signer
//! (`_body.read_body`, `lines.strip_page_artefacts`).

use crate::text::*;

/// `NNNN|BT|#\d{3,5}|=+[A-Z ]*=+|[.\"'\\ ]+|<< ?END OF DOCUMENT ?>>`, case-insensitive, whole.
pub(crate) fn is_trailer(s: &[u8]) -> bool {
    let u = s.to_ascii_uppercase();
    if u == b"NNNN" || u == b"BT" {
        return true;
    }
    if u.len() >= 4 && u.len() <= 6 && u[0] == b'#' && all(&u[1..], is_digit) {
        return true;
    }
    if u.len() >= 2 && u[0] == b'=' && u[u.len() - 1] == b'=' {
        let a = u.iter().take_while(|&&b| b == b'=').count();
        if a == u.len() {
            return true;
        }
        let b = u.iter().rev().take_while(|&&b| b == b'=').count();
        if all(&u[a..u.len() - b], |c| is_upper(c) || c == b' ') {
            return true;
        }
    }
    if !u.is_empty() && all(&u, |c| matches!(c, b'.' | b'"' | b'\'' | b'\\' | b' ')) {
        return true;
    }
    if let Some(r) = u.strip_prefix(b"<<") {
        let r = r.strip_prefix(b" ").unwrap_or(r);
        if let Some(r) = r.strip_prefix(b"END OF DOCUMENT") {
            let r = r.strip_prefix(b" ").unwrap_or(r);
            return r == b">>";
        }
    }
    false
}


/// `[ \t]*[A-Z][A-Z .'-]{0,30} 0\d{7} +\d{3}(?:\.\d)? OF \d{1,3}(?:\.\.\.)?[ \t]*`, whole line.
pub(crate) fn is_page_line(l: &[u8]) -> bool {
    let l = strip(l);
    if l.is_empty() || !is_upper(l[0]) {
        return false;
    }
    let Some(d) = l.iter().position(|&b| is_digit(b)) else { return false };
    // The middle runs from 1 to the blank before the first digit.
    if d < 2 || l[d - 1] != b' ' || d - 2 > 30 || !all(&l[1..d - 1], |b| is_upper(b) || matches!(b, b' ' | b'.' | b'\'' | b'-')) {
        return false;
    }
    let mut k = d;
    let run = l[k..].iter().take_while(|&&b| is_digit(b)).count();
    if run != 8 || l[k] != b'0' {
        return false;
    }
    k += 8;
    let sp = l[k..].iter().take_while(|&&b| b == b' ').count();
    if sp == 0 {
        return false;
    }
    k += sp;
    let run = l[k..].iter().take_while(|&&b| is_digit(b)).count();
    if run != 3 {
        return false;
    }
    k += 3;
    if k + 1 < l.len() && l[k] == b'.' && is_digit(l[k + 1]) {
        k += 2;
    }
    if !l[k..].starts_with(b" OF ") {
        return false;
    }
    k += 4;
    let run = l[k..].iter().take_while(|&&b| is_digit(b)).count();
    if !(1..=3).contains(&run) {
        return false;
    }
    k += run;
    let rest = &l[k..];
    rest.is_empty() || rest == b"..."
}

/// `lines.strip_page_artefacts`.
pub(crate) fn strip_pages(body: &[u8]) -> Option<Vec<u8>> {
    let mut pos = find(body, b" OF 0", 0)?;
    let mut keep: Vec<u8> = Vec::with_capacity(body.len());
    let mut start = 0;
    let mut removed = 0;
    loop {
        let ls = rfind_byte(body, b'\n', pos).map_or(0, |p| p + 1);
        let le = find_byte(body, b'\n', pos).unwrap_or(body.len());
        if is_page_line(&body[ls..le]) {
            keep.extend_from_slice(&body[start.min(ls)..ls]);
            start = le + 1;
            removed += 1;
        }
        match find(body, b" OF 0", le) {
            Some(p) => pos = p,
            None => break,
        }
    }
    if removed == 0 {
        return None;
    }
    if start < body.len() {
        keep.extend_from_slice(&body[start..]);
    }
    Some(keep)
}

pub(crate) const MARK_WORDS: [&[u8]; 9] = [b"SBU", b"U", b"C", b"S", b"TS", b"LOU", b"FOUO", b"R", b"NF"];

/// The paragraph classification marks of `_body._PARAGRAPH_MARK`, distinct, in order.
pub(crate) fn marks(b: &[u8]) -> Vec<&[u8]> {
    let mut out: Vec<&[u8]> = Vec::new();
    let mut i = 0;
    while let Some(p) = find_byte(b, b'(', i) {
        i = p + 1;
        let q = p + 1;
        // Look-ahead: a mark word followed by `/`, `)` or `-`.
        let ahead = MARK_WORDS
            .iter()
            .any(|w| b[q..].starts_with(w) && q + w.len() < b.len() && matches!(b[q + w.len()], b'/' | b')' | b'-'));
        if !ahead {
            continue;
        }
        // Look-behind: a digit, a full stop and 0 to 4 blanks before the `(`.
        let mut behind = false;
        for blanks in 0..=4usize {
            if p < blanks + 2 {
                break;
            }
            if all(&b[p - blanks..p], is_blank) && b[p - blanks - 1] == b'.' && is_digit(b[p - blanks - 2]) {
                behind = true;
                break;
            }
        }
        if !behind {
            continue;
        }
        for w in MARK_WORDS {
            if !b[q..].starts_with(w) {
                continue;
            }
            let k = q + w.len();
            let mut end = None;
            if k + 1 < b.len() && matches!(b[k], b'/' | b'-') && is_upper(b[k + 1]) {
                let run = b[k + 2..].iter().take(15).take_while(|&&c| is_upper(c) || c == b' ').count();
                if run <= 14 && k + 2 + run < b.len() && b[k + 2 + run] == b')' {
                    end = Some(k + 2 + run);
                }
            }
            if end.is_none() && k < b.len() && b[k] == b')' {
                end = Some(k);
            }
            if let Some(e) = end {
                let mark = &b[q..e];
                if !out.contains(&mark) {
                    out.push(mark);
                }
                i = e + 1;
                break;
            }
        }
    }
    out
}


/// `_body.signer_of` on the body's last line. The line may hold the few non-ASCII
/// characters `plain_chars` admits: none is white space or a cased letter, and a name never
/// holds one, so reading bytes gives Python's answer.
pub(crate) fn signer(line: &[u8]) -> Option<Vec<u8>> {
    let mut s = strip(line);
    while let Some((&last, rest)) = s.split_last() {
        if matches!(last, b'\\' | b' ' | b'\t') {
            s = rest;
        } else {
            break;
        }
    }
    if s.is_empty() || matches!(s[s.len() - 1], b'.' | b',' | b':' | b';') {
        return None;
    }
    if let Some(p) = s.windows(2).rposition(|w| w == b". ") {
        s = strip(&s[p + 2..]);
        let has_upper = s.iter().any(|c| c.is_ascii_uppercase());
        if !has_upper || s.iter().any(|c| c.is_ascii_lowercase()) {
            return None;
        }
    }
    if s.len() > 40 || !is_signer(s) {
        return None;
    }
    let upper = s.to_ascii_uppercase();
    const NOT_SIGNERS: [&[u8]; 10] =
        [b"COMMENT", b"TEXT", b"NOTE", b"SUMMARY", b"NONE", b"SIPDIS", b"SENSITIVE", b"UNCLASSIFIED", b"BT", b"NNNN"];
    if NOT_SIGNERS.contains(&upper.as_slice()) || upper.starts_with(b"END ") || upper == b"END" {
        return None;
    }
    Some(collapse(&upper))
}

/// `[A-Za-z][A-Za-z'-]*(?: [A-Za-z][A-Za-z'-]*){0,2}`, the whole of `s`.
pub(crate) fn is_signer(s: &[u8]) -> bool {
    let ws: Vec<&[u8]> = s.split(|&c| c == b' ').collect();
    ws.len() <= 3
        && ws.iter().all(|w| {
            !w.is_empty() && w[0].is_ascii_alphabetic() && w.iter().all(|&c| c.is_ascii_alphabetic() || c == b'\'' || c == b'-')
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn closing_lines_are_trailers() {
        for line in [&b"NNNN"[..], b"bt", b"#0179", b"====", b"== END ==", b"\\\\", b". .", b"<< END OF DOCUMENT >>", b"<<END OF DOCUMENT>>"] {
            assert!(is_trailer(line), "{}", String::from_utf8_lossy(line));
        }
        for line in [&b"#12"[..], b"=X", b"SPRATLEN", b"<< END >>"] {
            assert!(!is_trailer(line), "{}", String::from_utf8_lossy(line));
        }
    }

    #[test]
    fn running_page_headers_are_removed() {
        assert!(is_page_line(b"ASTANA 00000179  002 OF 003"));
        assert!(is_page_line(b"  TEL AVIV 00000896 001.2 OF 2..."));
        assert!(!is_page_line(b"ASTANA 0000179 002 OF 003"));
        let body = b"1. TEXT\nASTANA 00000179  002 OF 003\n2. MORE\n";
        assert_eq!(strip_pages(body), Some(b"1. TEXT\n2. MORE\n".to_vec()));
        assert_eq!(strip_pages(b"1. NOTHING OF 0 HERE\n"), None);
    }

    #[test]
    fn paragraph_marks_follow_a_paragraph_number() {
        let body = b"1. (U) A\n2.(SBU) B\n3.  (S/NF) C\n4. (U) D\n(C) not after a number\n5. (X) unknown";
        assert_eq!(marks(body), vec![&b"U"[..], b"SBU", b"S/NF"]);
    }

    #[test]
    fn the_signer_is_a_name_on_the_last_line() {
        let sign = |l: &str| signer(l.as_bytes()).map(|v| String::from_utf8(v).unwrap());
        assert_eq!(sign("SPRATLEN"), Some("SPRATLEN".into()));
        assert_eq!(sign("End Text. AGUIRRE \\\\"), Some("AGUIRRE".into()));
        assert_eq!(sign("O'Neil-Smith Jr"), Some("O'NEIL-SMITH JR".into()));
        assert_eq!(sign("BEYRLE."), None);
        assert_eq!(sign("Thanks. ok"), None);
        assert_eq!(sign("A B C D"), None);
        assert_eq!(sign("COMMENT"), None);
        assert_eq!(sign("END TEXT"), None);
        assert_eq!(sign(&"X".repeat(41)), None);
        // The few non-ASCII characters the scanner admits are never part of a name.
        assert_eq!(sign("\u{2019}SPRATLEN\u{2019}"), None);
        assert_eq!(sign("See \u{b6}4. MILLER"), Some("MILLER".into()));
    }
}
