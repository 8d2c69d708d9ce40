//! This process's open-file limit (`ulimit -n`): raised to the hard limit at start, and the
//! number of probes at once that fit under it, so `--jobs` never runs this machine out of file
//! descriptors (which would fail checks for a reason that is not the endpoints').

use rlimit::Resource;

/// Descriptors one probe holds at once: its socket, the watchdog's duplicate of it, and the
/// resolver's socket and files (/etc/hosts, resolv.conf) while a name resolves.
const PER_PROBE: u64 = 4;

/// Descriptors kept free for everything else: output files, the CA and credential files
/// OpenSSL opens, the signal pipe, the log.
const RESERVE: u64 = 32;

/// Where Linux caps any process's open-file limit when /proc does not say (fs.nr_open's
/// default).
const NR_OPEN_DEFAULT: u64 = 1 << 20;

/// Raises the soft open-file limit to the hard limit: the soft one is often 1024, far below
/// what a batch with a high `--jobs` needs, and any process may raise it that far.
pub fn raise_open_file_limit() {
    let Ok((soft, hard)) = Resource::NOFILE.get() else { return };
    let ceiling = std::fs::read_to_string("/proc/sys/fs/nr_open")
        .ok()
        .and_then(|text| text.trim().parse().ok())
        .unwrap_or(NR_OPEN_DEFAULT);
    let target = hard.min(ceiling);
    if soft >= target {
        return;
    }
    match Resource::NOFILE.set(target, hard) {
        Ok(()) => log::info!("open-file limit raised from {soft} to {target} (the hard limit)"),
        Err(err) => log::info!("open-file limit stays {soft}: cannot raise it to {target}: {err}"),
    }
}

/// How many of `jobs` probes can run at once under the open-file limit, when the batch has
/// `checks` checks (`all_addresses`: some probe every address of a host at once). Lowered
/// with one warning when the limit cannot carry them.
pub fn probes_that_fit(jobs: usize, checks: usize, all_addresses: bool) -> usize {
    let wanted = jobs.min(checks).max(1);
    let Ok((soft, hard)) = Resource::NOFILE.get() else { return wanted };
    let per_probe = if all_addresses { 2 * PER_PROBE } else { PER_PROBE };
    let fit = usize::try_from(soft.saturating_sub(descriptors_in_use() + RESERVE) / per_probe).unwrap_or(usize::MAX);
    if wanted <= fit {
        return wanted;
    }
    let limit = if hard > soft { format!("{soft} (hard limit {hard})") } else { soft.to_string() };
    if fit == 0 {
        log::warn!(
            "the open-file limit (ulimit -n) is {limit}, too low to probe even one endpoint at a time safely; \
             probing one at a time (raise the limit)"
        );
        return 1;
    }
    log::warn!(
        "the open-file limit (ulimit -n) is {limit}: it carries {fit} probes at once, not {wanted}; probing {fit} at \
         a time (raise the limit to run more)"
    );
    fit
}

/// Descriptors this process has open now; a guess when /proc cannot tell.
fn descriptors_in_use() -> u64 {
    // The listing's own descriptor is among those it lists.
    std::fs::read_dir("/proc/self/fd").map(|entries| entries.count().saturating_sub(1) as u64).unwrap_or(16)
}
