//! Counting many benchmarks in one process (`--perfmatrix-count-each`): ids come one per line on
//! standard input, and each is counted in a child forked for it, so one valgrind start serves
//! them all where one process per id paid it for each (~0.35 s). The parent allocates
//! nothing between its forks (the id is read a byte at a time into a buffer on its stack), so
//! every child starts from the same heap, whatever ids came before it or how long they are. The
//! criterion layer does the same (it cannot share this code: it is written out as a crate of
//! its own, with no dependencies).

/// The longest id read, in bytes.
const MAX_ID: usize = 4096;

/// Reads ids from standard input, one per line, and for each forks a child that runs
/// `count(id)` and exits with its code; waits for it before reading the next. Returns 0 when
/// every child succeeded, 1 when one failed (it said why on standard error; the others were
/// counted), 2 when standard input cannot be read or holds an id that is too long or not UTF-8.
#[cfg(unix)]
pub(crate) fn count_each(count: &mut dyn FnMut(&str) -> i32) -> i32 {
    unsafe extern "C" {
        fn read(fd: i32, buf: *mut u8, count: usize) -> isize;
        fn fork() -> i32;
        fn waitpid(pid: i32, status: *mut i32, options: i32) -> i32;
        fn _exit(status: i32) -> !;
    }
    let mut failed = false;
    let mut line = [0_u8; MAX_ID];
    loop {
        let mut len = 0;
        let ended = loop {
            let mut byte = 0_u8;
            // SAFETY: reads at most one byte into a local.
            match unsafe { read(0, &raw mut byte, 1) } {
                1 if byte == b'\n' => break false,
                1 if len < MAX_ID => {
                    line[len] = byte;
                    len += 1;
                }
                1 => {
                    eprintln!("error: an id of more than {MAX_ID} bytes on standard input");
                    return 2;
                }
                0 => break true,
                _ => {
                    eprintln!("error: cannot read the ids from standard input");
                    return 2;
                }
            }
        };
        if len > 0 {
            let Ok(id) = std::str::from_utf8(&line[..len]) else {
                eprintln!("error: an id on standard input is not UTF-8");
                return 2;
            };
            // SAFETY: the counting modes run no other thread, so the child is a whole copy of
            // this process; it leaves through `_exit`, never returning into the parent's loop.
            match unsafe { fork() } {
                -1 => {
                    eprintln!("error: cannot fork a counting child for `{id}`");
                    return 2;
                }
                0 => {
                    let code = count(id);
                    // SAFETY: ends the child without running the parent's exit handlers twice.
                    unsafe { _exit(code) }
                }
                child => {
                    let mut status = 0;
                    // SAFETY: waits for the child just forked; `status` is a local.
                    let waited = unsafe { waitpid(child, &raw mut status, 0) };
                    failed |= waited != child || status != 0;
                }
            }
        }
        if ended {
            return i32::from(failed);
        }
    }
}

/// Without `fork`, the mode is refused: perfmatrix counts one process per id there.
#[cfg(not(unix))]
pub(crate) fn count_each(_count: &mut dyn FnMut(&str) -> i32) -> i32 {
    eprintln!("error: --perfmatrix-count-each needs fork (a Unix system)");
    2
}
