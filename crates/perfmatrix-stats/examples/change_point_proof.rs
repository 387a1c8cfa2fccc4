//! Deterministic proof experiment of `change_point`: detection rate, position error and false
//! change points on synthetic histories, printed as Markdown (docs/statistics.md, "Change points").

use perfmatrix_stats::{ChainConfig, ChangePointConfig, chained, detect};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

const TRIALS: usize = 500;
const TOLERANCE: usize = 3;

/// One standard normal draw (Box–Muller).
fn gaussian(rng: &mut StdRng) -> f64 {
    let u: f64 = 1.0 - rng.random::<f64>();
    let v: f64 = rng.random();
    (-2.0 * u.ln()).sqrt() * (std::f64::consts::TAU * v).cos()
}

/// Detection statistics over many trials of one kind of series.
#[derive(Default)]
struct Tally {
    detected: usize,
    position_error: usize,
    false_points: usize,
    points: usize,
}

impl Tally {
    /// Records one trial: `found` indices against the true change at `truth` (if any).
    fn record(&mut self, found: &[usize], truth: Option<usize>, len: usize) {
        self.points += len;
        let near = |i: usize| truth.is_some_and(|t| i.abs_diff(t) <= TOLERANCE);
        if let Some(t) = truth
            && let Some(best) = found
                .iter()
                .filter(|&&i| near(i))
                .min_by_key(|&&i| i.abs_diff(t))
        {
            self.detected += 1;
            self.position_error += best.abs_diff(t);
        }
        self.false_points += found.iter().filter(|&&i| !near(i)).count();
    }

    fn row(&self, label: &str, trials: usize, with_truth: bool) -> String {
        let false_rate = self.false_points as f64 * 1000.0 / self.points as f64;
        if with_truth {
            let error = if self.detected == 0 {
                "–".to_owned()
            } else {
                format!("{:.2}", self.position_error as f64 / self.detected as f64)
            };
            format!(
                "| {label} | {trials} | {:.1}% | {error} | {false_rate:.2} |",
                100.0 * self.detected as f64 / trials as f64
            )
        } else {
            format!("| {label} | {trials} | – | – | {false_rate:.2} |")
        }
    }
}

fn main() {
    let config = ChangePointConfig::TIME;
    let rng = &mut StdRng::seed_from_u64(20_261_201);
    println!(
        "`detect` with `ChangePointConfig::TIME` (p < {}, magnitude >= {}, window {}, \
         min_segment {}); {TRIALS} trials per row; detected = a change point within ±{TOLERANCE} \
         of the true index; false = every other change point.\n",
        config.max_p_value, config.min_magnitude, config.window, config.min_segment
    );
    println!(
        "| series (60 points, step at 30) | trials | detected | mean abs position error | false per 1,000 points |"
    );
    println!("| --- | --- | --- | --- | --- |");
    for noise in [0.02, 0.05] {
        for step in [0.0, 0.01, 0.03, 0.10] {
            let mut tally = Tally::default();
            for _ in 0..TRIALS {
                let series: Vec<f64> = (0..60)
                    .map(|i| {
                        let level = if i < 30 { 100.0 } else { 100.0 * (1.0 + step) };
                        level * (1.0 + noise * gaussian(rng)).max(0.01)
                    })
                    .collect();
                let found: Vec<usize> = detect(&series, &config)
                    .expect("valid series")
                    .iter()
                    .map(|c| c.index)
                    .collect();
                tally.record(&found, (step > 0.0).then_some(30), series.len());
            }
            let label = if step > 0.0 {
                format!("noise {:.0}%, step +{:.0}%", noise * 100.0, step * 100.0)
            } else {
                format!("noise {:.0}%, no step", noise * 100.0)
            };
            println!("{}", tally.row(&label, TRIALS, step > 0.0));
        }
    }

    drift_table(&config, rng);
    aa_table(rng);
}

