//! Native scanner for the telegram decoder's fast path.
//!
//! `scan(raw, max_bytes, max_addressees, max_addressee_chars)` reads a clean, standard cable
//! in one pass over its bytes: State's internal distribution block if any, the heading (FL1
//! to the address block), wrapper lines and header copies before the classification line,
//! the classification line, the text preamble (split into pieces as the decoder's line loop
//! splits it, then folded into captions, instructions, E.O., TAGS and SUBJECT), and the body
//! (closing lines and page-break artefacts removed, signer, paragraph classification marks).
//! It returns these parts as a tuple for `cablerouter.telegram._scan` to build the `Cable`
//! from, or `None` for anything it does not read exactly as the Python parsers do; the
//! decoder then runs those parsers. Input is read only when `lines.decode_bytes` would leave
//! it unchanged (UTF-8, no control bytes but TAB and LF, a few known non-ASCII characters).
//! Every rule below is written out by hand from a Python parser (`_wrappers.py`,
//! `_fast_header.py`, `header.py`, `_classification.py`, `text.py`, `_preamble.py`,
//! `_body.py`, `_dates.py`), is never wider than it, and is held to its result by the
//! tests in `tests/unit/telegram/test_native_scan.py` and `bench/fuzz_decode.py --compare`.
//!
//! Nothing here does I/O or keeps state; a panic is caught and read as `None`.

use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyList, PyTuple};

/// The digest of this source file, compared with the file on disk by the test suite so that
/// a stale build is noticed.
#[pyfunction]
fn source_digest() -> String {
    // FNV-1a over the bytes of this file.
    let mut h: u64 = 0xcbf29ce484222325;
    for b in include_bytes!("lib.rs") {
        h ^= *b as u64;
        h = h.wrapping_mul(0x100000001b3);
    }
    format!("{h:016x}")
}

// ---------------------------------------------------------------------------------------
// Small helpers over ASCII bytes.

fn is_blank(b: u8) -> bool {
    b == b' ' || b == b'\t'
}

fn is_upper(b: u8) -> bool {
    b.is_ascii_uppercase()
}

fn is_digit(b: u8) -> bool {
    b.is_ascii_digit()
}

fn is_word(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_'
}

fn all(s: &[u8], f: impl Fn(u8) -> bool) -> bool {
    s.iter().all(|&b| f(b))
}

fn find(hay: &[u8], needle: &[u8], from: usize) -> Option<usize> {
    if from > hay.len() {
        return None;
    }
    let h = &hay[from..];
    if h.len() < 256 {
        return find_short(h, needle).map(|p| p + from);
    }
    memchr::memmem::find(h, needle).map(|p| p + from)
}

/// A plain scan, cheaper on a line than calling into a SIMD searcher.
fn find_short(hay: &[u8], needle: &[u8]) -> Option<usize> {
    let n = needle.len();
    if n == 0 || n > hay.len() {
        return None;
    }
    let first = needle[0];
    let end = hay.len() - n;
    let mut i = 0;
    while i <= end {
        if hay[i] == first {
            let mut k = 1;
            while k < n && hay[i + k] == needle[k] {
                k += 1;
            }
            if k == n {
                return Some(i);
            }
        }
        i += 1;
    }
    None
}

/// Whether an upper-case ASCII needle occurs in `hay`, ignoring ASCII case.
fn find_ignore_case(hay: &[u8], needle: &[u8]) -> bool {
    let n = needle.len();
    if n == 0 || n > hay.len() {
        return false;
    }
    let (upper, lower) = (needle[0], needle[0].to_ascii_lowercase());
    let mut i = 0;
    while i + n <= hay.len() {
        let b = hay[i];
        if (b == upper || b == lower) && hay[i + 1..i + n].eq_ignore_ascii_case(&needle[1..]) {
            return true;
        }
        i += 1;
    }
    false
}

