//! What comes before the heading: State's internal distribution block and e-mail or
//! archive wrapper lines (`_wrappers.locate_header`), and the heading's blank runs.

use crate::text::*;

/// State's internal distribution block before the heading, as `_wrappers.locate_header`
/// collects it.
pub(crate) struct Dist {
    pub(crate) action: Vec<Vec<u8>>,
    pub(crate) info: Vec<Vec<u8>>,
    pub(crate) total: Option<Vec<u8>>,
    pub(crate) traces: Vec<Vec<u8>>,
    pub(crate) line: usize,
}

/// `[A-Z0-9]+-\d\d`, the whole word.
pub(crate) fn is_code(w: &[u8]) -> bool {
    let n = w.len();
    n >= 4 && w[n - 3] == b'-' && all(&w[n - 2..], is_digit) && all(&w[..n - 3], |b| is_upper(b) || is_digit(b))
}

/// `/\d{3}[A-Z]`, the whole word.
pub(crate) fn is_total(w: &[u8]) -> bool {
    w.len() == 5 && w[0] == b'/' && all(&w[1..4], is_digit) && is_upper(w[4])
}

/// `-{4,}[0-9A-F]{4,8} +\d{6}Z(?: +/\d+)?`, the whole (collapsed) line.
pub(crate) fn is_trace(u: &[u8]) -> bool {
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
pub(crate) fn before_heading(t: &[u8]) -> Option<(Option<Dist>, Option<(usize, usize)>, usize)> {
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
pub(crate) fn normalize_heading(t: &[u8], from: usize) -> Option<std::borrow::Cow<'_, [u8]>> {
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_heading_at_the_start_has_nothing_before_it() {
        let (dist, wrapper, from) = before_heading(b"VZCZCXRO1169\nOO RUEHIK\n").unwrap();
        assert!(dist.is_none() && wrapper.is_none());
        assert_eq!(from, 0);
    }

    #[test]
    fn a_distribution_block_and_wrapper_lines_are_collected() {
        let t = b"From: someone\nINFO  LOG-00   EEB-00\n      EUR-00   FA-00      /001W\n\
------------------5A9C83  271329Z /38\nR 271327Z APR 09\n";
        let (dist, wrapper, from) = before_heading(t).unwrap();
        let d = dist.unwrap();
        assert_eq!(d.info, vec![b"LOG-00".to_vec(), b"EEB-00".to_vec(), b"EUR-00".to_vec(), b"FA-00".to_vec()]);
        assert_eq!(d.total, Some(b"/001W".to_vec()));
        assert_eq!(d.traces, vec![b"------------------5A9C83 271329Z /38".to_vec()]);
        assert_eq!(d.line, 2);
        assert_eq!(wrapper, Some((1, 4)));
        assert!(t[from..].starts_with(b"R 271327Z"));
    }

    #[test]
    fn a_distribution_line_with_other_words_is_left_to_python() {
        assert!(before_heading(b"INFO LOG-00 SOMETHING\nR 271327Z APR 09\n").is_none());
        // No heading at all: Python reports it.
        assert!(before_heading(b"just text\n").is_none());
    }

    #[test]
    fn codes_totals_and_traces() {
        assert!(is_code(b"LOG-00") && is_code(b"A1-12") && !is_code(b"-00") && !is_code(b"LOG-0"));
        assert!(is_total(b"/001W") && !is_total(b"/01W"));
        assert!(is_trace(b"----5A9C 271329Z") && !is_trace(b"---5A9C 271329Z") && !is_trace(b"----5A9C 271329"));
    }

    #[test]
    fn heading_lines_are_single_spaced_up_to_the_address_block_end() {
        let t = b"OO  RUEHIK\nFM A\nTO B  C\n\nTEXT  STAYS\n";
        assert_eq!(&normalize_heading(t, 0).unwrap()[..], b"OO RUEHIK\nFM A\nTO B C\n\nTEXT  STAYS\n");
        let plain = b"OO RUEHIK\nTO B\n\nX  Y\n";
        assert!(matches!(normalize_heading(plain, 0), Some(std::borrow::Cow::Borrowed(_))));
        assert!(normalize_heading(b" OO RUEHIK\n", 0).is_none());
    }
}
