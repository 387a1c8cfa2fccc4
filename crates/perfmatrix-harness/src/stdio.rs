//! The protocol's own descriptor: perfmatrix's modes write their lines to a duplicate of the
//! original standard output, and standard output is pointed at standard error, so whatever a
//! benchmark prints (a `println!` in its setup) reaches the terminal or perfmatrix's log and
//! never the protocol. The criterion layer does the same (it cannot share this code: it is
//! written out as a crate of its own, with no dependencies).

use std::io::Write;

/// The protocol's writer, standard output pointed at standard error from now on. Falls back to
/// standard output when the descriptors cannot be duplicated.
#[cfg(unix)]
pub(crate) fn protocol_output() -> Box<dyn Write> {
    use std::os::fd::{FromRawFd, RawFd};
    unsafe extern "C" {
        fn dup(fd: RawFd) -> RawFd;
        fn dup2(old: RawFd, new: RawFd) -> RawFd;
    }
    // SAFETY: `dup` and `dup2` act on descriptors 1 and 2, open in any process perfmatrix
    // starts; on failure nothing is changed and standard output is used as it is.
    unsafe {
        let protocol = dup(1);
        if protocol < 0 || dup2(2, 1) < 0 {
            return Box::new(std::io::stdout());
        }
        // SAFETY: `protocol` is a fresh descriptor owned by nothing else.
        Box::new(std::io::LineWriter::new(std::fs::File::from_raw_fd(
            protocol,
        )))
    }
}

#[cfg(not(unix))]
pub(crate) fn protocol_output() -> Box<dyn Write> {
    Box::new(std::io::stdout())
}