/// `_next_field`'s cheap test: whether the upper-cased text holds ` TAG`, ` SUBJ`, ` REF`,
/// ` E.`, ` EO`, ` E0`, ` E O` or ` E 0`, in one pass.
fn may_hold_marker(s: &[u8]) -> bool {
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
fn has_field_word(s: &[u8]) -> bool {
    let at = |i: usize, w: &[u8]| s.len() - i >= w.len() && s[i..i + w.len()].eq_ignore_ascii_case(w);
    (0..s.len()).any(|i| match s[i] | 0x20 {
        b't' => at(i, b"TAGS"),
        b's' => at(i, b"SUBJ"),
        b'r' => at(i, b"REF"),
        b'e' => at(i, b"E.O") || at(i, b"EO ") || at(i, b"E.0"),
        _ => false,
    })
}

fn contains(hay: &[u8], needle: &[u8]) -> bool {
    if hay.len() < 256 {
        return find_short(hay, needle).is_some();
    }
    memchr::memmem::find(hay, needle).is_some()
}

fn find_byte(hay: &[u8], b: u8, from: usize) -> Option<usize> {
    if from >= hay.len() {
        return None;
    }
    memchr::memchr(b, &hay[from..]).map(|p| p + from)
}

fn rfind_byte(hay: &[u8], b: u8, end: usize) -> Option<usize> {
    memchr::memrchr(b, &hay[..end])
}

fn trim_end_blanks(t: &[u8], start: usize, mut end: usize) -> usize {
    while end > start && is_blank(t[end - 1]) {
        end -= 1;
    }
    end
}

fn trim_start_blanks(t: &[u8], mut start: usize, end: usize) -> usize {
    while start < end && is_blank(t[start]) {
        start += 1;
    }
    start
}

/// `(?:[ \t]*+\n)*+`: skip blank lines.
fn skip_blank_lines(t: &[u8], mut pos: usize) -> usize {
    loop {
        let mut p = pos;
        while p < t.len() && is_blank(t[p]) {
            p += 1;
        }
        if p < t.len() && t[p] == b'\n' {
            pos = p + 1;
        } else {
            return pos;
        }
    }
}

/// A heading line that ends with `[ \t]*+\n`: (content end, position after the line end).
fn eol_line(t: &[u8], pos: usize) -> Option<(usize, usize)> {
    let nl = find_byte(t, b'\n', pos)?;
    Some((trim_end_blanks(t, pos, nl), nl + 1))
}

/// Blank-separated words of a line's content; `None` unless they are separated by single
/// spaces with no tab, no leading blank and no empty word.
fn words(c: &[u8]) -> Option<Vec<&[u8]>> {
    if c.is_empty() || c.contains(&b'\t') {
        return None;
    }
    let ws: Vec<&[u8]> = c.split(|&b| b == b' ').collect();
    if ws.iter().any(|w| w.is_empty()) {
        return None;
    }
    Some(ws)
}

fn s(t: &[u8]) -> &str {
    // Every slice ends at an ASCII byte, so it is valid UTF-8 (a panic here is read as None).
    std::str::from_utf8(t).expect("slices end at ASCII bytes")
}

/// Whether every character is ASCII or one of the few others real cables carry in their
/// text (pilcrow, acute accent, curly quotes): none of these is white space, a letter, a
/// digit or a word character, and none changes under `str.upper`, so byte-wise rules read
/// them as Python's `str` methods and `re` classes do.
fn plain_chars(t: &[u8]) -> bool {
    // Bytes that need a closer look: control bytes other than TAB and LF (removed or turned
    // into line ends by `lines.decode_bytes`), DEL, and everything outside ASCII. A known
    // non-ASCII character is stepped over; anything else refuses the input.
    let special = |b: u8| (b < 0x20 && b != b'\t' && b != b'\n') || b >= 0x7F;
    let mut i = 0;
    while i < t.len() {
        let p = if i + 32 <= t.len() {
            let mask = special_mask(&t[i..i + 32]);
            if mask == 0 {
                i += 32;
                continue;
            }
            i + mask.trailing_zeros() as usize
        } else if special(t[i]) {
            i
        } else {
            i += 1;
            continue;
        };
        let rest = &t[p..];
        if rest.starts_with(&[0xC2, 0xB6]) || rest.starts_with(&[0xC2, 0xB4]) {
            i = p + 2;
        } else if rest.len() >= 3 && rest[0] == 0xE2 && rest[1] == 0x80 && matches!(rest[2], 0x98 | 0x99 | 0x9C | 0x9D) {
            i = p + 3;
        } else {
            return false;
        }
    }
    true
}

/// A bit for each of 32 bytes that is not printable ASCII, TAB or LF.
#[cfg(target_arch = "x86_64")]
fn special_mask(c: &[u8]) -> u32 {
    use std::arch::x86_64::*;
    debug_assert_eq!(c.len(), 32);
    // SAFETY: SSE2 is part of x86_64; the loads read 2 x 16 bytes inside the 32-byte slice.
    unsafe {
        let (space, del, tab, lf) = (_mm_set1_epi8(0x20), _mm_set1_epi8(0x7F), _mm_set1_epi8(9), _mm_set1_epi8(10));
        let mut mask = 0u32;
        for half in 0..2 {
            let x = _mm_loadu_si128(c.as_ptr().add(16 * half).cast());
            // Signed: bytes from 0x80 up are negative, so `< 0x20` also catches them.
            let special = _mm_or_si128(_mm_cmplt_epi8(x, space), _mm_cmpeq_epi8(x, del));
            let allowed = _mm_or_si128(_mm_cmpeq_epi8(x, tab), _mm_cmpeq_epi8(x, lf));
            mask |= (_mm_movemask_epi8(_mm_andnot_si128(allowed, special)) as u32 & 0xFFFF) << (16 * half);
        }
        mask
    }
}

#[cfg(not(target_arch = "x86_64"))]
fn special_mask(c: &[u8]) -> u32 {
    c.iter().enumerate().fold(0, |m, (k, &b)| {
        m | (((b < 0x20 && b != b'\t' && b != b'\n') || b >= 0x7F) as u32) << k
    })
}

/// Characters (not bytes) in a UTF-8 slice: Python's `len`.
fn char_len(s: &[u8]) -> usize {
    s.iter().filter(|&&b| (b & 0xC0) != 0x80).count()
}

const PILCROW: &[u8] = &[0xC2, 0xB6];

// ---------------------------------------------------------------------------------------
// Addressees.

const PRECEDENCE_WORDS: [&[u8]; 4] = [b"IMMEDIATE", b"PRIORITY", b"ROUTINE", b"FLASH"];

fn is_plad_char(b: u8) -> bool {
    is_upper(b) || is_digit(b) || matches!(b, b'.' | b'&' | b'\'' | b'(' | b')' | b'-')
}

/// `[0-9]{4,6}(?:-[0-9]{4,6})?`, the whole word.
fn is_mcn(w: &[u8]) -> bool {
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
fn is_tail(ws: &[&[u8]]) -> bool {
    match ws.len() {
        1 => PRECEDENCE_WORDS.contains(&ws[0]) || is_mcn(ws[0]),
        2 => {
            (ws[0] == b"NIACT" && ws[1] == b"IMMEDIATE") || (PRECEDENCE_WORDS.contains(&ws[0]) && is_mcn(ws[1]))
        }
        3 => ws[0] == b"NIACT" && ws[1] == b"IMMEDIATE" && is_mcn(ws[2]),
        _ => false,
    }
}

struct Addr<'a> {
    ri: Option<&'a [u8]>,
    plad: &'a [u8],
    office: Option<&'a [u8]>,
    prec: Option<&'a [u8]>,
    mcn: Option<&'a [u8]>,
    raw: &'a [u8],
}

/// `_formats.PAGE`, `PAGE +\d{1,3}(?: +[A-Z0-9#/]+)*`, the whole (single-spaced) line.
fn is_acp_page(c: &[u8]) -> bool {
    let ws: Vec<&[u8]> = c.split(|&b| b == b' ').collect();
    ws.len() >= 2
        && ws[0] == b"PAGE"
        && (1..=3).contains(&ws[1].len())
        && all(ws[1], is_digit)
        && ws[2..].iter().all(|w| !w.is_empty() && all(w, |b| is_upper(b) || is_digit(b) || b == b'#' || b == b'/'))
}

/// One addressee, the whole of `c` (no blanks at either end): optional `RI/`, the PLAD, an
/// optional `//office//`, an optional precedence and MCN, as `_fast_header`'s pattern reads
/// it (the office is the shortest run after `//` that leaves a precedence/MCN tail).
fn addressee(c: &[u8], max_chars: usize) -> Option<Addr<'_>> {
    // `ZEN/` pseudo-routes are left to the Python parsers (`ZEN//X` reads differently there).
    if c.len() > max_chars || c.starts_with(b"PAGE ") || c.starts_with(b"ZEN/") || contains(c, b"  ") || c.contains(&b'\t') {
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
fn office_tail(r: &[u8]) -> Option<(Option<&[u8]>, Option<&[u8]>)> {
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

/// `OPSIG.findall`: `\([^)]*\)?|\S+` over the operating signals after the FL4 letters.
fn opsigs(c: &[u8]) -> Vec<&[u8]> {
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

struct Heading<'a> {
    fl1: Option<(&'a [u8], &'a [u8], &'a [u8])>,
    routing: Option<(&'a [u8], Vec<&'a [u8]>)>,
    origin: Option<(&'a [u8], &'a [u8], Option<&'a [u8]>, Option<&'a [u8]>)>,
    security: Option<(&'a [u8], &'a [u8], Vec<&'a [u8]>, usize)>,
    fl5: (&'a [u8], Option<&'a [u8]>, &'a [u8], Vec<&'a [u8]>),
    fm: (Addr<'a>, usize),
    block: Vec<(u8, Addr<'a>, usize)>,
    // Page-break lines removed from the address block (1-based line numbers).
    pages: Vec<usize>,
    // 0-based index of the blank line closing the heading, and where the next text starts.
    end_line: usize,
    next: usize,
}

fn heading(t: &[u8], from: usize, max_addressees: usize, max_chars: usize) -> Option<Heading<'_>> {
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
    let mut kind = 0u8;
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
            kind = 0;
            r
        } else if let Some(r) = c.strip_prefix(b"INFO ") {
            kind = 1;
            r
        } else if let Some(r) = c.strip_prefix(b"XMT ") {
            kind = 2;
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

// ---------------------------------------------------------------------------------------
// The classification line: `UNCLAS|UNCLASSIFIED|CONFIDENTIAL|SECRET [SECTION n OF m] ORIGIN SERIAL`.

struct Class<'a> {
    raw: &'a [u8],
    word: &'a [u8],
    efto: bool,
    sec: Option<&'a [u8]>,
    secs: Option<&'a [u8]>,
    origin: &'a [u8],
    serial: &'a [u8],
    // Where the reflowed rest of the line starts (`UNCLAS TALLINN 000128 SIPDIS ...`).
    tail: Option<usize>,
}

/// `_classification.match_classification` on a single-spaced line, for the forms with an
/// origin and serial (the marking and origin in upper case; anything may follow).
fn classification(c: &[u8]) -> Option<Class<'_>> {
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
fn skippable(c: &[u8], after_heading: bool) -> bool {
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
fn classification_inside(u: &[u8]) -> bool {
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
const MARKINGS: [&[u8]; 12] = [
    b"UNCLAS", b"UUNCLAS", b"UNCLASSIFIED", b"UUNCLASSIFIED", b"CONFIDENTIAL", b"C O N F I D E N T I A L",
    b"TOP SECRET", b"SECRET", b"T O P S E C R E T", b"S E C R E T", b"LIMITED OFFICIAL USE", b"RESTRICTED",
];

// ---------------------------------------------------------------------------------------
// The text preamble, as `text._read_preamble(..., fast=True)` reads it.

enum Piece {
    // A field marker (`TAGS:`): no text, but counts as a piece of its field.
    Marker(&'static str),
    Text(&'static str, String, usize),
}

/// `¶? ?\d{1,3} ?\.(?!\d)` at the start of a line that starts with a digit.
fn is_paragraph(s: &[u8]) -> bool {
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
fn is_ref_item(s: &[u8]) -> bool {
    (s.len() >= 4 && s[0] == b'(' && is_upper(s[1]) && s[1] != b'U' && s[2] == b')' && s[3] == b' ')
        || (s.len() >= 3 && is_upper(s[0]) && (s[1] == b'.' || s[1] == b')') && s[2] == b' ')
}

/// `_preamble.FIELD_MARKER.search(s, from)` on an ASCII line with single spaces: the first
/// field marker (`E.O.` before `1dddd`, `TAGS`, `SUBJECT:`/`SUBJ:`, `REF:`/`REFS:`/`REFTEL:`,
/// and `SUBJECT`/`REF...` without a colon at the very start) at the start or after a blank:
/// (start, end, field).
fn field_marker(s: &[u8], from: usize) -> Option<(usize, usize, &'static str)> {
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
fn next_field(s: &[u8], pos: usize) -> Option<(usize, usize, &'static str)> {
    if !may_hold_marker(&s[pos - 1..]) {
        return None;
    }
    field_marker(s, pos)
}

/// `_preamble.split_fields`: the pieces of a line holding markers; the field at its end.
fn split_fields(
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

fn remove_all(s: &[u8], needle: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(s.len());
    let mut i = 0;
    while let Some(p) = find(s, needle, i) {
        out.extend_from_slice(&s[i..p]);
        i = p + needle.len();
    }
    out.extend_from_slice(&s[i..]);
    out
}

fn strip(s: &[u8]) -> &[u8] {
    let e = trim_end_blanks(s, 0, s.len());
    &s[trim_start_blanks(s, 0, e)..e]
}

/// Returns the pieces and the body's first line (0-based), or -1; `None` when a line needs
/// the Python loop (field markers inside lines, page artefacts, archive back-slashes).
fn preamble(
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

// ---------------------------------------------------------------------------------------
// The body.

/// `NNNN|BT|#\d{3,5}|=+[A-Z ]*=+|[.\"'\\ ]+|<< ?END OF DOCUMENT ?>>`, case-insensitive, whole.
fn is_trailer(s: &[u8]) -> bool {
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

fn rstrip(s: &[u8]) -> &[u8] {
    let mut e = s.len();
    while e > 0 && (is_blank(s[e - 1]) || s[e - 1] == b'\n') {
        e -= 1;
    }
    &s[..e]
}

/// `[ \t]*[A-Z][A-Z .'-]{0,30} 0\d{7} +\d{3}(?:\.\d)? OF \d{1,3}(?:\.\.\.)?[ \t]*`, whole line.
fn is_page_line(l: &[u8]) -> bool {
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
fn strip_pages(body: &[u8]) -> Option<Vec<u8>> {
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

const MARK_WORDS: [&[u8]; 9] = [b"SBU", b"U", b"C", b"S", b"TS", b"LOU", b"FOUO", b"R", b"NF"];

/// The paragraph classification marks of `_body._PARAGRAPH_MARK`, distinct, in order.
fn marks(b: &[u8]) -> Vec<&[u8]> {
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

// ---------------------------------------------------------------------------------------
// Fields, dates and names derived from the parts (as `text._fold_pieces`, `_dates`,
// `_body._signer` and `text.reference_id` derive them).

const CAPTION_WORDS: [&[u8]; 23] = [
    b"SENSITIVE", b"SIPDIS", b"NOFORN", b"NOCONTRACT", b"ORCON", b"PROPIN", b"EXDIS", b"NODIS", b"LIMDIS", b"STADIS",
    b"CHEROKEE", b"ROGER", b"SPECAT", b"LOU", b"CONDIS", b"ALDAC", b"AIDAC", b"CODEL", b"DECAPTIONED", b"SBU", b"FOUO",
    b"NOFORN/REL", b"EFTO",
];
const CAPTION_PHRASES: [&[u8]; 7] = [
    b"EYES ONLY", b"SENSITIVE BUT UNCLASSIFIED", b"FOR OFFICIAL USE ONLY", b"LIMITED OFFICIAL USE",
    b"SPECAT EXCLUSIVE", b"EXDIS EYES ONLY", b"NODIS EYES ONLY",
];

fn is_caption(w: &[u8]) -> bool {
    CAPTION_WORDS.contains(&w)
}

/// `" ".join(text.split())` for text whose only white space is the blank and TAB.
fn collapse(text: &[u8]) -> Vec<u8> {
    text.split(|&b| is_blank(b) || b == b'\n').filter(|w| !w.is_empty()).collect::<Vec<_>>().join(&b' ')
}

fn push_unique(v: &mut Vec<Vec<u8>>, w: &[u8]) {
    if !v.iter().any(|x| x.as_slice() == w) {
        v.push(w.to_vec());
    }
}

#[derive(Default)]
struct Folded {
    captions: Vec<Vec<u8>>,
    instructions: Vec<Vec<u8>>,
    caption_warnings: Vec<(usize, Vec<u8>)>,
    eo: Option<Vec<u8>>,
    tags: Vec<Vec<u8>>,
    subject: Option<Vec<u8>>,
    refs: Option<Vec<u8>>,
}

/// `text._fold_pieces`, less the declassification date and the REF split (left to Python).
fn fold(pieces: &[Piece]) -> Folded {
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
fn caption_or_instruction(text: &[u8], upper: &[u8], line: usize, f: &mut Folded) {
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
fn split_tags(text: &[u8]) -> Vec<Vec<u8>> {
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

/// `_body._signer` on the body's last line; `Err` when it is not ASCII (Python reads it).
fn signer(line: &[u8]) -> Result<Option<Vec<u8>>, ()> {
    if !line.is_ascii() {
        return Err(());
    }
    let mut s = strip(line);
    while let Some((&last, rest)) = s.split_last() {
        if matches!(last, b'\\' | b' ' | b'\t') {
            s = rest;
        } else {
            break;
        }
    }
    if s.is_empty() || matches!(s[s.len() - 1], b'.' | b',' | b':' | b';') {
        return Ok(None);
    }
    if let Some(p) = s.windows(2).rposition(|w| w == b". ") {
        s = strip(&s[p + 2..]);
        let has_upper = s.iter().any(|c| c.is_ascii_uppercase());
        if !has_upper || s.iter().any(|c| c.is_ascii_lowercase()) {
            return Ok(None);
        }
    }
    if s.len() > 40 || !is_signer(s) {
        return Ok(None);
    }
    let upper = s.to_ascii_uppercase();
    const NOT_SIGNERS: [&[u8]; 10] =
        [b"COMMENT", b"TEXT", b"NOTE", b"SUMMARY", b"NONE", b"SIPDIS", b"SENSITIVE", b"UNCLASSIFIED", b"BT", b"NNNN"];
    if NOT_SIGNERS.contains(&upper.as_slice()) || upper.starts_with(b"END ") || upper == b"END" {
        return Ok(None);
    }
    Ok(Some(collapse(&upper)))
}

/// `[A-Za-z][A-Za-z'-]*(?: [A-Za-z][A-Za-z'-]*){0,2}`, the whole of `s`.
fn is_signer(s: &[u8]) -> bool {
    let ws: Vec<&[u8]> = s.split(|&c| c == b' ').collect();
    ws.len() <= 3
        && ws.iter().all(|w| {
            !w.is_empty() && w[0].is_ascii_alphabetic() && w.iter().all(|&c| c.is_ascii_alphabetic() || c == b'\'' || c == b'-')
        })
}

const MONTHS: [&[u8]; 12] = [b"JAN", b"FEB", b"MAR", b"APR", b"MAY", b"JUN", b"JUL", b"AUG", b"SEP", b"OCT", b"NOV", b"DEC"];

fn num(d: &[u8]) -> i64 {
    d.iter().fold(0, |a, &c| a * 10 + (c - b'0') as i64)
}

/// `_dates._year`: two-digit years are 1950-2049.
fn full_year(y: &[u8]) -> i64 {
    let v = num(y);
    if y.len() == 2 {
        v + if v < 50 { 2000 } else { 1900 }
    } else {
        v
    }
}

fn is_leap(y: i64) -> bool {
    y % 4 == 0 && (y % 100 != 0 || y % 400 == 0)
}

fn days_in_month(y: i64, m: i64) -> i64 {
    match m {
        2 if is_leap(y) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Days since 1970-01-01 of a proleptic Gregorian date.
fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = (if y >= 0 { y } else { y - 399 }) / 400;
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146097 + doe - 719468
}

/// `_dates.resolve_filing_time` against a valid DTG (`dtg` = year, month, day, hour, minute):
/// `Ok(None)` for an invalid time, `Err` for the years the Python code handles apart.
fn filing_time(raw: &[u8], dtg: [i64; 5]) -> Result<Option<[i64; 5]>, ()> {
    let [dy, dm, dd, _, _] = dtg;
    if !(2..=9998).contains(&dy) {
        return Err(());
    }
    if raw.len() == 8 {
        // `DD/HHMMZ`: no month or year, the DTG's (or the month before or after).
        let (day, hour, minute) = (num(&raw[0..2]), num(&raw[3..5]), num(&raw[5..7]));
        let (mut year, mut month) = (dy, dm);
        if day - dd > 15 {
            (year, month) = if month > 1 { (year, month - 1) } else { (year - 1, 12) };
        } else if dd - day > 15 {
            (year, month) = if month < 12 { (year, month + 1) } else { (year + 1, 1) };
        }
        if day < 1 || day > days_in_month(year, month) || hour > 23 || minute > 59 {
            return Ok(None);
        }
        return Ok(Some([year, month, day, hour, minute]));
    }
    let (days, hour, minute) = (num(&raw[0..3]), num(&raw[3..5]), num(&raw[5..7]));
    if !(1..=366).contains(&days) || hour > 23 || minute > 59 {
        return Ok(None);
    }
    const BEFORE: [i64; 13] = [0, 0, 31, 59, 90, 120, 151, 181, 212, 243, 273, 304, 334];
    let mut year = dy;
    let delta = days - (BEFORE[dm as usize] + dd + (is_leap(year) && dm > 2) as i64);
    if delta > 182 {
        year -= 1;
    } else if delta < -182 {
        year += 1;
    }
    if !is_leap(year) && days == 366 {
        return Ok(None);
    }
    let mut month = 1;
    let mut day = days;
    while day > days_in_month(year, month) {
        day -= days_in_month(year, month);
        month += 1;
    }
    Ok(Some([year, month, day, hour, minute]))
}

fn minutes(d: [i64; 5]) -> i64 {
    (days_from_civil(d[0], d[1], d[2]) * 24 + d[3]) * 60 + d[4]
}

// ---------------------------------------------------------------------------------------
// Python binding.

fn opt<'py>(py: Python<'py>, v: Option<&[u8]>) -> PyObject {
    match v {
        Some(b) => pystr(py, b),
        None => py.None(),
    }
}

/// A Python `str` of UTF-8 bytes; CPython's decoder checks them (a failure panics, and the
/// panic is read as `None`).
fn pystr(py: Python<'_>, v: &[u8]) -> PyObject {
    // SAFETY: the pointer and length describe a live byte slice; CPython copies it.
    unsafe {
        let ptr = pyo3::ffi::PyUnicode_FromStringAndSize(v.as_ptr().cast(), v.len() as pyo3::ffi::Py_ssize_t);
        PyObject::from_owned_ptr(py, ptr)
    }
}

/// An addressee as `Addressee`'s fields (ri, plad, office, precedence, mcn, raw, line), with
/// `_fast_header`'s last touches: `AIG 7011` names the AIG, the office loses its slashes.
fn addr_tuple(py: Python<'_>, kind: Option<u8>, a: &Addr<'_>, line: usize) -> PyResult<PyObject> {
    let (plad, mcn) = match a.mcn {
        Some(m) if a.plad == b"AIG" => (pystr(py, &[&b"AIG "[..], m].concat()), py.None()),
        _ => (pystr(py, a.plad), opt(py, a.mcn)),
    };
    // `office.strip("/ ") or None`.
    let office = a.office.map(|o| {
        let is_trim = |c: &u8| *c == b'/' || *c == b' ';
        let start = o.iter().position(|c| !is_trim(c)).unwrap_or(o.len());
        let end = o.iter().rposition(|c| !is_trim(c)).map_or(start, |e| e + 1);
        &o[start..end.max(start)]
    });
    let fields = [
        opt(py, a.ri),
        plad,
        opt(py, office.filter(|o| !o.is_empty())),
        opt(py, a.prec),
        mcn,
        pystr(py, a.raw),
        line.into_pyobject(py)?.into_any().unbind(),
    ];
    Ok(match kind {
        Some(k) => {
            let [a0, a1, a2, a3, a4, a5, a6] = fields;
            PyTuple::new(py, [k.into_pyobject(py)?.into_any().unbind(), a0, a1, a2, a3, a4, a5, a6])?
        }
        None => PyTuple::new(py, fields)?,
    }
    .into_any()
    .unbind())
}

fn str_list(py: Python<'_>, v: &[&[u8]]) -> PyResult<PyObject> {
    Ok(PyList::new(py, v.iter().map(|w| pystr(py, w)))?.into_any().unbind())
}

fn scan_inner(
    py: Python<'_>,
    t: &[u8],
    from: usize,
    dist: Option<&Dist>,
    wrapper: Option<(usize, usize)>,
    max_addressees: usize,
    max_chars: usize,
) -> PyResult<Option<PyObject>> {
    let Some(h) = heading(t, from, max_addressees, max_chars) else { return Ok(None) };
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
            return Ok(None);
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
            return Ok(None);
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
            return Ok(None);
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
    let (pieces, body_index) = if nl < t.len() {
        match preamble(t, nl + 1, cls_line + 1, pieces, field, seen_main) {
            Some(r) => r,
            None => return Ok(None),
        }
    } else {
        (pieces, -1)
    };
    // The body from its first line, closing lines and page artefacts removed.
    let mut body_bytes: std::borrow::Cow<'_, [u8]> = std::borrow::Cow::Borrowed(&[]);
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
            Some(kept) => std::borrow::Cow::Owned(kept),
            None => std::borrow::Cow::Borrowed(body),
        };
        if !body_bytes.is_empty() {
            body_marks = marks(&body_bytes).into_iter().map(|m| m.to_vec()).collect();
        }
    }
    let fl1 = match h.fl1 {
        Some((raw, ch, se)) => PyTuple::new(py, [pystr(py, raw), pystr(py, ch), pystr(py, se)])?.into_any().unbind(),
        None => py.None(),
    };
    let routing = match &h.routing {
        Some((p, ris)) => PyTuple::new(py, [pystr(py, p), str_list(py, ris)?])?.into_any().unbind(),
        None => py.None(),
    };
    let origin = match h.origin {
        Some((ri, ssn, sec, filing)) => {
            PyTuple::new(py, [pystr(py, ri), pystr(py, ssn), opt(py, sec), opt(py, filing)])?.into_any().unbind()
        }
        None => py.None(),
    };
    let security = match &h.security {
        Some((sig, letters, ops, line)) => {
            let line = line.into_pyobject(py)?.into_any().unbind();
            PyTuple::new(py, [pystr(py, sig), pystr(py, letters), str_list(py, ops)?, line])?
                .into_any()
                .unbind()
        }
        None => py.None(),
    };
    // FL5: the date-time group as numbers (month 0 when unknown: Python refuses it).
    let (action, info, dtg, ops) = &h.fl5;
    let year = full_year(&dtg[12..]);
    let month = MONTHS.iter().position(|m| *m == &dtg[8..11]).map_or(0, |m| m as i64 + 1);
    let dtg_parts = [year, month, num(&dtg[0..2]), num(&dtg[2..4]), num(&dtg[4..6])];
    let dtg_valid = year >= 1 && month > 0 && dtg_parts[2] >= 1 && dtg_parts[2] <= days_in_month(year, month) && dtg_parts[3] <= 23 && dtg_parts[4] <= 59;
    let int = |v: i64| -> PyResult<PyObject> { Ok(v.into_pyobject(py)?.into_any().unbind()) };
    let mut fl5_items = vec![pystr(py, action), opt(py, *info), pystr(py, dtg), str_list(py, ops)?];
    for v in dtg_parts {
        fl5_items.push(int(v)?);
    }
    let fl5 = PyTuple::new(py, fl5_items)?;
    // FL3 filing time resolved against the DTG: (status, year, month, day, hour, minute),
    // status 0 = resolved, 1 = not a valid time, 2 = resolved but over two days from the DTG.
    let filing = match h.origin {
        Some((_, _, _, Some(raw))) if dtg_valid => match filing_time(raw, dtg_parts) {
            Err(()) => return Ok(None),
            Ok(None) => PyTuple::new(py, [int(1)?])?.into_any().unbind(),
            Ok(Some(when)) => {
                let status = if (minutes(when) - minutes(dtg_parts)).abs() > 2 * 24 * 60 { 2 } else { 0 };
                let mut items = vec![int(status)?];
                for v in when {
                    items.push(int(v)?);
                }
                PyTuple::new(py, items)?.into_any().unbind()
            }
        },
        _ => py.None(),
    };
    let fm = addr_tuple(py, None, &h.fm.0, h.fm.1)?;
    let mut block = Vec::with_capacity(h.block.len());
    for (k, a, line) in &h.block {
        block.push(addr_tuple(py, Some(*k), a, *line)?);
    }
    let cls_t = PyTuple::new(
        py,
        [
            cls_line.into_pyobject(py)?.into_any().unbind(),
            first_skipped.into_pyobject(py)?.into_any().unbind(),
            duplicate.into_pyobject(py)?.to_owned().into_any().unbind(),
            pystr(py, cls.raw),
            pystr(py, cls.word),
            cls.efto.into_pyobject(py)?.to_owned().into_any().unbind(),
            opt(py, cls.sec),
            opt(py, cls.secs),
            pystr(py, cls.origin),
            pystr(py, cls.serial),
        ],
    )?;
    // The preamble's fields.
    let f = fold(&pieces);
    let lst = |v: &[Vec<u8>]| -> PyResult<PyObject> {
        Ok(PyList::new(py, v.iter().map(|x| pystr(py, x)))?.into_any().unbind())
    };
    let mut warns = Vec::with_capacity(f.caption_warnings.len());
    for (line, detail) in &f.caption_warnings {
        warns.push(PyTuple::new(py, [int(*line as i64)?, pystr(py, detail)])?.into_any().unbind());
    }
    let fields = PyTuple::new(
        py,
        [
            lst(&f.captions)?,
            lst(&f.instructions)?,
            PyList::new(py, warns)?.into_any().unbind(),
            opt(py, f.eo.as_deref()),
            lst(&f.tags)?,
            opt(py, f.subject.as_deref()),
            opt(py, f.refs.as_deref()),
        ],
    )?;
    // The signer (False: the last line is not ASCII, Python reads it) and the reference id.
    let signer_obj = if body_bytes.is_empty() {
        py.None()
    } else {
        let last = &body_bytes[rfind_byte(&body_bytes, b'\n', body_bytes.len()).map_or(0, |p| p + 1)..];
        match signer(last) {
            Err(()) => false.into_pyobject(py)?.to_owned().into_any().unbind(),
            Ok(v) => opt(py, v.as_deref()),
        }
    };
    let mut ref_id = format!("{:02}", year % 100).into_bytes();
    ref_id.extend(cls.origin.iter().filter(|&&c| c != b' '));
    let serial = &cls.serial[cls.serial.iter().take_while(|&&c| c == b'0').count()..];
    ref_id.extend_from_slice(if serial.is_empty() { b"0" } else { serial });
    let mark_refs: Vec<&[u8]> = body_marks.iter().map(|m| m.as_slice()).collect();
    let out = PyTuple::new(
        py,
        [
            fl1,
            routing,
            origin,
            security,
            fl5.into_any().unbind(),
            filing,
            fm,
            PyList::new(py, block)?.into_any().unbind(),
            cls_t.into_any().unbind(),
            fields.into_any().unbind(),
            body_index.into_pyobject(py)?.into_any().unbind(),
            pystr(py, &body_bytes),
            str_list(py, &mark_refs)?,
            signer_obj,
            pystr(py, &ref_id),
            PyList::new(py, h.pages.iter().map(|&l| l))?.into_any().unbind(),
            match wrapper {
                None => py.None(),
                Some((first, start)) => PyTuple::new(py, [int(first as i64)?, int(start as i64)?])?.into_any().unbind(),
            },
            match dist {
                None => py.None(),
                Some(d) => {
                    let v = |x: &[Vec<u8>]| -> PyResult<PyObject> {
                        Ok(PyList::new(py, x.iter().map(|w| pystr(py, w)))?.into_any().unbind())
                    };
                    PyTuple::new(
                        py,
                        [v(&d.action)?, v(&d.info)?, opt(py, d.total.as_deref()), v(&d.traces)?, int(d.line as i64)?],
                    )?
                    .into_any()
                    .unbind()
                }
            },
        ],
    )?;
    Ok(Some(out.into_any().unbind()))
}

/// State's internal distribution block before the heading, as `_wrappers.locate_header`
/// collects it.
struct Dist {
    action: Vec<Vec<u8>>,
    info: Vec<Vec<u8>>,
    total: Option<Vec<u8>>,
    traces: Vec<Vec<u8>>,
    line: usize,
}

/// `[A-Z0-9]+-\d\d`, the whole word.
fn is_code(w: &[u8]) -> bool {
    let n = w.len();
    n >= 4 && w[n - 3] == b'-' && all(&w[n - 2..], is_digit) && all(&w[..n - 3], |b| is_upper(b) || is_digit(b))
}

/// `/\d{3}[A-Z]`, the whole word.
fn is_total(w: &[u8]) -> bool {
    w.len() == 5 && w[0] == b'/' && all(&w[1..4], is_digit) && is_upper(w[4])
}

/// `-{4,}[0-9A-F]{4,8} +\d{6}Z(?: +/\d+)?`, the whole (collapsed) line.
fn is_trace(u: &[u8]) -> bool {
    let ws: Vec<&[u8]> = u.split(|&b| b == b' ').collect();
    if !(2..=3).contains(&ws.len()) {
        return false;
    }
    let dashes = ws[0].iter().take_while(|&&b| b == b'-').count();
    let hex = &ws[0][dashes..];
    dashes >= 4
        && (4..=8).contains(&hex.len())
        && all(hex, |b| is_digit(b) || (b'A'..=b'F').contains(&b))
        && ws[1].len() == 7
        && all(&ws[1][..6], is_digit)
        && ws[1][6] == b'Z'
        && (ws.len() == 2 || (ws[2].len() >= 2 && ws[2][0] == b'/' && all(&ws[2][1..], is_digit)))
}

/// What comes before the heading, as `_wrappers.locate_header` reads it: the distribution
/// block (`ACTION`/`INFO` code lines, their continuation lines, dashed trace lines) and
/// wrapper lines (anything else, reported as `text_before_header`: the first wrapper line
/// and the 0-based index of the heading's first line). Returns them with the byte offset
/// where the heading search starts; `(None, None, 0)` when the heading comes first.
fn before_heading(t: &[u8]) -> Option<(Option<Dist>, Option<(usize, usize)>, usize)> {
    let mut d = Dist { action: Vec::new(), info: Vec::new(), total: None, traces: Vec::new(), line: 0 };
    let mut wrapper_line = 0;
    let mut in_block = false;
    let mut pos = 0;
    let mut line_no = 0;
    let codes_and_totals = |ws: &[&[u8]]| !ws.is_empty() && ws.iter().all(|w| is_code(w) || is_total(w));
    while pos < t.len() && line_no < 400 {
        let nl = find_byte(t, b'\n', pos).unwrap_or(t.len());
        line_no += 1;
        let st = strip(&t[pos..nl]);
        let start = pos;
        pos = nl + 1;
        if st.is_empty() {
            continue;
        }
        let u = collapse(st).to_ascii_uppercase();
        // A line that may open the heading (`locate_header`'s tests, or more).
        let prosign = |b: u8| b"ZOPRWMY".contains(&b);
        if [&b"VZ"[..], b"ZC", b"VV", b"DE ", b"FM ", b"ZN"].iter().any(|p| u.starts_with(p))
            || (u.len() > 2 && prosign(u[0]) && (u[1] == b' ' || prosign(u[1])))
        {
            return Some(match (d.line > 0, wrapper_line > 0) {
                (false, false) => (None, None, 0),
                (has_block, has_wrapper) => {
                    (has_block.then_some(d), has_wrapper.then_some((wrapper_line, line_no - 1)), start)
                }
            });
        }
        let ws: Vec<&[u8]> = u.split(|&b| b == b' ').collect();
        if ws[0] == b"ACTION" || ws[0] == b"INFO" {
            // `DISTRIBUTION` matches any line that goes on with a code; only lines of codes
            // and totals are read here, the others are left to Python.
            if !(ws.len() > 1 && is_code(ws[1]) && codes_and_totals(&ws[1..])) {
                return None;
            }
            in_block = true;
            if d.line == 0 {
                d.line = line_no;
            }
            let target = if ws[0] == b"ACTION" { &mut d.action } else { &mut d.info };
            target.extend(ws[1..].iter().filter(|w| is_code(w)).map(|w| w.to_vec()));
            if let Some(total) = ws[1..].iter().find(|w| is_total(w)) {
                d.total = Some(total.to_vec());
            }
            continue;
        }
        if in_block && codes_and_totals(&ws) {
            d.info.extend(ws.iter().filter(|w| is_code(w)).map(|w| w.to_vec()));
            if let Some(total) = ws.iter().find(|w| is_total(w)) {
                d.total = Some(total.to_vec());
            }
            continue;
        }
        if is_trace(&u) {
            if d.line == 0 {
                d.line = line_no;
            }
            d.traces.push(u.clone());
            continue;
        }
        // A wrapper line (an e-mail or archive header): skipped with a warning.
        in_block = false;
        if wrapper_line == 0 {
            wrapper_line = line_no;
        }
    }
    // No heading within 400 lines: Python reports no_addressees.
    None
}

/// The input with runs of blanks inside its heading lines made single spaces, as
/// `header.parse_header` reads each line (`" ".join(u.split())`); the heading ends at the
/// first blank line after a `TO`/`INFO`/`XMT` line, and everything after it is kept as it
/// is. `None` when a heading line starts with a blank (left to the Python parsers).
fn normalize_heading(t: &[u8], from: usize) -> Option<std::borrow::Cow<'_, [u8]>> {
    let mut pos = from;
    let mut out: Option<Vec<u8>> = None;
    let mut seen_block = false;
    while pos < t.len() {
        let nl = find_byte(t, b'\n', pos).unwrap_or(t.len());
        let e = trim_end_blanks(t, pos, nl);
        let line = &t[pos..e];
        if line.is_empty() {
            if seen_block {
                break;
            }
        } else {
            if is_blank(line[0]) {
                return None;
            }
            seen_block = seen_block || line.starts_with(b"TO ") || line.starts_with(b"INFO ") || line.starts_with(b"XMT ");
            if out.is_none() && (contains(line, b"  ") || line.contains(&b'\t')) {
                out = Some(t[..pos].to_vec());
            }
        }
        if let Some(o) = out.as_mut() {
            if line.is_empty() {
                o.extend_from_slice(&t[pos..nl]);
            } else {
                o.extend_from_slice(&collapse(line));
            }
            if nl < t.len() {
                o.push(b'\n');
            }
        }
        pos = nl + 1;
    }
    match out {
        None => Some(std::borrow::Cow::Borrowed(t)),
        Some(mut o) => {
            if pos < t.len() {
                o.extend_from_slice(&t[pos..]);
            }
            Some(std::borrow::Cow::Owned(o))
        }
    }
}

/// Scan a raw telegram; the raw parts, or ``None`` for the Python parsers.
///
/// Only input that ``lines.decode_bytes`` would return unchanged is read: at most
/// ``max_bytes``, valid UTF-8, no control bytes but TAB and LF (so no CR, VT, FF or NUL), no
/// byte-order mark, and no characters outside ASCII but the few of ``plain_chars``.
#[pyfunction]
fn scan(
    py: Python<'_>,
    raw: &Bound<'_, PyBytes>,
    max_bytes: usize,
    max_addressees: usize,
    max_addressee_chars: usize,
) -> PyResult<Option<PyObject>> {
    let t = raw.as_bytes();
    // `plain_chars` admits only ASCII and whole known UTF-8 sequences, so the input is UTF-8.
    if t.is_empty() || t.len() > max_bytes || !plain_chars(t) {
        return Ok(None);
    }
    let Some((dist, wrapper, from)) = before_heading(t) else { return Ok(None) };
    let Some(t) = normalize_heading(t, from) else { return Ok(None) };
    match std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        scan_inner(py, &t, from, dist.as_ref(), wrapper, max_addressees, max_addressee_chars)
    })) {
        Ok(r) => r,
        Err(_) => Ok(None),
    }
}

/// Whether `_classification.CLASSIFICATION_INSIDE` finds a marking with origin and serial
/// in an upper-case, single-spaced ASCII line (exposed so that tests can hold it to the
/// pattern).
#[pyfunction]
fn classification_inside_line(u: &Bound<'_, PyBytes>) -> bool {
    classification_inside(u.as_bytes())
}

#[pymodule]
fn cablerouter_scan(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(scan, m)?)?;
    m.add_function(wrap_pyfunction!(classification_inside_line, m)?)?;
    m.add_function(wrap_pyfunction!(source_digest, m)?)?;
    Ok(())
}
