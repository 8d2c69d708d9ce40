//! `mtlscheck merge`: joins the JSON reports of a sharded run (`run --shard K/N`) into one
//! report. When the inputs are all N shards of one run, results come back in the order of the
//! checks file; otherwise they are concatenated in the order given. A check name in two inputs
//! is refused: it means a shard was run twice or two different runs are being mixed.

use std::collections::HashMap;

use crate::model::{BaselineSummary, CheckResult, Report, Shard};

/// One input report and the file it came from (for messages).
pub struct Input {
    pub file: String,
    pub report: Report,
}

pub struct Merged {
    pub report: Report,
    /// Shards of the run that no input holds: their checks are not in the merged report.
    pub missing_shards: Vec<Shard>,
    /// How the results were ordered, for the log.
    pub order: &'static str,
}

/// Refuses a check name that appears twice, naming both files.
fn refuse_duplicates(inputs: &[Input]) -> Result<(), String> {
    let mut seen: HashMap<&str, &str> = HashMap::new();
    let mut problems = Vec::new();
    for input in inputs {
        for result in &input.report.results {
            if let Some(first) = seen.insert(&result.name, &input.file) {
                let where_ = if first == input.file {
                    format!("twice in {first}")
                } else {
                    format!("in {first} and {}", input.file)
                };
                problems.push(format!(
                    "check '{}' is {where_}: give each shard's report once, all from the same run",
                    result.name
                ));
            }
        }
    }
    if problems.is_empty() { Ok(()) } else { Err(problems.join("\n")) }
}

/// The number of checks shard `index` of `count` holds when the file has `total` checks.
fn shard_len(index: usize, count: usize, total: usize) -> usize {
    (total + count - index) / count
}

/// Results in checks-file order when `shards` (sorted by index) are all N shards of one run
/// with the sizes that implies; `None` otherwise.
fn interleave(shards: &[(Shard, Vec<CheckResult>)]) -> Option<Vec<CheckResult>> {
    let count = shards.first()?.0.count;
    let complete = shards.len() == count && shards.iter().enumerate().all(|(i, (s, _))| s.index == i + 1);
    let total: usize = shards.iter().map(|(_, results)| results.len()).sum();
    if !complete || shards.iter().any(|(s, results)| results.len() != shard_len(s.index, count, total)) {
        return None;
    }
    let mut columns: Vec<std::vec::IntoIter<CheckResult>> =
        shards.iter().map(|(_, results)| results.clone().into_iter()).collect();
    Some((0..total).filter_map(|position| columns[position % count].next()).collect())
}

fn merged_baseline(inputs: &[Input]) -> Option<BaselineSummary> {
    let mut baselines = inputs.iter().filter_map(|i| i.report.baseline.as_ref());
    let mut merged = baselines.next()?.clone();
    for other in baselines {
        merged
            .new_checks
            .extend(other.new_checks.iter().filter(|n| !merged.new_checks.contains(n)).cloned().collect::<Vec<_>>());
    }
    Some(merged)
}

pub fn merge(inputs: Vec<Input>) -> Result<Merged, String> {
    if inputs.is_empty() {
        return Err("merge needs at least one report".into());
    }
    refuse_duplicates(&inputs)?;
    let first = &inputs[0].report;
    let mut report = Report {
        mtlscheck_version: first.mtlscheck_version.clone(),
        openssl_version: first.openssl_version.clone(),
        started_at: inputs.iter().filter_map(|i| i.report.started_at.clone()).min(),
        shard: None,
        baseline: merged_baseline(&inputs),
        // One input that stopped early makes the whole incomplete; its unprobed checks stay listed.
        complete: inputs.iter().all(|i| i.report.complete),
        stopped: joined_stop_reasons(&inputs),
        results: Vec::new(),
        not_run: inputs.iter().flat_map(|i| i.report.not_run.iter().cloned()).collect(),
    };
    let shards: Option<Vec<Shard>> = inputs.iter().map(|i| i.report.shard).collect();
    let one_run = shards.as_ref().is_some_and(|s| s.iter().all(|s| s.count == s_count(&inputs)));
    let mut missing_shards = Vec::new();
    let order;
    if one_run {
        let count = s_count(&inputs);
        let mut by_shard: Vec<(Shard, Vec<CheckResult>)> =
            inputs.into_iter().filter_map(|i| i.report.shard.map(|s| (s, i.report.results))).collect();
        by_shard.sort_by_key(|(s, _)| s.index);
        for window in by_shard.windows(2) {
            if window[0].0 == window[1].0 {
                return Err(format!("shard {} is given twice", window[0].0));
            }
        }
        missing_shards = (1..=count)
            .filter(|index| !by_shard.iter().any(|(s, _)| s.index == *index))
            .map(|index| Shard { index, count })
            .collect();
        match interleave(&by_shard) {
            Some(results) => {
                report.results = results;
                order = "checks-file order";
            }
            None => {
                report.results = by_shard.into_iter().flat_map(|(_, results)| results).collect();
                order = "shard order (the shards do not add up to one run)";
            }
        }
    } else {
        report.results = inputs.into_iter().flat_map(|i| i.report.results).collect();
        order = "the order the reports were given";
    }
    Ok(Merged { report, missing_shards, order })
}

/// Why inputs stopped early, each reason once, naming the file.
fn joined_stop_reasons(inputs: &[Input]) -> Option<String> {
    let reasons: Vec<String> =
        inputs.iter().filter_map(|i| i.report.stopped.as_ref().map(|why| format!("{}: {why}", i.file))).collect();
    (!reasons.is_empty()).then(|| reasons.join("; "))
}

/// The shard count of the first sharded input.
fn s_count(inputs: &[Input]) -> usize {
    inputs.iter().find_map(|i| i.report.shard).map_or(0, |s| s.count)
}

#[cfg(test)]
mod tests {
    use super::shard_len;

    #[test]
    fn shard_sizes_add_up() {
        // 7 checks in 3 shards: indexes 0,3,6 / 1,4 / 2,5.
        assert_eq!([1, 2, 3].map(|i| shard_len(i, 3, 7)), [3, 2, 2]);
        assert_eq!([1, 2].map(|i| shard_len(i, 2, 1)), [1, 0]);
    }
}
