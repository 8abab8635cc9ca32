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
use pyo3::types::{PyBytes, PyList, PyString};

mod address;
mod body;
mod cable;
mod classification;
mod dates;
mod heading;
mod preamble;
mod text;
mod wrappers;

use cable::Limits;

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

// ---------------------------------------------------------------------------------------
// The result as Python sees it: frozen classes whose fields are Python objects made once,
// when the scan ends (reading a field hands out a reference, nothing is copied again).
// Field for field the types of `cable.rs`.

type Str = Py<PyString>;
type OptStr = Option<Py<PyString>>;
type List = Py<PyList>;

fn py_str(py: Python<'_>, s: &str) -> Str {
    PyString::new(py, s).unbind()
}

/// A Python string of UTF-8 bytes, checked by CPython as it copies them (the body: no
/// Rust-side copy or check first).
fn py_utf8(py: Python<'_>, b: &[u8]) -> PyResult<Str> {
    // SAFETY: the pointer and length describe a live byte slice, which CPython only reads;
    // invalid UTF-8 makes it return NULL with an exception set, which becomes the error.
    let obj = unsafe {
        Bound::from_owned_ptr_or_err(
            py,
            pyo3::ffi::PyUnicode_DecodeUTF8(b.as_ptr().cast(), b.len() as pyo3::ffi::Py_ssize_t, std::ptr::null()),
        )?
    };
    Ok(obj.downcast_into::<PyString>()?.unbind())
}

fn py_opt(py: Python<'_>, s: &Option<String>) -> OptStr {
    s.as_deref().map(|s| py_str(py, s))
}

fn py_list(py: Python<'_>, v: &[String]) -> PyResult<List> {
    Ok(PyList::new(py, v.iter().map(|s| PyString::new(py, s)))?.unbind())
}

fn py_objects<T: pyo3::PyClass + Into<pyo3::PyClassInitializer<T>>>(py: Python<'_>, v: Vec<T>) -> PyResult<List> {
    let items = v.into_iter().map(|x| Py::new(py, x)).collect::<PyResult<Vec<_>>>()?;
    Ok(PyList::new(py, items)?.unbind())
}

/// FL1, the transmission identification (`VZCZCXRO1169`).
#[pyclass(frozen, get_all, module = "cablerouter_scan")]
struct Transmission {
    raw: Str,
    channel: Str,
    serial: Str,
}

/// FL2, the routing line and its continuation lines.
#[pyclass(frozen, get_all, module = "cablerouter_scan")]
struct Routing {
    prosign: Str,
    ris: List,
}

/// FL3, `DE RI #SSN[/section] [filing time]`.
#[pyclass(frozen, get_all, module = "cablerouter_scan")]
struct Origin {
    ri: Str,
    ssn: Str,
    section: OptStr,
    filing_time_raw: OptStr,
}

/// FL4, the security warning and its operating signals.
#[pyclass(frozen, get_all, module = "cablerouter_scan")]
struct Security {
    signal: Str,
    letters: Str,
    opsigs: List,
    line: usize,
}

/// A date and time to the minute, UTC (always a valid date).
#[pyclass(frozen, get_all, module = "cablerouter_scan")]
struct Timestamp {
    year: i64,
    month: i64,
    day: i64,
    hour: i64,
    minute: i64,
}

/// FL5: precedence prosigns, the date-time group and its operating signals.
#[pyclass(frozen, get_all, module = "cablerouter_scan")]
struct Dtg {
    action: Str,
    info: OptStr,
    raw: Str,
    opsigs: List,
    time: Py<Timestamp>,
}

/// The FL3 filing time resolved against the DTG: `status` is `resolved`, `invalid` (no
/// `time`) or `far_from_dtg`.
#[pyclass(frozen, get_all, module = "cablerouter_scan")]
struct FilingTime {
    status: &'static str,
    time: Option<Py<Timestamp>>,
}

/// One addressee, as the fields of `cablerouter.telegram.model.Addressee`.
#[pyclass(frozen, get_all, module = "cablerouter_scan")]
struct Addressee {
    ri: OptStr,
    plad: Str,
    office: OptStr,
    precedence: OptStr,
    mcn: OptStr,
    raw: Str,
    line: usize,
}

