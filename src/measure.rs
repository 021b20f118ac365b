//! How the running process measures itself: its peak memory, for `report --timings` and
//! the benchmarks. Linux tells it in `/proc/self`; elsewhere there is no figure.

/// The process's peak resident memory so far (`VmHWM`), in MiB; `None` where the system
/// does not tell it.
pub fn peak_memory_mb() -> Option<f64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kib: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib / 1024.0)
}

/// Starts the peak over from the current memory (Linux), so that earlier work does not
/// count in [`peak_memory_mb`].
pub fn reset_peak_memory() {
    // Nothing to reset where the file is missing or read-only.
    let _ = std::fs::write("/proc/self/clear_refs", "5");
}