/// Slow drift: flat 30, +0.5% per commit for 20 commits, flat 30.
fn drift_table(config: &ChangePointConfig, rng: &mut StdRng) {
    println!();
    println!(
        "Slow drift: 80 commits, flat 30, +0.5% per commit for 20 commits (indices 30–49), flat 30; {TRIALS} trials.\n"
    );
    println!(
        "| detector | input | found (any change point in 27–52) | where (median first index found) | false per 1,000 points (outside 27–52) |"
    );
    println!("| --- | --- | --- | --- | --- |");
    let ramp = |i: usize| (i.clamp(30, 50) - 30) as f64;
    let in_ramp = |i: usize| (27..=52).contains(&i);
    for noise in [0.005, 0.02] {
        let (mut found_n, mut firsts, mut false_n) = (0_usize, Vec::new(), 0_usize);
        for _ in 0..TRIALS {
            let series: Vec<f64> = (0..80)
                .map(|i| 100.0 * 1.005_f64.powf(ramp(i)) * (1.0 + noise * gaussian(rng)))
                .collect();
            let cps = detect(&series, config).expect("valid series");
            let hits: Vec<usize> = cps
                .iter()
                .map(|c| c.index)
                .filter(|&i| in_ramp(i))
                .collect();
            false_n += cps.len() - hits.len();
            if let Some(&first) = hits.first() {
                found_n += 1;
                firsts.push(first);
            }
        }
        println!(
            "| `detect` | levels, noise {:.1}% | {:.1}% | {} | {:.2} |",
            noise * 100.0,
            100.0 * found_n as f64 / TRIALS as f64,
            median(&mut firsts),
            false_n as f64 * 1000.0 / (80 * TRIALS) as f64
        );
    }
    let chain = ChainConfig::PAIRED;
    let se = 0.005;
    let (mut found_n, mut firsts, mut false_n, mut sizes) = (0_usize, Vec::new(), 0_usize, 0.0);
    for _ in 0..TRIALS {
        let changes: Vec<(f64, f64)> = (0..80)
            .map(|i| {
                let truth = if (30..50).contains(&i) {
                    1.005_f64.ln()
                } else {
                    0.0
                };
                (truth + se * gaussian(rng), se)
            })
            .collect();
        let found = chained(&changes, &chain).expect("valid changes");
        let hits: Vec<_> = found.iter().filter(|c| in_ramp(c.index)).collect();
        false_n += found.len() - hits.len();
        if let Some(first) = hits.first() {
            found_n += 1;
            firsts.push(first.index);
            sizes += first.change;
        }
    }
    println!(
        "| `chained` | per-commit ln ratios, SE 0.5% | {:.1}% | {} (mean size {:+.1}%, true +10.5%) | {:.2} |",
        100.0 * found_n as f64 / TRIALS as f64,
        median(&mut firsts),
        100.0 * sizes / found_n.max(1) as f64,
        false_n as f64 * 1000.0 / (80 * TRIALS) as f64
    );
}

/// A/A: 1000 commits, no change, per-commit SE 0.5%.
fn aa_table(rng: &mut StdRng) {
    let chain = ChainConfig::PAIRED;
    let se = 0.005;
    let histories = 200_usize;
    let (mut steps, mut drifts) = (0_usize, 0_usize);
    for _ in 0..histories {
        let changes: Vec<(f64, f64)> = (0..1000).map(|_| (se * gaussian(rng), se)).collect();
        for c in chained(&changes, &chain).expect("valid changes") {
            match c.kind {
                perfmatrix_stats::ChangeKind::Step => steps += 1,
                perfmatrix_stats::ChangeKind::Drift => drifts += 1,
            }
        }
    }
    println!();
    println!(
        "A/A for `chained` ({histories} histories of 1,000 commits, true change 0, SE 0.5%, \
         `ChainConfig::PAIRED`: step p < {}, drift p < {:.2e}, runs of up to {}): {:.2} false steps \
         and {:.2} false drifts per 1,000 commits.",
        chain.max_p_value,
        chain.drift_p_value(),
        chain.max_run,
        steps as f64 / histories as f64,
        drifts as f64 / histories as f64
    );
}

fn median(values: &mut [usize]) -> String {
    if values.is_empty() {
        return "–".to_owned();
    }
    values.sort_unstable();
    values[values.len() / 2].to_string()
}
