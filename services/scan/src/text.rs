//! Small helpers over the bytes of a cable: ASCII classes, searches, blank trimming and
//! collapsing, the check that input is text the Python decoder would read unchanged.

// ---------------------------------------------------------------------------------------
// Small helpers over ASCII bytes.

pub(crate) fn is_blank(b: u8) -> bool {
    b == b' ' || b == b'\t'
}

pub(crate) fn is_upper(b: u8) -> bool {
    b.is_ascii_uppercase()
}

pub(crate) fn is_digit(b: u8) -> bool {
    b.is_ascii_digit()
}

pub(crate) fn is_word(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_'
}

pub(crate) fn all(s: &[u8], f: impl Fn(u8) -> bool) -> bool {
    s.iter().all(|&b| f(b))
}

pub(crate) fn find(hay: &[u8], needle: &[u8], from: usize) -> Option<usize> {
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
pub(crate) fn find_short(hay: &[u8], needle: &[u8]) -> Option<usize> {
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
pub(crate) fn find_ignore_case(hay: &[u8], needle: &[u8]) -> bool {
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


pub(crate) fn contains(hay: &[u8], needle: &[u8]) -> bool {
    if hay.len() < 256 {
        return find_short(hay, needle).is_some();
    }
    memchr::memmem::find(hay, needle).is_some()
}

pub(crate) fn find_byte(hay: &[u8], b: u8, from: usize) -> Option<usize> {
    if from >= hay.len() {
        return None;
    }
    memchr::memchr(b, &hay[from..]).map(|p| p + from)
}

pub(crate) fn rfind_byte(hay: &[u8], b: u8, end: usize) -> Option<usize> {
    memchr::memrchr(b, &hay[..end])
}

pub(crate) fn trim_end_blanks(t: &[u8], start: usize, mut end: usize) -> usize {
    while end > start && is_blank(t[end - 1]) {
        end -= 1;
    }
    end
}

pub(crate) fn trim_start_blanks(t: &[u8], mut start: usize, end: usize) -> usize {
    while start < end && is_blank(t[start]) {
        start += 1;
    }
    start
}

/// `(?:[ \t]*+\n)*+`: skip blank lines.
pub(crate) fn skip_blank_lines(t: &[u8], mut pos: usize) -> usize {
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
pub(crate) fn eol_line(t: &[u8], pos: usize) -> Option<(usize, usize)> {
    let nl = find_byte(t, b'\n', pos)?;
    Some((trim_end_blanks(t, pos, nl), nl + 1))
}

/// Blank-separated words of a line's content; `None` unless they are separated by single
/// spaces with no tab, no leading blank and no empty word.
pub(crate) fn words(c: &[u8]) -> Option<Vec<&[u8]>> {
    if c.is_empty() || c.contains(&b'\t') {
        return None;
    }
    let ws: Vec<&[u8]> = c.split(|&b| b == b' ').collect();
    if ws.iter().any(|w| w.is_empty()) {
        return None;
    }
    Some(ws)
}

pub(crate) fn s(t: &[u8]) -> &str {
    // Every slice ends at an ASCII byte, so it is valid UTF-8 (a panic here is read as None).
    std::str::from_utf8(t).expect("slices end at ASCII bytes")
}

/// Whether every character is ASCII or one of the few others real cables carry in their
/// text (pilcrow, acute accent, curly quotes): none of these is white space, a letter, a
/// digit or a word character, and none changes under `str.upper`, so byte-wise rules read
/// them as Python's `str` methods and `re` classes do.
pub(crate) fn plain_chars(t: &[u8]) -> bool {
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
pub(crate) fn special_mask(c: &[u8]) -> u32 {
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
pub(crate) fn special_mask(c: &[u8]) -> u32 {
    c.iter().enumerate().fold(0, |m, (k, &b)| {
        m | (((b < 0x20 && b != b'\t' && b != b'\n') || b >= 0x7F) as u32) << k
    })
}

/// Whether the input holds the word `XMT` in any case (no ASCII letter or digit on either
/// side; `XMT/` counts) and also `XMT` or `xmt` as written somewhere: the decoder leaves
/// every such input to the Python parsers, which own the exemption rules. One pass over
/// the `X`/`x` bytes; the same answer as
/// `(b"XMT" in raw or b"xmt" in raw) and re.search(rb"(?<![A-Za-z0-9])[Xx][Mm][Tt](?![A-Za-z0-9])", raw)`.
pub(crate) fn holds_xmt_word(t: &[u8]) -> bool {
    let (mut as_written, mut word) = (false, false);
    for p in memchr::memchr2_iter(b'X', b'x', t) {
        let Some(xmt) = t.get(p..p + 3) else { break };
        if !xmt[1..].eq_ignore_ascii_case(b"MT") {
            continue;
        }
        as_written |= xmt == b"XMT" || xmt == b"xmt";
        word |= (p == 0 || !t[p - 1].is_ascii_alphanumeric()) && !t.get(p + 3).is_some_and(|b| b.is_ascii_alphanumeric());
        if as_written && word {
            return true;
        }
    }
    false
}

/// Characters (not bytes) in a UTF-8 slice: Python's `len`.
pub(crate) fn char_len(s: &[u8]) -> usize {
    s.iter().filter(|&&b| (b & 0xC0) != 0x80).count()
}

pub(crate) const PILCROW: &[u8] = &[0xC2, 0xB6];

pub(crate) fn remove_all(s: &[u8], needle: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(s.len());
    let mut i = 0;
    while let Some(p) = find(s, needle, i) {
        out.extend_from_slice(&s[i..p]);
        i = p + needle.len();
    }
    out.extend_from_slice(&s[i..]);
    out
}

pub(crate) fn strip(s: &[u8]) -> &[u8] {
    let e = trim_end_blanks(s, 0, s.len());
    &s[trim_start_blanks(s, 0, e)..e]
}

/// Returns the pieces and the body's first line (0-based), or -1; `None` when a line needs

pub(crate) fn rstrip(s: &[u8]) -> &[u8] {
    let mut e = s.len();
    while e > 0 && (is_blank(s[e - 1]) || s[e - 1] == b'\n') {
        e -= 1;
    }
    &s[..e]
}

/// `" ".join(text.split())` for text whose only white space is the blank and TAB.
pub(crate) fn collapse(text: &[u8]) -> Vec<u8> {
    text.split(|&b| is_blank(b) || b == b'\n').filter(|w| !w.is_empty()).collect::<Vec<_>>().join(&b' ')
}

pub(crate) fn push_unique(v: &mut Vec<Vec<u8>>, w: &[u8]) {
    if !v.iter().any(|x| x.as_slice() == w) {
        v.push(w.to_vec());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_chars_admit_ascii_and_the_known_characters_only() {
        assert!(plain_chars(b"UNCLAS ASTANA 000179\n\tSIPDIS\n"));
        assert!(plain_chars("\u{b6}1. (U) \u{2019}quoted\u{201d} caf\u{b4}\n".as_bytes()));
        // Long input takes the 32-byte path; the odd byte is found wherever it is.
        let mut long = vec![b'A'; 100];
        assert!(plain_chars(&long));
        for at in [0, 31, 32, 63, 99] {
            long[at] = 0x0B;
            assert!(!plain_chars(&long), "vertical tab at {at}");
            long[at] = b'A';
        }
        assert!(!plain_chars(b"CR LF\r\n"));
        assert!(!plain_chars(b"NUL\x00"));
        assert!(!plain_chars("caf\u{e9}".as_bytes()));
        assert!(!plain_chars("no\u{a0}break".as_bytes()));
        assert!(!plain_chars(b"\xef\xbb\xbfBOM"));
        assert!(!plain_chars(b"truncated \xc2"));
    }

    #[test]
    fn the_word_xmt_in_any_case_is_found_when_xmt_is_written_somewhere() {
        for t in [&b"XMT AMEMBASSY X"[..], b"INFO XMT/X", b"x xmt", b"(XMT)", b"AXMT Xmt", b"XMTA xMt", b"\xc3\x89 XMT."] {
            assert!(holds_xmt_word(t), "{}", String::from_utf8_lossy(t));
        }
        // Inside a word only, or only in mixed case.
        for t in [&b"AXMT"[..], b"XMTA", b"1XMT", b"XMT2", b"Xmt", b"xMT X", b"XM", b"", b"MT"] {
            assert!(!holds_xmt_word(t), "{}", String::from_utf8_lossy(t));
        }
    }

    #[test]
    fn words_need_single_spaces() {
        assert_eq!(words(b"OO RUEHIK"), Some(vec![&b"OO"[..], b"RUEHIK"]));
        assert_eq!(words(b"OO  RUEHIK"), None);
        assert_eq!(words(b" OO"), None);
        assert_eq!(words(b"OO\tRUEHIK"), None);
        assert_eq!(words(b""), None);
    }

    #[test]
    fn searches_find_the_first_match_from_an_offset() {
        let long = [b"x".repeat(300), b"NEEDLE".to_vec()].concat();
        assert_eq!(find(&long, b"NEEDLE", 0), Some(300));
        assert_eq!(find(b"A NEEDLE B NEEDLE", b"NEEDLE", 3), Some(11));
        assert_eq!(find(b"AB", b"ABC", 0), None);
        assert_eq!(find(b"AB", b"A", 5), None);
        assert!(find_ignore_case(b"see tags here", b"TAGS"));
        assert!(!find_ignore_case(b"see tag here", b"TAGS"));
    }

    #[test]
    fn blanks_are_trimmed_and_collapsed() {
        assert_eq!(strip(b" \t A B \t"), b"A B");
        assert_eq!(rstrip(b"A B \n\n \t"), b"A B");
        assert_eq!(collapse(b"  A \t B\nC  "), b"A B C".to_vec());
        assert_eq!(skip_blank_lines(b"\n \t\nX\n", 0), 4);
        assert_eq!(eol_line(b"DE RUEHTA  \nX", 0), Some((9, 12)));
        assert_eq!(char_len("\u{b6}1.".as_bytes()), 3);
        assert_eq!(remove_all(b"A//B//C", b"//"), b"ABC".to_vec());
    }
}
