//! Native scanner for the telegram decoder (`cablerouter_scan`), the accelerated reader
//! beside the Python parsers.
//!
//! `scan(raw, max_bytes, max_addressees, max_addressee_chars)` reads a clean, standard cable
//! in one pass over its bytes: State's internal distribution block if any, the heading (FL1
//! to the address block), wrapper lines and header copies before the classification line,
//! the classification line, the text preamble (split into pieces as the decoder's line loop
//! splits it, then folded into captions, instructions, E.O., TAGS and SUBJECT), and the body
//! (closing lines and page-break artefacts removed, signer, paragraph classification marks).
//! It returns a frozen [`cable::ScannedCable`] for `cablerouter.telegram._scan` to build
//! the `Cable` from, or `None` for anything it does not read exactly as the Python parsers
//! do; the decoder then runs those parsers. Every rule is written out by hand from a Python
//! parser (`_wrappers.py`, `header.py`, `addressees.py`, `_classification.py`, `text.py`,
//! `_preamble.py`, `_body.py`, `_dates.py`), is never wider than it, and is held to its
//! result by `tests/unit/telegram/test_native_scan.py` and `bench/fuzz_decode.py --compare`.
//!
//! The modules follow the parts of a cable; this file is only the Python binding. Nothing
//! does I/O or keeps state. A panic is not caught: PyO3 raises it in Python as
//! `PanicException` (exported here), and the decoder falls back to the Python parsers and
//! records it on the cable.

use pyo3::prelude::*;
use pyo3::types::PyBytes;

mod address;
mod body;
mod cable;
mod classification;
mod dates;
mod heading;
mod preamble;
mod text;
mod wrappers;

use cable::{
    Addressee, CaptionWarning, ClassificationLine, Distribution, Dtg, FilingTime, Limits, Origin, Preamble, Routing,
    ScannedCable, Security, SkippedLines, Timestamp, Transmission, Wrapper,
};

/// Every source file of the scanner, by name, in name order: what `source_digest` covers.
const SOURCES: [(&str, &[u8]); 10] = [
    ("address.rs", include_bytes!("address.rs")),
    ("body.rs", include_bytes!("body.rs")),
    ("cable.rs", include_bytes!("cable.rs")),
    ("classification.rs", include_bytes!("classification.rs")),
    ("dates.rs", include_bytes!("dates.rs")),
    ("heading.rs", include_bytes!("heading.rs")),
    ("lib.rs", include_bytes!("lib.rs")),
    ("preamble.rs", include_bytes!("preamble.rs")),
    ("text.rs", include_bytes!("text.rs")),
    ("wrappers.rs", include_bytes!("wrappers.rs")),
];

/// FNV-1a over the source files (`src/*.rs` in name order, each as `name NUL bytes NUL`),
/// compared with the files on disk by the test suite so that a stale build is noticed.
#[pyfunction]
fn source_digest() -> String {
    let mut h: u64 = 0xcbf29ce484222325;
    for (name, bytes) in SOURCES {
        for b in name.as_bytes().iter().chain(&[0]).chain(bytes).chain(&[0]) {
            h ^= *b as u64;
            h = h.wrapping_mul(0x100000001b3);
        }
    }
    format!("{h:016x}")
}

/// Scan a raw telegram: a `ScannedCable`, or `None` for the Python parsers.
#[pyfunction]
fn scan(
    raw: &Bound<'_, PyBytes>,
    max_bytes: usize,
    max_addressees: usize,
    max_addressee_chars: usize,
) -> Option<ScannedCable> {
    cable::scan_cable(raw.as_bytes(), Limits { max_bytes, max_addressees, max_addressee_chars })
}

/// Whether `_classification.CLASSIFICATION_INSIDE` finds a marking with origin and serial
/// in an upper-case, single-spaced ASCII line (exposed so that tests can hold it to the
/// pattern).
#[pyfunction]
fn classification_inside_line(u: &Bound<'_, PyBytes>) -> bool {
    classification::classification_inside(u.as_bytes())
}

/// Panic with `message`: lets the tests prove that a panic reaches Python as
/// `PanicException` rather than a quiet `None`.
#[pyfunction]
fn raise_panic(message: &str) {
    panic!("{message}");
}

#[pymodule]
fn cablerouter_scan(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(scan, m)?)?;
    m.add_function(wrap_pyfunction!(classification_inside_line, m)?)?;
    m.add_function(wrap_pyfunction!(source_digest, m)?)?;
    m.add_function(wrap_pyfunction!(raise_panic, m)?)?;
    m.add_class::<ScannedCable>()?;
    m.add_class::<Transmission>()?;
    m.add_class::<Routing>()?;
    m.add_class::<Origin>()?;
    m.add_class::<Security>()?;
    m.add_class::<Timestamp>()?;
    m.add_class::<Dtg>()?;
    m.add_class::<FilingTime>()?;
    m.add_class::<Addressee>()?;
    m.add_class::<Wrapper>()?;
    m.add_class::<Distribution>()?;
    m.add_class::<SkippedLines>()?;
    m.add_class::<ClassificationLine>()?;
    m.add_class::<CaptionWarning>()?;
    m.add_class::<Preamble>()?;
    m.add("PanicException", m.py().get_type::<pyo3::panic::PanicException>())?;
    Ok(())
}
