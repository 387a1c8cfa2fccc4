//! Measures the machine limits the kernels are judged against in docs/kernels.md: memory
//! bandwidth (a copy loop at the kernels' working-set sizes) and the single-core FMA peak.
//!
//! `cargo run --release --example machine_limits` prints medians over 31 repeats.

use std::hint::black_box;
use std::time::{Duration, Instant};

const REPEATS: usize = 31;

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

fn time(mut f: impl FnMut()) -> Duration {
    f(); // warm caches and page tables
    median(
        (0..REPEATS)
            .map(|_| {
                let t = Instant::now();
                f();
                t.elapsed()
            })
            .collect(),
    )
}

/// Copy bandwidth, counting the bytes read plus the bytes written.
fn copy_bandwidth(bytes: usize) -> f64 {
    let src = vec![1.0_f32; bytes / 4];
    let mut dst = vec![0.0_f32; bytes / 4];
    let reps = (256 << 20) / bytes + 1;
    let t = time(|| {
        for _ in 0..reps {
            dst.copy_from_slice(black_box(&src));
            black_box(&mut dst);
        }
    });
    (2 * bytes * reps) as f64 / t.as_secs_f64() / 1e9
}

/// Read bandwidth: a vectorised sum over the buffer (the cosine kernel's access pattern).
fn read_bandwidth(bytes: usize) -> f64 {
    let src = vec![1_u64; bytes / 8];
    let reps = (256 << 20) / bytes + 1;
    let t = time(|| {
        for _ in 0..reps {
            let mut acc = [0_u64; 8];
            for chunk in black_box(&src).chunks_exact(8) {
                for (a, x) in acc.iter_mut().zip(chunk) {
                    *a = a.wrapping_add(*x);
                }
            }
            black_box(acc);
        }
    });
    (bytes * reps) as f64 / t.as_secs_f64() / 1e9
}

#[cfg(target_arch = "x86_64")]
fn fma_peak_gflops() -> Option<f64> {
    use std::arch::x86_64::{__m256, _mm256_fmadd_ps, _mm256_set1_ps};

    #[target_feature(enable = "avx2,fma")]
    fn chains(rounds: usize) -> [__m256; 10] {
        let (a, b) = (_mm256_set1_ps(0.999_999), _mm256_set1_ps(1e-7));
        let mut acc = [_mm256_set1_ps(1.0); 10];
        for _ in 0..rounds {
            // Ten independent chains cover the FMA latency (4 cycles) times two ports.
            for x in &mut acc {
                *x = _mm256_fmadd_ps(*x, a, b);
            }
        }
        acc
    }

    if !(is_x86_feature_detected!("avx2") && is_x86_feature_detected!("fma")) {
        return None;
    }
    let rounds = 1_000_000;
    let t = time(|| {
        // SAFETY: avx2 and fma were detected just above.
        black_box(unsafe { chains(black_box(rounds)) });
    });
    Some((rounds * 10 * 8 * 2) as f64 / t.as_secs_f64() / 1e9)
}

#[cfg(not(target_arch = "x86_64"))]
fn fma_peak_gflops() -> Option<f64> {
    None
}

fn main() {
    for (label, bytes) in [
        ("copy 3 MiB (cosine 768x1000)", 3 << 20),
        ("copy 30 MiB (cosine 768x10000)", 30 << 20),
        ("copy 256 MiB (DRAM)", 256 << 20),
    ] {
        println!("{label:34} {:7.1} GB/s", copy_bandwidth(bytes));
    }
    for (label, bytes) in [
        ("read 3 MiB (cosine 768x1000)", 3 << 20),
        ("read 30 MiB (cosine 768x10000)", 30 << 20),
    ] {
        println!("{label:34} {:7.1} GB/s", read_bandwidth(bytes));
    }
    match fma_peak_gflops() {
        Some(g) => println!("{:34} {g:7.1} GFLOP/s", "f32 FMA peak, one core (AVX2)"),
        None => println!("{:34} n/a on this CPU", "f32 FMA peak, one core (AVX2)"),
    }
}
