//! The text preamble: field markers, pieces and their folding into captions,
//! instructions, E.O., TAGS, SUBJECT and REF (`text._read_preamble`, `text._fold_pieces`,
//! `_preamble`).

use crate::text::*;
use crate::body::*;

// ---------------------------------------------------------------------------------------
// The text preamble, as `text._read_preamble` reads it (the usual field lines, `TAGS: ...`,
// without searching them for a marker when no further one can follow).

pub(crate) enum Piece {
    // A field marker (`TAGS:`): no text, but counts as a piece of its field.
    Marker(&'static str),
    Text(&'static str, String, usize),
}

/// `¶? ?\d{1,3} ?\.(?!\d)` at the start of a line that starts with a digit.
pub(crate) fn is_paragraph(s: &[u8]) -> bool {
    let n = s.iter().take_while(|&&b| is_digit(b)).count();
    if n == 0 || n > 3 {
        return false;
    }
    let mut k = n;
    if k < s.len() && s[k] == b' ' {
        k += 1;
    }
    k < s.len() && s[k] == b'.' && !(k + 1 < s.len() && is_digit(s[k + 1]))
}

/// `(?:\((?!U\))[A-Z]\)|[A-Z][.)]) ` at the start.
pub(crate) fn is_ref_item(s: &[u8]) -> bool {
    (s.len() >= 4 && s[0] == b'(' && is_upper(s[1]) && s[1] != b'U' && s[2] == b')' && s[3] == b' ')
        || (s.len() >= 3 && is_upper(s[0]) && (s[1] == b'.' || s[1] == b')') && s[2] == b' ')
}

/// `_preamble.FIELD_MARKER.search(s, from)` on an ASCII line with single spaces: the first
/// field marker (`E.O.` before `1dddd`, `TAGS`, `SUBJECT:`/`SUBJ:`, `REF:`/`REFS:`/`REFTEL:`,
/// and `SUBJECT`/`REF...` without a colon at the very start) at the start or after a blank:
/// (start, end, field).
pub(crate) fn field_marker(s: &[u8], from: usize) -> Option<(usize, usize, &'static str)> {
    let lower = |i: usize| if i < s.len() { s[i].to_ascii_lowercase() } else { 0 };
    let word_end = |i: usize| {
        let mut k = i;
        while k < s.len() && is_word(s[k]) {
            k += 1;
        }
        k
    };
    let word_is = |p: usize, e: usize, w: &[u8]| e - p == w.len() && s[p..e].eq_ignore_ascii_case(w);
    // ` ?:` after position e (the colon required).
    let colon = |e: usize| {
        if e < s.len() && s[e] == b':' {
            Some(e + 1)
        } else if e + 1 < s.len() && s[e] == b' ' && s[e + 1] == b':' {
            Some(e + 2)
        } else {
            None
        }
    };
    let mut p = from;
    while p < s.len() {
        let c = s[p].to_ascii_lowercase();
        if matches!(c, b'e' | b't' | b's' | b'r') && (p == 0 || s[p - 1] == b' ') {
            match c {
                b'e' => {
                    let mut i = p + 1;
                    if lower(i) == b'.' {
                        i += 1;
                    }
                    if lower(i) == b' ' {
                        i += 1;
                    }
                    if matches!(lower(i), b'o' | b'0') {
                        i += 1;
                        if lower(i) == b'.' {
                            i += 1;
                        }
                        if lower(i) == b' ' {
                            i += 1;
                        }
                        if i + 5 <= s.len() && s[i] == b'1' && all(&s[i + 1..i + 5], is_digit) {
                            return Some((p, i, "eo"));
                        }
                    }
                }
                b't' => {
                    let e = word_end(p);
                    if word_is(p, e, b"TAGS") {
                        let mut i = e;
                        if lower(i) == b' ' {
                            i += 1;
                        }
                        if lower(i) == b':' {
                            i += 1;
                        }
                        return Some((p, i, "tags"));
                    }
                }
                b's' => {
                    let e = word_end(p);
                    if word_is(p, e, b"SUBJ") || word_is(p, e, b"SUBJECT") {
                        if let Some(i) = colon(e) {
                            return Some((p, i, "subject"));
                        }
                        if p == 0 && word_is(p, e, b"SUBJECT") {
                            return Some((p, e, "subject"));
                        }
                    }
                }
                _ => {
                    let e = word_end(p);
                    if [&b"REF"[..], b"REFS", b"REFTEL", b"REFTELS"].iter().any(|w| word_is(p, e, w)) {
                        if let Some(i) = colon(e) {
                            return Some((p, i, "ref"));
                        }
                        if p == 0 {
                            return Some((p, e, "ref"));
                        }
                    }
                }
            }
        }
        p += 1;
    }
    None
}

/// `_preamble._next_field`: the cheap test for a further marker, then the search.
pub(crate) fn next_field(s: &[u8], pos: usize) -> Option<(usize, usize, &'static str)> {
    if !may_hold_marker(&s[pos - 1..]) {
        return None;
    }
    field_marker(s, pos)
}

/// `_preamble.split_fields`: the pieces of a line holding markers; the field at its end.
pub(crate) fn split_fields(
    s: &[u8],
    line: usize,
    mut field: &'static str,
    pieces: &mut Vec<Piece>,
    first: (usize, usize, &'static str),
) -> &'static str {
    let mut pos = 0;
    let mut fm = Some(first);
    while let Some((start, end, name)) = fm {
        if start > pos || start == 0 {
            let before = strip(&s[pos..start]);
            if !before.is_empty() {
                pieces.push(Piece::Text(field, std::str::from_utf8(before).expect("ASCII").to_owned(), line));
            }
        }
        field = name;
        pos = end;
        pieces.push(Piece::Marker(field));
        fm = next_field(s, pos);
    }
    let rest = strip(&s[pos..]);
    if !rest.is_empty() {
        pieces.push(Piece::Text(field, std::str::from_utf8(rest).expect("ASCII").to_owned(), line));
    }
    field
}

/// the Python loop (field markers inside lines, page artefacts, archive back-slashes).
pub(crate) fn preamble(
    t: &[u8],
    mut pos: usize,
    mut lineno: usize,
    mut pieces: Vec<Piece>,
    mut field: &'static str,
    mut seen_main: bool,
) -> Option<(Vec<Piece>, i64)> {
    let mut after_blank = false;
    let mut loose_start: i64 = -1;
    let mut loose_count = 0;
    let mut keep = 0;
    while pos < t.len() || (pos == t.len() && pos > 0 && t[pos - 1] == b'\n') {
        // Line `lineno` (1-based) runs from `pos` to its line end.
        let nl = find_byte(t, b'\n', pos).unwrap_or(t.len());
        let line = &t[pos..nl];
        let this = lineno;
        lineno += 1;
        let at_end = nl >= t.len();
        pos = nl + 1;
        let st = strip(line);
        if st.is_empty() {
            after_blank = true;
            if at_end {
                break;
            }
            continue;
        }
        // `s.rstrip("\\ \t")` when the line ends with a back-slash (archive copies).
        let mut st = st;
        if st.ends_with(b"\\") {
            while let Some((&last, rest)) = st.split_last() {
                if matches!(last, b'\\' | b' ' | b'\t') {
                    st = rest;
                } else {
                    break;
                }
            }
        }
        // `_normalise`: WikiLeaks pilcrows removed, blanks collapsed. One pass finds out
        // which of these the line needs.
        let (mut pilcrow, mut runs) = (false, false);
        for k in 0..st.len() {
            match st[k] {
                0xC2 => pilcrow |= st.get(k + 1) == Some(&0xB6),
                b' ' => runs |= st.get(k + 1) == Some(&b' '),
                b'\t' => runs = true,
                _ => {}
            }
        }
        let unpilcrowed: Vec<u8>;
        let st: &[u8] = if pilcrow {
            unpilcrowed = remove_all(st, PILCROW);
            let st = strip(&unpilcrowed);
            runs = contains(st, b"  ") || st.contains(&b'\t');
            st
        } else {
            st
        };
        let owned: Vec<u8>;
        let sv: &[u8] = if runs {
            owned = st.split(|&b| is_blank(b)).filter(|w| !w.is_empty()).collect::<Vec<_>>().join(&b' ');
            &owned
        } else {
            st
        };
        if sv.is_empty() {
            after_blank = true;
            if at_end {
                break;
            }
            continue;
        }
        if is_digit(sv[0]) && is_paragraph(sv) {
            return Some((pieces, this as i64 - 1));
        }
        if sv.eq_ignore_ascii_case(b"BT") {
            if at_end {
                break;
            }
            continue;
        }
        if sv.len() >= 5 && sv[..5].eq_ignore_ascii_case(b"PAGE ") {
            return None;
        }
        if find_ignore_case(sv, b" OF 0") && is_page_line(&sv.to_ascii_uppercase()) {
            // A running page header (`is_page_artefact`): skipped.
            if at_end {
                break;
            }
            continue;
        }
        let keyword = has_field_word(sv);
        if keyword {
            // Non-ASCII lines are searched with the full pattern by `_next_field`; the cheap
            // test before it never refuses a line the pattern would match, so `next_field`
            // reads them the same.
            let (new_field, end): (&'static str, usize) = if sv.starts_with(b"TAGS: ") {
                ("tags", 5)
            } else if sv.starts_with(b"SUBJECT: ") {
                ("subject", 8)
            } else if sv.starts_with(b"E.O. 1") && sv.len() >= 10 && all(&sv[6..10], is_digit) {
                ("eo", 5)
            } else if sv.starts_with(b"REF: ") {
                ("ref", 4)
            } else {
                ("", 0)
            };
            if end > 0 && next_field(sv, end).is_none() {
                field = new_field;
                pieces.push(Piece::Marker(field));
                let rest = strip(&sv[end..]);
                if !rest.is_empty() {
                    pieces.push(Piece::Text(field, s(rest).to_owned(), this));
                }
                seen_main = seen_main || field != "eo";
                after_blank = false;
                if at_end {
                    break;
                }
                continue;
            }
            if let Some(fm) = field_marker(sv, 0) {
                field = split_fields(sv, this, field, &mut pieces, fm);
                seen_main = seen_main || matches!(field, "subject" | "tags" | "ref");
                after_blank = false;
                if at_end {
                    break;
                }
                continue;
            }
        }
        if !field.is_empty() && (!after_blank || (field == "ref" && char_len(sv) < 100 && is_ref_item(sv))) {
            pieces.push(Piece::Text(field, s(sv).to_owned(), this));
            after_blank = false;
        } else if seen_main {
            return Some((pieces, this as i64 - 1));
        } else {
            if loose_start < 0 {
                loose_start = this as i64 - 1;
                keep = pieces.len();
            }
            loose_count += 1;
            if loose_count > 30 {
                pieces.truncate(keep);
                return Some((pieces, loose_start));
            }
            pieces.push(Piece::Text("", s(sv).to_owned(), this));
            field = "";
            after_blank = false;
        }
        if at_end {
            break;
        }
    }
    Some((pieces, -1))
}


/// `_next_field`'s cheap test: whether the upper-cased text holds ` TAG`, ` SUBJ`, ` REF`,
/// ` E.`, ` EO`, ` E0`, ` E O` or ` E 0`, in one pass.
pub(crate) fn may_hold_marker(s: &[u8]) -> bool {
    let at = |i: usize, w: &[u8]| s.len() - i >= w.len() && s[i..i + w.len()].eq_ignore_ascii_case(w);
    let mut i = 0;
    while let Some(p) = s[i..].iter().position(|&b| b == b' ') {
        let k = i + p + 1;
        if k < s.len() {
            let hit = match s[k] | 0x20 {
                b't' => at(k, b"TAG"),
                b's' => at(k, b"SUBJ"),
                b'r' => at(k, b"REF"),
                b'e' => at(k, b"E.") || at(k, b"EO") || at(k, b"E0") || at(k, b"E O") || at(k, b"E 0"),
                _ => false,
            };
            if hit {
                return true;
            }
        }
        i = k;
        if i >= s.len() {
            break;
        }
    }
    false
}

/// Whether the upper-cased line holds `TAGS`, `SUBJ`, `REF`, `E.O`, `EO ` or `E.0` (the
/// preamble loop's test before it looks for field markers), in one pass.
pub(crate) fn has_field_word(s: &[u8]) -> bool {
    let at = |i: usize, w: &[u8]| s.len() - i >= w.len() && s[i..i + w.len()].eq_ignore_ascii_case(w);
    (0..s.len()).any(|i| match s[i] | 0x20 {
        b't' => at(i, b"TAGS"),
        b's' => at(i, b"SUBJ"),
        b'r' => at(i, b"REF"),
        b'e' => at(i, b"E.O") || at(i, b"EO ") || at(i, b"E.0"),
        _ => false,
    })
}

// ---------------------------------------------------------------------------------------
// The preamble's pieces folded into fields, as `text._fold_pieces` folds them.

pub(crate) const CAPTION_WORDS: [&[u8]; 23] = [
    b"SENSITIVE", b"SIPDIS", b"NOFORN", b"NOCONTRACT", b"ORCON", b"PROPIN", b"EXDIS", b"NODIS", b"LIMDIS", b"STADIS",
    b"CHEROKEE", b"ROGER", b"SPECAT", b"LOU", b"CONDIS", b"ALDAC", b"AIDAC", b"CODEL", b"DECAPTIONED", b"SBU", b"FOUO",
    b"NOFORN/REL", b"EFTO",
];
pub(crate) const CAPTION_PHRASES: [&[u8]; 7] = [
    b"EYES ONLY", b"SENSITIVE BUT UNCLASSIFIED", b"FOR OFFICIAL USE ONLY", b"LIMITED OFFICIAL USE",
    b"SPECAT EXCLUSIVE", b"EXDIS EYES ONLY", b"NODIS EYES ONLY",
];

pub(crate) fn is_caption(w: &[u8]) -> bool {
    CAPTION_WORDS.contains(&w)
}


#[derive(Default)]
pub(crate) struct Folded {
    pub(crate) captions: Vec<Vec<u8>>,
    pub(crate) instructions: Vec<Vec<u8>>,
    pub(crate) caption_warnings: Vec<(usize, Vec<u8>)>,
    pub(crate) eo: Option<Vec<u8>>,
    pub(crate) tags: Vec<Vec<u8>>,
    pub(crate) subject: Option<Vec<u8>>,
    pub(crate) refs: Option<Vec<u8>>,
}

/// `text._fold_pieces`, less the declassification date and the REF split (left to Python).
pub(crate) fn fold(pieces: &[Piece]) -> Folded {
    let mut f = Folded::default();
    let (mut eo, mut tags, mut subject, mut refs): (Vec<&[u8]>, Vec<&[u8]>, Vec<&[u8]>, Vec<&[u8]>) =
        (Vec::new(), Vec::new(), Vec::new(), Vec::new());
    for p in pieces {
        let Piece::Text(field, text, line) = p else { continue };
        let text = text.as_bytes();
        if text.is_empty() {
            continue;
        }
        match *field {
            "" => {
                let up = text.to_ascii_uppercase();
                let mut a = 0;
                let mut b = up.len();
                let trim = |c: u8| matches!(c, b' ' | b'.' | b',' | b';');
                while a < b && trim(up[a]) {
                    a += 1;
                }
                while b > a && trim(up[b - 1]) {
                    b -= 1;
                }
                let upper = &up[a..b];
                if is_caption(upper) {
                    push_unique(&mut f.captions, upper);
                } else {
                    caption_or_instruction(text, upper, *line, &mut f);
                }
            }
            "eo" => eo.push(text),
            "tags" => tags.push(text),
            "subject" => subject.push(text),
            _ => refs.push(text),
        }
    }
    if !eo.is_empty() {
        f.eo = Some(collapse(&eo.join(&b' ')));
    }
    if !tags.is_empty() {
        f.tags = split_tags(&tags.join(&b' '));
    }
    if !subject.is_empty() {
        let sj = collapse(&subject.join(&b' '));
        if !sj.is_empty() {
            f.subject = Some(sj);
        }
    }
    if !refs.is_empty() {
        f.refs = Some(refs.join(&b' '));
    }
    f
}

/// `text._caption_or_instruction`.
pub(crate) fn caption_or_instruction(text: &[u8], upper: &[u8], line: usize, f: &mut Folded) {
    if CAPTION_PHRASES.contains(&upper) {
        push_unique(&mut f.captions, upper);
        return;
    }
    let commas = |x: &[u8]| x.iter().map(|&c| if c == b',' { b' ' } else { c }).collect::<Vec<u8>>();
    let up = commas(upper);
    let words: Vec<&[u8]> = up.split(|&c| is_blank(c)).filter(|w| !w.is_empty()).collect();
    let mut n = 0;
    for w in &words {
        if !is_caption(w) {
            break;
        }
        push_unique(&mut f.captions, w);
        n += 1;
    }
    if n == words.len() {
        return;
    }
    if n == 0 && words.len() <= 3 && words.iter().any(|w| is_caption(w)) {
        for w in &words {
            if is_caption(w) {
                push_unique(&mut f.captions, w);
            }
        }
        let unknown: Vec<&[u8]> = words.iter().copied().filter(|w| !is_caption(w)).collect();
        let mut detail = b"`".to_vec();
        detail.extend_from_slice(&unknown.join(&b' '));
        detail.push(b'`');
        f.caption_warnings.push((line, detail));
        return;
    }
    if n > 0 {
        let t = commas(text);
        let ws: Vec<&[u8]> = t.split(|&c| is_blank(c)).filter(|w| !w.is_empty()).collect();
        f.instructions.push(ws[n..].join(&b' '));
    } else {
        f.instructions.push(text.to_vec());
    }
}

/// `_preamble.split_tags`: link markup `[PGOV](#)` removed, upper case, split at blanks,
/// commas and semicolons, items that are only `.` and `:` dropped.
pub(crate) fn split_tags(text: &[u8]) -> Vec<Vec<u8>> {
    let mut t: Vec<u8> = Vec::with_capacity(text.len() + 8);
    if contains(text, b"](") {
        // `_LINK.sub(r" \1 ", text)` with `\[([^\]\n]*)\]\([^)\n]*\)`.
        let mut i = 0;
        let mut copied = 0;
        while let Some(p) = find_byte(text, b'[', i) {
            i = p + 1;
            let Some(close) = find_byte(text, b']', p + 1) else { break };
            if text[p + 1..close].contains(&b'\n') || text.get(close + 1) != Some(&b'(') {
                continue;
            }
            let Some(end) = find_byte(text, b')', close + 2) else { continue };
            if text[close + 2..end].contains(&b'\n') {
                continue;
            }
            t.extend_from_slice(&text[copied..p]);
            t.push(b' ');
            t.extend_from_slice(&text[p + 1..close]);
            t.push(b' ');
            copied = end + 1;
            i = end + 1;
        }
        t.extend_from_slice(&text[copied..]);
    } else {
        t.extend_from_slice(text);
    }
    let t = t.to_ascii_uppercase();
    t.split(|&c| is_blank(c) || c == b'\n' || c == b',' || c == b';')
        .filter(|w| !w.is_empty() && w.iter().any(|&c| c != b'.' && c != b':'))
        .map(|w| w.to_vec())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texts(pieces: &[Piece]) -> Vec<(&'static str, Option<String>, usize)> {
        pieces
            .iter()
            .map(|p| match p {
                Piece::Marker(f) => (*f, None, 0),
                Piece::Text(f, t, line) => (*f, Some(t.clone()), *line),
            })
            .collect()
    }

    #[test]
    fn field_markers_are_found_at_the_start_or_after_a_blank() {
        assert_eq!(field_marker(b"TAGS: PGOV", 0), Some((0, 5, "tags")));
        assert_eq!(field_marker(b"SUBJECT: X", 0), Some((0, 8, "subject")));
        assert_eq!(field_marker(b"SUBJECT X", 0), Some((0, 7, "subject")));
        assert_eq!(field_marker(b"A SUBJECT X", 0), None);
        assert_eq!(field_marker(b"E.O. 12958: N/A", 0), Some((0, 5, "eo")));
        assert_eq!(field_marker(b"E.O. 1295: N/A", 0), None);
        assert_eq!(field_marker(b"N/A TAGS: X", 0), Some((4, 9, "tags")));
        assert_eq!(field_marker(b"REFTEL", 0), Some((0, 6, "ref")));
        assert_eq!(field_marker(b"X REF: Y", 0), Some((2, 6, "ref")));
        assert_eq!(field_marker(b"X REF Y", 0), None);
        assert_eq!(field_marker(b"Subj: lower", 0), Some((0, 5, "subject")));
    }

    #[test]
    fn a_line_running_fields_together_is_split() {
        let mut pieces = Vec::new();
        let s = b"E.O. 12958: N/A TAGS: PGOV SUBJECT: RUN TOGETHER";
        let last = split_fields(s, 7, "", &mut pieces, field_marker(s, 0).unwrap());
        assert_eq!(last, "subject");
        assert_eq!(
            texts(&pieces),
            vec![
                ("eo", None, 0),
                ("eo", Some("12958: N/A".into()), 7),
                ("tags", None, 0),
                ("tags", Some("PGOV".into()), 7),
                ("subject", None, 0),
                ("subject", Some("RUN TOGETHER".into()), 7),
            ]
        );
    }

    #[test]
    fn the_preamble_ends_at_the_first_paragraph() {
        let t = b"SIPDIS\n\nE.O. 12958: N/A\nTAGS: PGOV, PREL; KZ\nSUBJECT: A SUBJECT\nON TWO LINES\n\n1. (U) Body.\n";
        let (pieces, body) = preamble(t, 0, 10, Vec::new(), "", false).unwrap();
        assert_eq!(body, 16);
        let f = fold(&pieces);
        assert_eq!(f.captions, vec![b"SIPDIS".to_vec()]);
        assert_eq!(f.eo, Some(b"12958: N/A".to_vec()));
        assert_eq!(f.tags, vec![b"PGOV".to_vec(), b"PREL".to_vec(), b"KZ".to_vec()]);
        assert_eq!(f.subject, Some(b"A SUBJECT ON TWO LINES".to_vec()));
        assert_eq!(f.refs, None);
    }

    #[test]
    fn page_lines_in_the_preamble_are_left_to_python() {
        assert!(preamble(b"PAGE 02 RUEHTA\n1. X\n", 0, 1, Vec::new(), "", false).is_none());
    }

    #[test]
    fn captions_instructions_and_unknown_captions() {
        let pieces = vec![
            Piece::Text("", "SENSITIVE, SIPDIS".into(), 3),
            Piece::Text("", "SIPDIS PASS TO EAP/RSP".into(), 4),
            Piece::Text("", "NOFORN X".into(), 5),
            Piece::Text("", "X SIPDIS".into(), 6),
            Piece::Text("", "EYES ONLY".into(), 7),
        ];
        let f = fold(&pieces);
        assert_eq!(f.captions, vec![b"SENSITIVE".to_vec(), b"SIPDIS".to_vec(), b"NOFORN".to_vec(), b"EYES ONLY".to_vec()]);
        assert_eq!(f.instructions, vec![b"PASS TO EAP/RSP".to_vec(), b"X".to_vec()]);
        assert_eq!(f.caption_warnings, vec![(6, b"`X`".to_vec())]);
    }

    #[test]
    fn tags_lose_link_markup_and_separators() {
        assert_eq!(split_tags(b"[PGOV](#) [kz](http://x), RS; . :"), vec![b"PGOV".to_vec(), b"KZ".to_vec(), b"RS".to_vec()]);
    }

    #[test]
    fn cheap_marker_tests_never_miss_a_marker() {
        assert!(may_hold_marker(b"X TAGS") && may_hold_marker(b"X e o") && !may_hold_marker(b"XTAGS"));
        assert!(has_field_word(b"subj") && has_field_word(b"E.0") && !has_field_word(b"SUB"));
    }
}
