//! The running mode of a bench binary built against the layer, and the walk that reaches a
//! benchmark: bench code registers nothing ahead of time (its closures borrow what its bench
//! functions made), so the layer runs the groups, in order, and acts when the benchmark it
//! wants is handed to it. A benchmark's closure is called while its bench function runs, as in
//! criterion; reaching an earlier one runs the groups again from the start.
//!
//! The sample server speaks the line protocol of `perfmatrix-harness` (version [`PROTOCOL`]):
//! `list`, `dispatch`, `prepare <id>`, `time <iters>`, `quit`.

use std::cell::RefCell;
use std::fmt::Write as _;
use std::io::{BufRead, BufReader, Write};

use crate::bencher::{Bencher, Task};
use crate::measurement::Measurement;
use crate::plain::Plain;

/// The protocol version this layer speaks, `perfmatrix-harness`'s.
pub(crate) const PROTOCOL: u32 = 1;

/// What this layer says it is in the list line, for the report.
const LAYER: &str = "perfmatrix-criterion";

thread_local! {
    static SESSION: RefCell<Option<Session>> = const { RefCell::new(None) };
}

/// What the bench binary was asked to do.
enum Session {
    /// Collect every id in order.
    List(Vec<String>),
    /// Serve samples.
    Serve(Server),
    /// Count one call of this benchmark, print its line and exit.
    Count { id: String, out: Box<dyn Write> },
    /// What `cargo bench` runs when a project depends on the layer by choice.
    Plain(Plain),
}

/// The sample server's state between benchmarks.
struct Server {
    input: Box<dyn BufRead>,
    out: Box<dyn Write>,
    ids: Vec<String>,
    /// The benchmark a `prepare` asked for and the walk has not reached yet.
    wanted: Option<String>,
    /// Whether `wanted` was asked for during the current walk (so the walk may have passed it).
    asked_mid_walk: bool,
}

/// Hands the benchmark `id` to the running session: its closure `f` is called if the session
/// wants this benchmark. Without a session (the groups run outside `criterion_main!`) it does
/// nothing.
pub(crate) fn bench<M: Measurement>(id: String, mut f: impl FnMut(&mut Bencher<'_, M>)) {
    let Some(mut session) = SESSION.with(|s| s.borrow_mut().take()) else {
        return;
    };
    match &mut session {
        Session::List(ids) => ids.push(id),
        Session::Serve(server) => {
            if server.wanted.as_deref() == Some(id.as_str()) {
                server.wanted = None;
                server.serve(&id, &mut f);
            }
        }
        Session::Plain(plain) => plain.bench(&id, &mut f),
        Session::Count { id: wanted, out } => {
            if *wanted == id {
                let mut b = Bencher::<M>::new(Task::Count);
                f(&mut b);
                if !b.counted {
                    exit_with(&format!(
                        "the benchmark `{id}` called no `iter` method of its Bencher"
                    ));
                }
                let line = count_line(&id);
                let _ = writeln!(out, "{line}").and_then(|()| out.flush());
                std::process::exit(0);
            }
        }
    }
    SESSION.with(|s| *s.borrow_mut() = Some(session));
}

/// Runs the groups of a bench binary in the mode its command line asks for; exits.
pub fn main(groups: &[fn()]) {
    let args: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| a != "--bench")
        .collect();
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    if !args.first().is_some_and(|a| a.starts_with("--perfmatrix-")) {
        SESSION.with(|s| *s.borrow_mut() = Some(Session::Plain(Plain::parse(&args))));
        run(groups);
        std::process::exit(0);
    }
    let out = protocol_output();
    let code = match args.as_slice() {
        ["--perfmatrix-list"] => {
            let ids = list(groups);
            write_line(
                out,
                &format!(
                    "{{\"protocol\":{PROTOCOL},\"layer\":\"{LAYER}\",\"ids\":{},\
                     \"count_each\":true}}",
                    json_strings(&ids)
                ),
            )
        }
        ["--perfmatrix-serve"] => serve(groups, out),
        ["--perfmatrix-count", id] => count(groups, id, out),
        ["--perfmatrix-count-each"] => {
            let mut out = Some(out);
            // Only a forked child calls this, once: the parent's heap is left as it was.
            crate::each::count_each(&mut |id| match out.take() {
                Some(out) => count(groups, id, out),
                None => 2,
            })
        }
        _ => {
            eprintln!(
                "error: unknown mode {:?}; expected --perfmatrix-list, --perfmatrix-serve or \
                 --perfmatrix-count <id> or --perfmatrix-count-each",
                args.join(" ")
            );
            2
        }
    };
    std::process::exit(code);
}