/// Wrapper lines before the heading (`text_before_header`).
#[pyclass(frozen, get_all, module = "cablerouter_scan")]
struct Wrapper {
    first_line: usize,
    heading_index: usize,
}

/// State's internal distribution block before the heading.
#[pyclass(frozen, get_all, module = "cablerouter_scan")]
struct Distribution {
    action: List,
    info: List,
    total: OptStr,
    traces: List,
    line: usize,
}

/// Lines passed over between the heading and the classification line.
#[pyclass(frozen, get_all, module = "cablerouter_scan")]
struct SkippedLines {
    first_line: usize,
    duplicate: bool,
}

/// The classification line with an origin and serial.
#[pyclass(frozen, get_all, module = "cablerouter_scan")]
struct ClassificationLine {
    line: usize,
    raw: Str,
    word: Str,
    efto: bool,
    section: OptStr,
    sections: OptStr,
    origin: Str,
    serial: Str,
}

/// An `unknown_caption` warning.
#[pyclass(frozen, get_all, module = "cablerouter_scan")]
struct CaptionWarning {
    line: usize,
    detail: Str,
}

/// The text preamble's fields (REF unsplit, the E.O. line's date unread).
#[pyclass(frozen, get_all, module = "cablerouter_scan")]
struct Preamble {
    captions: List,
    instructions: List,
    caption_warnings: List,
    eo: OptStr,
    tags: List,
    subject: OptStr,
    refs: OptStr,
}

/// Everything the scanner read of one cable.
#[pyclass(frozen, get_all, module = "cablerouter_scan")]
struct ScannedCable {
    distribution: Option<Py<Distribution>>,
    wrapper: Option<Py<Wrapper>>,
    transmission: Option<Py<Transmission>>,
    routing: Option<Py<Routing>>,
    origin: Option<Py<Origin>>,
    security: Option<Py<Security>>,
    dtg: Py<Dtg>,
    filing_time: Option<Py<FilingTime>>,
    originator: Py<Addressee>,
    to: List,
    info: List,
    xmt: List,
    page_lines: List,
    skipped: Option<Py<SkippedLines>>,
    classification: Py<ClassificationLine>,
    preamble: Py<Preamble>,
    body_line: Option<usize>,
    body: Str,
    paragraph_marks: List,
    signer: OptStr,
    reference_id: Str,
}

fn timestamp(py: Python<'_>, t: &cable::Timestamp) -> PyResult<Py<Timestamp>> {
    Py::new(py, Timestamp { year: t.year, month: t.month, day: t.day, hour: t.hour, minute: t.minute })
}

fn addressee(py: Python<'_>, a: &cable::Addressee) -> Addressee {
    Addressee {
        ri: py_opt(py, &a.ri),
        plad: py_str(py, &a.plad),
        office: py_opt(py, &a.office),
        precedence: py_opt(py, &a.precedence),
        mcn: py_opt(py, &a.mcn),
        raw: py_str(py, &a.raw),
        line: a.line,
    }
}

fn addressees(py: Python<'_>, v: &[cable::Addressee]) -> PyResult<List> {
    py_objects(py, v.iter().map(|a| addressee(py, a)).collect())
}

fn transpose<T>(v: Option<PyResult<T>>) -> PyResult<Option<T>> {
    v.transpose()
}

