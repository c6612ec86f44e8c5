//! What memory the process may still get from the system: the room left under its
//! address-space and data-segment limits (`RLIMIT_AS`, `RLIMIT_DATA`), under the memory
//! limit of its control group (cgroup v2 `memory.max`, v1 `memory.limit_in_bytes`, of its
//! own group and every ancestor) and in the machine's available memory (`MemAvailable`).
//! Linux only; elsewhere nothing is known and only the fixed default applies.

/// The tightest system bound found: the bytes left and a description of where it comes
/// from (for the refusal message).
#[derive(Debug, Clone, PartialEq)]
pub struct Room {
    /// Bytes the process may still allocate under this bound.
    pub bytes: u64,
    /// What the bound is, e.g. "the address-space limit RLIMIT_AS (ulimit -v) of 3.8 GiB,
    /// less the 120.0 MiB in use".
    pub source: String,
}

/// The tightest of the system bounds, or `None` when none applies (no limit set, or not
/// Linux).
pub fn room() -> Option<Room> {
    candidates().into_iter().min_by_key(|r| r.bytes)
}

#[cfg(target_os = "linux")]
fn candidates() -> Vec<Room> {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    let mut out = Vec::new();
    for (resource, name, hint, field) in [
        (
            libc::RLIMIT_AS,
            "address-space limit RLIMIT_AS",
            "ulimit -v",
            "VmSize:",
        ),
        (
            libc::RLIMIT_DATA,
            "data-segment limit RLIMIT_DATA",
            "ulimit -d",
            "VmData:",
        ),
    ] {
        if let Some(limit) = rlimit(resource) {
            let used = status_kib(&status, field).unwrap_or(0);
            out.push(Room {
                bytes: limit.saturating_sub(used),
                source: format!(
                    "the {name} ({hint}) of {}, less the {} in use",
                    super::show_bytes(limit as f64),
                    super::show_bytes(used as f64)
                ),
            });
        }
    }
    out.extend(cgroup_room());
    let meminfo = std::fs::read_to_string("/proc/meminfo").unwrap_or_default();
    if let Some(avail) = status_kib(&meminfo, "MemAvailable:") {
        out.push(Room {
            bytes: avail,
            source: format!(
                "the machine's available memory (MemAvailable) of {}",
                super::show_bytes(avail as f64)
            ),
        });
    }
    out
}

#[cfg(not(target_os = "linux"))]
fn candidates() -> Vec<Room> {
    Vec::new()
}

/// The soft limit of `resource` in bytes, `None` when unlimited.
#[cfg(target_os = "linux")]
fn rlimit(resource: libc::__rlimit_resource_t) -> Option<u64> {
    let mut lim = libc::rlimit {
        rlim_cur: 0,
        rlim_max: 0,
    };
    // SAFETY: `getrlimit` writes one `rlimit` through a valid pointer and has no other
    // effect.
    let ok = unsafe { libc::getrlimit(resource, &mut lim) } == 0;
    (ok && lim.rlim_cur != libc::RLIM_INFINITY).then_some(lim.rlim_cur)
}

/// A `Name:   1234 kB` line of `/proc/self/status` or `/proc/meminfo`, in bytes.
fn status_kib(text: &str, field: &str) -> Option<u64> {
    let line = text.lines().find(|l| l.starts_with(field))?;
    let kib: u64 = line[field.len()..]
        .trim()
        .trim_end_matches("kB")
        .trim()
        .parse()
        .ok()?;
    kib.checked_mul(1024)
}

/// Values at or above this are "no limit" (cgroup v1 writes 2⁶³ rounded down to a page).
const UNLIMITED: u64 = 1 << 60;

/// The room under the memory limit of the process's control group and of each ancestor
/// group (the tightest one), for cgroup v2 and v1.
#[cfg(target_os = "linux")]
fn cgroup_room() -> Option<Room> {
    let groups = std::fs::read_to_string("/proc/self/cgroup").ok()?;
    let mut best: Option<Room> = None;
    for line in groups.lines() {
        let mut parts = line.splitn(3, ':');
        let (Some(_), Some(controllers), Some(path)) = (parts.next(), parts.next(), parts.next())
        else {
            continue;
        };
        let (base, max_file, used_file) = if controllers.is_empty() {
            ("/sys/fs/cgroup", "memory.max", "memory.current")
        } else if controllers.split(',').any(|c| c == "memory") {
            (
                "/sys/fs/cgroup/memory",
                "memory.limit_in_bytes",
                "memory.usage_in_bytes",
            )
        } else {
            continue;
        };
        let mut dir = std::path::PathBuf::from(format!("{base}{path}"));
        loop {
            let read = |f: &str| -> Option<u64> {
                std::fs::read_to_string(dir.join(f))
                    .ok()?
                    .trim()
                    .parse()
                    .ok()
            };
            if let Some(max) = read(max_file).filter(|&m| m < UNLIMITED) {
                let used = read(used_file).unwrap_or(0);
                let room = Room {
                    bytes: max.saturating_sub(used),
                    source: format!(
                        "the memory limit of the control group {} ({}) of {}, less the {} in use",
                        dir.display(),
                        max_file,
                        super::show_bytes(max as f64),
                        super::show_bytes(used as f64)
                    ),
                };
                if best.as_ref().is_none_or(|b| room.bytes < b.bytes) {
                    best = Some(room);
                }
            }
            if dir.as_os_str().len() <= base.len() || !dir.pop() {
                break;
            }
        }
    }
    best
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_kib_fields() {
        let text = "VmPeak:\t  10 kB\nVmSize:\t    2048 kB\nMemAvailable:   3 kB\n";
        assert_eq!(status_kib(text, "VmSize:"), Some(2 << 20));
        assert_eq!(status_kib(text, "MemAvailable:"), Some(3 << 10));
        assert_eq!(status_kib(text, "VmData:"), None);
    }

    #[cfg(target_os = "linux")]
    #[test]
    fn the_machine_has_some_available_memory() {
        let r = room().expect("MemAvailable is always there on Linux");
        assert!(r.bytes > 0, "{r:?}");
    }
}