/// Counts one call of `id` and prints its line to `out` (exiting 0), or returns 2 when no
/// group has the id.
fn count(groups: &[fn()], id: &str, out: Box<dyn Write>) -> i32 {
    SESSION.with(|s| {
        *s.borrow_mut() = Some(Session::Count {
            id: id.to_owned(),
            out,
        });
    });
    run(groups);
    eprintln!(
        "error: unknown benchmark id {id:?}; valid ids: {}",
        list(groups).join(", ")
    );
    2
}

fn run(groups: &[fn()]) {
    for group in groups {
        group();
    }
}

/// Every id of the groups, in the order they run.
fn list(groups: &[fn()]) -> Vec<String> {
    SESSION.with(|s| *s.borrow_mut() = Some(Session::List(Vec::new())));
    run(groups);
    match SESSION.with(|s| s.borrow_mut().take()) {
        Some(Session::List(ids)) => ids,
        _ => Vec::new(),
    }
}

fn serve(groups: &[fn()], mut out: Box<dyn Write>) -> i32 {
    let ids = list(groups);
    if writeln!(out, "{{\"protocol\":{PROTOCOL}}}")
        .and_then(|()| out.flush())
        .is_err()
    {
        return 2;
    }
    let server = Server {
        input: Box::new(BufReader::new(std::io::stdin())),
        out,
        ids,
        wanted: None,
        asked_mid_walk: false,
    };
    SESSION.with(|s| *s.borrow_mut() = Some(Session::Serve(server)));
    loop {
        let wanted = with_server(|server| {
            if server.wanted.is_none() {
                server.between_benchmarks();
            }
            server.asked_mid_walk = false;
            server.wanted.clone()
        });
        if wanted.is_none() {
            continue;
        }
        run(groups);
        with_server(|server| {
            if server.asked_mid_walk {
                return;
            }
            // The layer's sources are built in the user's edition, 2021 or later: no let chains.
            if let Some(id) = server.wanted.take() {
                // A whole walk from the start did not reach it: the bench code ran differently
                // than when it was listed.
                server.answer(&format!(
                    "{{\"error\":{}}}",
                    json_string(&format!(
                        "the benchmark {id:?} was listed but the bench functions did not reach it"
                    ))
                ));
            }
        });
    }
}

fn with_server<T>(f: impl FnOnce(&mut Server) -> T) -> T {
    SESSION.with(|s| match s.borrow_mut().as_mut() {
        Some(Session::Serve(server)) => f(server),
        _ => unreachable!("the sample server's session is set for as long as it serves"),
    })
}