/// Every part of the scan as Python objects.
fn scanned_cable(py: Python<'_>, c: &cable::ScannedCable<'_>) -> PyResult<ScannedCable> {
    let p = &c.preamble;
    Ok(ScannedCable {
        distribution: c
            .distribution
            .as_ref()
            .map(|d| -> PyResult<_> {
                Py::new(
                    py,
                    Distribution {
                        action: py_list(py, &d.action)?,
                        info: py_list(py, &d.info)?,
                        total: py_opt(py, &d.total),
                        traces: py_list(py, &d.traces)?,
                        line: d.line,
                    },
                )
            })
            .transpose()?,
        wrapper: transpose(c.wrapper.as_ref().map(|w| {
            Py::new(py, Wrapper { first_line: w.first_line, heading_index: w.heading_index })
        }))?,
        transmission: transpose(c.transmission.as_ref().map(|t| {
            Py::new(py, Transmission { raw: py_str(py, &t.raw), channel: py_str(py, &t.channel), serial: py_str(py, &t.serial) })
        }))?,
        routing: c
            .routing
            .as_ref()
            .map(|r| -> PyResult<_> { Py::new(py, Routing { prosign: py_str(py, &r.prosign), ris: py_list(py, &r.ris)? }) })
            .transpose()?,
        origin: transpose(c.origin.as_ref().map(|o| {
            Py::new(
                py,
                Origin {
                    ri: py_str(py, &o.ri),
                    ssn: py_str(py, &o.ssn),
                    section: py_opt(py, &o.section),
                    filing_time_raw: py_opt(py, &o.filing_time_raw),
                },
            )
        }))?,
        security: c
            .security
            .as_ref()
            .map(|s| -> PyResult<_> {
                Py::new(
                    py,
                    Security {
                        signal: py_str(py, &s.signal),
                        letters: py_str(py, &s.letters),
                        opsigs: py_list(py, &s.opsigs)?,
                        line: s.line,
                    },
                )
            })
            .transpose()?,
        dtg: Py::new(
            py,
            Dtg {
                action: py_str(py, &c.dtg.action),
                info: py_opt(py, &c.dtg.info),
                raw: py_str(py, &c.dtg.raw),
                opsigs: py_list(py, &c.dtg.opsigs)?,
                time: timestamp(py, &c.dtg.time)?,
            },
        )?,
        filing_time: c
            .filing_time
            .as_ref()
            .map(|f| -> PyResult<_> {
                Py::new(py, FilingTime { status: f.status, time: f.time.as_ref().map(|t| timestamp(py, t)).transpose()? })
            })
            .transpose()?,
        originator: Py::new(py, addressee(py, &c.originator))?,
        to: addressees(py, &c.to)?,
        info: addressees(py, &c.info)?,
        xmt: addressees(py, &c.xmt)?,
        page_lines: PyList::new(py, &c.page_lines)?.unbind(),
        skipped: transpose(c.skipped.as_ref().map(|k| Py::new(py, SkippedLines { first_line: k.first_line, duplicate: k.duplicate })))?,
        classification: Py::new(
            py,
            ClassificationLine {
                line: c.classification.line,
                raw: py_str(py, &c.classification.raw),
                word: py_str(py, &c.classification.word),
                efto: c.classification.efto,
                section: py_opt(py, &c.classification.section),
                sections: py_opt(py, &c.classification.sections),
                origin: py_str(py, &c.classification.origin),
                serial: py_str(py, &c.classification.serial),
            },
        )?,
        preamble: Py::new(
            py,
            Preamble {
                captions: py_list(py, &p.captions)?,
                instructions: py_list(py, &p.instructions)?,
                caption_warnings: py_objects(
                    py,
                    p.caption_warnings
                        .iter()
                        .map(|w| CaptionWarning { line: w.line, detail: py_str(py, &w.detail) })
                        .collect(),
                )?,
                eo: py_opt(py, &p.eo),
                tags: py_list(py, &p.tags)?,
                subject: py_opt(py, &p.subject),
                refs: py_opt(py, &p.refs),
            },
        )?,
        body_line: c.body_line,
        body: py_utf8(py, &c.body)?,
        paragraph_marks: py_list(py, &c.paragraph_marks)?,
        signer: py_opt(py, &c.signer),
        reference_id: py_str(py, &c.reference_id),
    })
}

/// Scan a raw telegram: a `ScannedCable`, or `None` for the Python parsers.
#[pyfunction]
fn scan(
    py: Python<'_>,
    raw: &Bound<'_, PyBytes>,
    max_bytes: usize,
    max_addressees: usize,
    max_addressee_chars: usize,
) -> PyResult<Option<ScannedCable>> {
    let limits = Limits { max_bytes, max_addressees, max_addressee_chars };
    cable::scan_cable(raw.as_bytes(), limits).map(|c| scanned_cable(py, &c)).transpose()
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
