//! perfmatrix's benchmark harness: every benchmark is defined once, and that one definition
//! serves every mode perfmatrix needs, chosen by the bench binary's first argument:
//!
//! - anything else (what `cargo bench` passes): an ordinary criterion benchmark, so criterion's
//!   output, filters, `--save-baseline` and reports keep working;
//! - `--perfmatrix-serve`: the sample server of the line protocol in [`serve`], which perfmatrix
//!   drives to interleave a base and a head build sample by sample;
//! - `--perfmatrix-count <id>`: the counting mode, one call inside [`count::perfmatrix_count_region`]
//!   for callgrind, and the peak resident memory;
//! - `--perfmatrix-count-each`: the counting mode for each id read from standard input, one per
//!   line, each in a child forked for it (one valgrind start for them all);
//! - `--perfmatrix-fingerprint <target-triple> [emulator]`: the machine as this process sees it
//!   and what the benchmarked code dispatched to ([`Harness::dispatch`]), for the run's
//!   fingerprint;
//! - `--perfmatrix-list`: the ids, one JSON line (how perfmatrix tells a harness binary from a
//!   plain criterion one).
//!
//! ```no_run
//! use perfmatrix_harness::{Harness, Routine, Throughput};
//!
//! fn main() {
//!     let mut h = Harness::new();
//!     h.bench("sum/1000", |_setup| {
//!         Routine::new((0..1000_u64).collect::<Vec<_>>(), |v| {
//!             std::hint::black_box(v.iter().sum::<u64>());
//!         })
//!     })
//!     .throughput(Throughput::Elements(1000));
//!     h.run();
//! }
//! ```
//!
//! Test-only knobs, read here once for every benchmark: `PERFMATRIX_PLANT_SLOWDOWN=<group>=<f>`
//! makes every timed call of the benchmarks whose id starts with `<group>/` take `f` longer (a
//! spin after the timed calls, `f` in (0, 1]); `PERFMATRIX_PLANT_WORK=<group>=<f>` is handed to
//! those benchmarks' definitions as [`Setup::work`], for them to do about `f` more real work (so
//! that instruction counts move too).

pub mod count;
mod each;
mod machine;
mod plant;
mod routine;
pub mod serve;
mod stdio;

use std::time::Duration;

pub use criterion::Throughput;
pub use plant::{PLANT_SLOWDOWN_ENV, PLANT_WORK_ENV, Plant, PlantError, PlantProblem};
pub use routine::Routine;

use routine::Prepared;

/// The protocol version of [`serve`] and of the `--perfmatrix-list` line.
pub const PROTOCOL: u32 = 1;

/// What a benchmark's definition is given when it prepares its state.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Setup {
    /// The fraction of extra work planted in this benchmark (`PERFMATRIX_PLANT_WORK`), if any.
    pub work: Option<f64>,
}

type Make = Box<dyn Fn(&Setup) -> Box<dyn Prepared>>;
type Dispatch = Box<dyn Fn() -> Vec<(String, String)>>;

/// One registered benchmark.
pub struct Bench {
    id: String,
    throughput: Option<Throughput>,
    make: Make,
}

impl std::fmt::Debug for Bench {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Bench")
            .field("id", &self.id)
            .field("throughput", &self.throughput)
            .finish_non_exhaustive()
    }
}

impl Bench {
    /// Sets the throughput criterion reports for this benchmark.
    pub fn throughput(&mut self, throughput: Throughput) -> &mut Self {
        self.throughput = Some(throughput);
        self
    }

    /// The benchmark's id, e.g. `cosine/768x1000`.
    #[must_use]
    pub fn id(&self) -> &str {
        &self.id
    }
}

/// The benchmarks of one bench binary, and how to run them.
pub struct Harness {
    benches: Vec<Bench>,
    dispatch: Option<Dispatch>,
    warm_up: Duration,
    measurement: Duration,
}

impl std::fmt::Debug for Harness {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Harness")
            .field("benches", &self.benches)
            .field("warm_up", &self.warm_up)
            .field("measurement", &self.measurement)
            .finish_non_exhaustive()
    }
}

impl Default for Harness {
    fn default() -> Self {
        Self::new()
    }
}

impl Harness {
    /// No benchmarks yet; criterion's defaults of 1 s warm-up and 3 s measurement.
    #[must_use]
    pub fn new() -> Self {
        Self {
            benches: Vec::new(),
            dispatch: None,
            warm_up: Duration::from_secs(1),
            measurement: Duration::from_secs(3),
        }
    }

    /// criterion's warm-up and measurement time in plain `cargo bench` runs (perfmatrix's own
    /// runs pass theirs on the command line, which wins).
    pub fn criterion_times(&mut self, warm_up: Duration, measurement: Duration) -> &mut Self {
        self.warm_up = warm_up;
        self.measurement = measurement;
        self
    }

    /// What the benchmarked code dispatched to (e.g. `[("cosine", "avx2-fma")]`), reported in
    /// every mode so that a comparison knows which code ran.
    pub fn dispatch(&mut self, facts: impl Fn() -> Vec<(String, String)> + 'static) -> &mut Self {
        self.dispatch = Some(Box::new(facts));
        self
    }