impl Server {
    /// Answers requests until one names a benchmark to prepare (kept in `wanted`).
    fn between_benchmarks(&mut self) {
        while self.wanted.is_none() {
            let line = self.request();
            match Request::parse(&line) {
                Request::Prepare(id) => self.prepare(id),
                Request::Time(_) => {
                    self.answer(r#"{"error":"nothing prepared: send `prepare <id>` first"}"#);
                }
                other => self.common(&other, &line),
            }
        }
    }

    /// Serves `time` requests for the benchmark `id` (its closure `f`) until a `prepare` names
    /// another one.
    fn serve<M: Measurement>(&mut self, id: &str, f: &mut dyn FnMut(&mut Bencher<'_, M>)) {
        self.answer(&format!("{{\"prepared\":{}}}", json_string(id)));
        loop {
            let line = self.request();
            match Request::parse(&line) {
                Request::Time(Ok(iters)) => {
                    let mut b = Bencher::<M>::new(Task::Time(iters));
                    f(&mut b);
                    match b.elapsed_ns {
                        Some(ns) => {
                            let ns = u64::try_from(ns).unwrap_or(u64::MAX);
                            self.answer(&format!("{{\"ns\":{ns}}}"));
                        }
                        None => self.answer(&format!(
                            "{{\"error\":{}}}",
                            json_string(&format!(
                                "the benchmark {id:?} called no `iter` method of its Bencher"
                            ))
                        )),
                    }
                }
                Request::Time(Err(bad)) => self.answer(&format!(
                    "{{\"error\":{}}}",
                    json_string(&format!("`time` takes a whole number > 0, not {bad:?}"))
                )),
                Request::Prepare(other) if other == id => {
                    self.answer(&format!("{{\"prepared\":{}}}", json_string(id)));
                }
                Request::Prepare(other) => {
                    self.prepare(other);
                    if self.wanted.is_some() {
                        self.asked_mid_walk = true;
                        return;
                    }
                }
                other => self.common(&other, &line),
            }
        }
    }

    /// Wants `id` next, or answers why not.
    fn prepare(&mut self, id: &str) {
        if self.ids.iter().any(|known| known == id) {
            self.wanted = Some(id.to_owned());
        } else {
            self.answer(&format!(
                "{{\"error\":{}}}",
                json_string(&format!("unknown benchmark id {id:?}"))
            ));
        }
    }

    /// The requests answered the same wherever the server is.
    fn common(&mut self, request: &Request<'_>, line: &str) {
        match request {
            Request::List => {
                let ids = json_strings(&self.ids);
                self.answer(&format!("{{\"ids\":{ids}}}"));
            }
            Request::Dispatch => self.answer(r#"{"dispatch":{}}"#),
            Request::Quit => std::process::exit(0),
            Request::Empty => {}
            _ => self.answer(&format!(
                "{{\"error\":{}}}",
                json_string(&format!(
                    "unknown request {line:?}; expected list, dispatch, prepare <id>, time \
                     <iters> or quit"
                ))
            )),
        }
    }

    /// The next request line; the end of the input ends the server.
    fn request(&mut self) -> String {
        let mut line = String::new();
        match self.input.read_line(&mut line) {
            Ok(0) | Err(_) => std::process::exit(0),
            Ok(_) => line.trim().to_owned(),
        }
    }

    fn answer(&mut self, line: &str) {
        if writeln!(self.out, "{line}")
            .and_then(|()| self.out.flush())
            .is_err()
        {
            // perfmatrix stopped reading: nothing left to serve.
            std::process::exit(2);
        }
    }
}

/// A request line of the protocol.
#[derive(Debug, PartialEq)]
enum Request<'a> {
    List,
    Dispatch,
    Prepare(&'a str),
    Time(Result<u64, &'a str>),
    Quit,
    Unknown,
    Empty,
}

impl<'a> Request<'a> {
    /// A request of `line`; `prepare` takes the rest of the line, so an id may hold spaces
    /// (criterion's often do: `fib 20`).
    fn parse(line: &'a str) -> Self {
        let line = line.trim();
        if let Some(id) = line.strip_prefix("prepare ") {
            return match id.trim() {
                "" => Request::Unknown,
                id => Request::Prepare(id),
            };
        }
        let mut words = line.split_whitespace();
        match (words.next(), words.next(), words.next()) {
            (None, ..) => Request::Empty,
            (Some("list"), None, _) => Request::List,
            (Some("dispatch"), None, _) => Request::Dispatch,
            (Some("quit"), None, _) => Request::Quit,
            (Some("time"), Some(n), None) => {
                Request::Time(n.parse::<u64>().ok().filter(|n| *n > 0).ok_or(n))
            }
            _ => Request::Unknown,
        }
    }
}

/// The count line of `id`: its process id, no dispatch facts (plain criterion code declares none) and the peak
/// resident memory, or why it is unavailable.
fn count_line(id: &str) -> String {
    let peak = match peak_rss_bytes() {
        Ok(bytes) => format!("\"peak_rss_bytes\":{bytes}"),
        Err(unread) => format!(
            "\"peak_rss_bytes\":null,\"peak_rss_unavailable\":{}",
            json_string(&unread.to_string())
        ),
    };
    // The pid names the callgrind file of a child of `--perfmatrix-count-each`.
    format!(
        "{{\"id\":{},\"pid\":{},\"variant\":\"\",\"dispatch\":{{}},{peak}}}",
        json_string(id),
        std::process::id()
    )
}

/// Why the peak resident memory could not be read (sent as `peak_rss_unavailable`). The layer
/// depends on criterion alone, so this is worded by hand.
#[derive(Debug)]
enum PeakUnread {
    /// /proc/self/status cannot be read (not Linux, or no /proc).
    Status(std::io::Error),
    /// It has no `VmHWM` line.
    NoLine,
    /// Its `VmHWM` line is not `<n> kB`.
    NotKib(String),
}

impl std::fmt::Display for PeakUnread {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Status(err) => write!(f, "cannot read /proc/self/status: {err}"),
            Self::NoLine => f.write_str("/proc/self/status has no VmHWM line"),
            Self::NotKib(line) => write!(f, "cannot parse VmHWM `{line}` in /proc/self/status"),
        }
    }
}

/// Peak resident memory of this process so far (`VmHWM` of /proc/self/status), in bytes.
fn peak_rss_bytes() -> Result<u64, PeakUnread> {
    let status = std::fs::read_to_string("/proc/self/status").map_err(PeakUnread::Status)?;
    let line = status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .ok_or(PeakUnread::NoLine)?;
    let kib = line
        .trim()
        .strip_suffix("kB")
        .and_then(|v| v.trim().parse::<u64>().ok())
        .ok_or_else(|| PeakUnread::NotKib(line.trim().to_owned()))?;
    Ok(kib * 1024)
}

fn write_line(mut out: Box<dyn Write>, line: &str) -> i32 {
    match writeln!(out, "{line}").and_then(|()| out.flush()) {
        Ok(()) => 0,
        Err(_) => 2,
    }
}

fn exit_with(message: &str) -> ! {
    eprintln!("error: {message}");
    std::process::exit(2);
}

/// Where protocol lines go: a duplicate of the original standard output, while standard output
/// itself is pointed at standard error, so whatever the benchmarks print reaches the terminal
/// (or perfmatrix's log) and never the protocol.
#[cfg(unix)]
fn protocol_output() -> Box<dyn Write> {
    use std::os::fd::{FromRawFd, RawFd};
    unsafe extern "C" {
        fn dup(fd: RawFd) -> RawFd;
        fn dup2(old: RawFd, new: RawFd) -> RawFd;
    }
    // SAFETY: `dup` and `dup2` are async-signal-safe libc calls on descriptors this process
    // owns (0–2 are open in any process perfmatrix starts); a failed `dup` leaves standard
    // output as it is.
    unsafe {
        let protocol = dup(1);
        if protocol < 0 {
            return Box::new(std::io::stdout());
        }
        if dup2(2, 1) < 0 {
            return Box::new(std::io::stdout());
        }
        // SAFETY: `protocol` is a fresh descriptor owned by nothing else.
        Box::new(std::io::LineWriter::new(std::fs::File::from_raw_fd(
            protocol,
        )))
    }
}

#[cfg(not(unix))]
fn protocol_output() -> Box<dyn Write> {
    Box::new(std::io::stdout())
}

/// `s` as a JSON string.
pub(crate) fn json_string(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if u32::from(c) < 0x20 => {
                let _ = write!(out, "\\u{:04x}", u32::from(c));
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

fn json_strings(items: &[String]) -> String {
    let items: Vec<String> = items.iter().map(|s| json_string(s)).collect();
    format!("[{}]", items.join(","))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn requests_parse_as_the_protocol_says() {
        assert_eq!(Request::parse("list"), Request::List);
        assert_eq!(Request::parse("prepare a/1"), Request::Prepare("a/1"));
        assert_eq!(Request::parse("time 12"), Request::Time(Ok(12)));
        assert_eq!(Request::parse("time 0"), Request::Time(Err("0")));
        assert_eq!(Request::parse("time x"), Request::Time(Err("x")));
        assert_eq!(Request::parse("prepare fib 15"), Request::Prepare("fib 15"));
        assert_eq!(Request::parse("prepare "), Request::Unknown);
        assert_eq!(Request::parse(""), Request::Empty);
        assert_eq!(Request::parse("quit"), Request::Quit);
    }

    #[test]
    fn json_strings_escape_what_json_requires() {
        assert_eq!(json_string("a\"b\\c\nd\u{1}"), r#""a\"b\\c\nd\u0001""#);
        assert_eq!(
            json_strings(&["x".to_owned(), "y/1".to_owned()]),
            r#"["x","y/1"]"#
        );
    }
}
