//! The scratch memory of faer's matrix products, taken while it can be refused cleanly.
//!
//! On x86-64, faer's large products (wide layers, a GP's Cholesky factor) go through
//! `private-gemm-x86`, which gives every thread that calls it a packing buffer of twice
//! the last-level cache it computes (the L3 share of a CPU × the logical CPUs; 960 MiB on
//! a machine reporting a 480 MiB L3), allocated on first use with an allocation that
//! aborts the process when it fails. [`prepare`] takes that buffer in every thread of the
//! current rayon pool (and the calling thread) *before* the work: one thread at a time, it
//! first reserves the same amount fallibly (released at once), then runs a tiny product so
//! that the library allocates its buffer in the room just shown to exist. A thread is
//! prepared once; a refusal is [`Error::OutOfMemory`] naming the size and the threads.

use crate::error::{Error, Result};
use faer::{Accum, Mat, Par};
use std::cell::Cell;
use std::sync::{Mutex, OnceLock};

thread_local! {
    static PREPARED: Cell<bool> = const { Cell::new(false) };
}

/// Serialises the preparation of threads, so that the room one thread has just reserved
/// is not taken by another before the library allocates it.
static LOCK: Mutex<()> = Mutex::new(());

/// Prepares every thread of the current rayon pool (the global pool outside any) and the
/// calling thread for faer's large products.
pub fn prepare() -> Result<()> {
    let threads = rayon::current_num_threads();
    let per_pool: Vec<Result<()>> = rayon::broadcast(|_| prepare_thread(threads));
    per_pool.into_iter().collect::<Result<()>>()?;
    prepare_thread(threads)
}

/// Bytes of the buffer `private-gemm-x86` gives each thread (an upper bound of its own
/// computation, plus a MiB), `None` when the cache sizes cannot be read.
pub fn scratch_bytes() -> Option<u64> {
    static BYTES: OnceLock<Option<u64>> = OnceLock::new();
    *BYTES.get_or_init(|| {
        let l3 = last_level_share()?;
        Some(2 * l3 + (1 << 20))
    })
}

fn prepare_thread(threads: usize) -> Result<()> {
    if PREPARED.get() {
        return Ok(());
    }
    let _guard = LOCK.lock().unwrap_or_else(|e| e.into_inner());
    if let Some(bytes) = scratch_bytes() {
        let mut probe: Vec<u8> = Vec::new();
        if probe.try_reserve_exact(bytes as usize).is_err() {
            return Err(Error::OutOfMemory {
                what: format!(
                    "the matrix-product scratch of each of {threads} worker threads (twice the processor's L3 cache, taken by faer's x86 kernels)"
                ),
                bytes: bytes as f64,
                hint: match super::system::room() {
                    Some(room) => {
                        format!("use fewer threads (--threads 1), or raise {}", room.source)
                    }
                    None => "use fewer threads (--threads 1), or free memory".into(),
                },
            });
        }
    }
    // A 17 × 17 × 17 product: above faer's small-product threshold (16³), so it takes
    // the path that allocates the per-thread buffer.
    let a = Mat::<f64>::zeros(17, 17);
    let mut c = Mat::<f64>::zeros(17, 17);
    faer::linalg::matmul::matmul(c.as_mut(), Accum::Replace, &a, &a, 1.0, Par::Seq);
    PREPARED.set(true);
    Ok(())
}

/// The L3 cache as `private-gemm-x86` sizes it, bounded above: the largest share of one
/// logical CPU (an L3's size over the CPUs sharing it) times the logical CPUs.
#[cfg(target_os = "linux")]
fn last_level_share() -> Option<u64> {
    let mut cpus = 0u64;
    let mut share = 0u64;
    for entry in std::fs::read_dir("/sys/devices/system/cpu").ok()?.flatten() {
        let name = entry.file_name();
        let name = name.to_string_lossy();
        if name
            .strip_prefix("cpu")
            .is_none_or(|n| n.parse::<u32>().is_err())
        {
            continue;
        }
        let Ok(indexes) = std::fs::read_dir(entry.path().join("cache")) else {
            continue;
        };
        cpus += 1;
        for index in indexes.flatten() {
            let read = |f: &str| std::fs::read_to_string(index.path().join(f)).unwrap_or_default();
            if read("level").trim() != "3" || !matches!(read("type").trim(), "Data" | "Unified") {
                continue;
            }
            let Some(size) = cache_size(read("size").trim()) else {
                continue;
            };
            let sharing = cpu_count(read("shared_cpu_list").trim()).max(1);
            share = share.max(size / sharing);
        }
    }
    (share > 0).then(|| share * cpus)
}

#[cfg(not(target_os = "linux"))]
fn last_level_share() -> Option<u64> {
    None
}

/// `491520K`, `32M`, `1G` or plain bytes.
fn cache_size(s: &str) -> Option<u64> {
    let (num, mult) = match s.as_bytes().last()? {
        b'K' => (&s[..s.len() - 1], 1u64 << 10),
        b'M' => (&s[..s.len() - 1], 1 << 20),
        b'G' => (&s[..s.len() - 1], 1 << 30),
        _ => (s, 1),
    };
    num.parse::<u64>().ok()?.checked_mul(mult)
}

/// CPUs in a list such as `0-3,8,10-11`.
fn cpu_count(list: &str) -> u64 {
    list.split(',')
        .filter_map(|item| match item.split_once('-') {
            Some((a, b)) => Some(b.parse::<u64>().ok()? + 1 - a.parse::<u64>().ok()?),
            None => item.parse::<u64>().ok().map(|_| 1),
        })
        .sum()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_cache_sizes_and_cpu_lists() {
        assert_eq!(cache_size("491520K"), Some(480 << 20));
        assert_eq!(cache_size("32M"), Some(32 << 20));
        assert_eq!(cache_size("lots"), None);
        assert_eq!(cpu_count("0-3,8,10-11"), 7);
        assert_eq!(cpu_count("0"), 1);
    }

    #[test]
    fn preparing_twice_is_harmless() {
        prepare().unwrap();
        prepare().unwrap();
    }
}