    /// Registers a benchmark: `make` prepares its state (untimed, once per process) and returns
    /// the [`Routine`] whose calls are timed.
    ///
    /// # Panics
    ///
    /// On an id registered before: a bug in the bench file, caught at its start.
    pub fn bench<S: 'static>(
        &mut self,
        id: impl Into<String>,
        make: impl Fn(&Setup) -> Routine<S> + 'static,
    ) -> &mut Bench {
        let id = id.into();
        assert!(
            self.benches.iter().all(|b| b.id != id),
            "benchmark id `{id}` is registered twice"
        );
        self.benches.push(Bench {
            id,
            throughput: None,
            make: Box::new(move |setup| Box::new(make(setup)) as Box<dyn Prepared>),
        });
        self.benches.last_mut().expect("just pushed")
    }

    /// The registered ids, in registration order.
    #[must_use]
    pub fn ids(&self) -> Vec<&str> {
        self.benches.iter().map(|b| b.id.as_str()).collect()
    }

    fn find(&self, id: &str) -> Option<&Bench> {
        self.benches.iter().find(|b| b.id == id)
    }

    fn dispatch_facts(&self) -> Vec<(String, String)> {
        self.dispatch.as_ref().map(|f| f()).unwrap_or_default()
    }

    /// Runs the mode the command line asks for and exits the process with its code. perfmatrix's
    /// modes write their lines to a descriptor of their own: what the benchmarks
    /// print goes to standard error.
    pub fn run(&self) -> ! {
        let args: Vec<String> = std::env::args().skip(1).collect();
        let perfmatrix_mode = args
            .iter()
            .find(|a| *a != "--bench")
            .is_some_and(|a| a.starts_with("--perfmatrix-"));
        let code = if perfmatrix_mode {
            self.run_to(&args, &mut stdio::protocol_output())
        } else {
            self.run_with(&args)
        };
        std::process::exit(code);
    }

    /// [`Harness::run`] without the exit, its lines on standard output: the mode's exit code (0
    /// done, 2 usage or input error).
    #[must_use]
    pub fn run_with(&self, args: &[String]) -> i32 {
        self.run_to(args, &mut std::io::stdout())
    }

    /// [`Harness::run_with`], the perfmatrix modes' lines written to `out`.
    fn run_to(&self, args: &[String], out: &mut dyn std::io::Write) -> i32 {
        let plant = match Plant::from_env() {
            Ok(plant) => plant,
            Err(message) => {
                eprintln!("error: {message}");
                return 2;
            }
        };
        // `cargo bench -- <args>` appends `--bench`: perfmatrix's modes ignore it.
        let mode: Vec<&str> = args
            .iter()
            .map(String::as_str)
            .filter(|a| *a != "--bench")
            .collect();
        let args = if mode.first().is_some_and(|a| a.starts_with("--perfmatrix-")) {
            mode
        } else {
            self.criterion(&plant);
            return 0;
        };
        match args.first().copied() {
            Some("--perfmatrix-list") => {
                let line = serde_json::json!({
                    "protocol": PROTOCOL,
                    "ids": self.ids(),
                    "count_each": true,
                });
                match writeln!(out, "{line}").and_then(|()| out.flush()) {
                    Ok(()) => 0,
                    Err(_) => 2,
                }
            }
            Some("--perfmatrix-serve") => {
                let stdin = std::io::stdin().lock();
                match serve::serve(self, &plant, stdin, out) {
                    Ok(()) => 0,
                    Err(err) => {
                        eprintln!("error: the sample server stopped: {err}");
                        2
                    }
                }
            }
            Some("--perfmatrix-fingerprint") => match args.get(1..) {
                Some([target]) => machine::run(self, target, None, out),
                Some([target, emulator]) => machine::run(self, target, Some(emulator), out),
                _ => {
                    eprintln!(
                        "usage: <bench binary> --perfmatrix-fingerprint <target-triple> [emulator]"
                    );
                    2
                }
            },
            Some("--perfmatrix-count-each") if args.len() == 1 => {
                each::count_each(&mut |id| count::run(self, &plant, id, out))
            }
            Some("--perfmatrix-count") => match args.get(1) {
                Some(id) if args.len() == 2 => count::run(self, &plant, id, out),
                _ => {
                    eprintln!("usage: <bench binary> --perfmatrix-count <benchmark-id>");
                    2
                }
            },
            Some(other) => {
                eprintln!(
                    "error: unknown mode `{other}`; expected --perfmatrix-list, \
                     --perfmatrix-serve, --perfmatrix-count <id>, --perfmatrix-count-each or \
                     --perfmatrix-fingerprint <target-triple> [emulator]"
                );
                2
            }
            None => 2,
        }
    }

    /// The criterion mode: every benchmark as a criterion benchmark timed through
    /// `iter_custom`, so criterion times exactly what the sample server times.
    fn criterion(&self, plant: &Plant) {
        let mut c = criterion::Criterion::default()
            .warm_up_time(self.warm_up)
            .measurement_time(self.measurement)
            .configure_from_args();
        for bench in &self.benches {
            let setup = Setup {
                work: plant.work_for(&bench.id),
            };
            let slowdown = plant.slowdown_for(&bench.id);
            let mut prepared: Option<Box<dyn Prepared>> = None;
            let mut routine = |b: &mut criterion::Bencher<'_>| {
                let p = prepared.get_or_insert_with(|| (bench.make)(&setup));
                b.iter_custom(|iters| p.time(iters, slowdown));
            };
            match bench.id.split_once('/') {
                Some((group, name)) => {
                    let mut g = c.benchmark_group(group);
                    if let Some(t) = &bench.throughput {
                        g.throughput(t.clone());
                    }
                    g.bench_function(name, &mut routine);
                    g.finish();
                }
                None => {
                    c.bench_function(&bench.id, &mut routine);
                }
            }
        }
        c.final_summary();
    }
}
