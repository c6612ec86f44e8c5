//! One rule for the numbers and lists of every subcommand, checked right after parsing
//! and before any work: a count given as 0 is an error (unless 0 means something for that
//! flag), and a list given with an entry twice is an error (unless the list is a sequence).

use super::common::{CliResult, invalid};
use clap::ArgMatches;
use clap::parser::ValueSource;

/// Integer flags for which 0 is meaningful: the seed, "no restarts" (`--restarts`,
/// `--gp-restarts`), "no widening" (`--max-widenings`), "run to the end" (`--patience`),
/// "train for the full epoch count" (`--checkpoints`), and split *indices* (`--splits 0`
/// is the first split).
const ZERO_MEANS_SOMETHING: &[&str] = &[
    "seed",
    "restarts",
    "gp_restarts",
    "max_widenings",
    "patience",
    "checkpoints",
    "splits",
];

/// List flags that are sequences, where an entry may repeat (`--hidden 50,50` is two
/// layers of 50), or that check repeats themselves with a more specific message
/// (`--splits`, `--features`, `--target` name the split or the column).
const REPEATS_CHECKED_ELSEWHERE: &[&str] = &["hidden", "splits", "features", "target"];

/// The flag of clap id `id`, as typed (`max_iter` → `--max-iter`).
fn flag(id: &str) -> String {
    format!("--{}", id.replace('_', "-"))
}

/// Whether the argument `id` holds an integer 0 (of either integer type the CLI uses).
fn holds_zero(m: &ArgMatches, id: &str) -> bool {
    let usize_zero = m
        .try_get_many::<usize>(id)
        .ok()
        .flatten()
        .is_some_and(|mut v| v.any(|&x| x == 0));
    let u64_zero = m
        .try_get_many::<u64>(id)
        .ok()
        .flatten()
        .is_some_and(|mut v| v.any(|&x| x == 0));
    usize_zero || u64_zero
}

/// The first entry of `values` that repeats an earlier one, with both 1-based positions.
/// Entries that are numbers compare as numbers (`0.1` and `0.10` are the same value).
fn first_repeat(values: &[String]) -> Option<(usize, usize, &str)> {
    let same = |a: &str, b: &str| match (a.trim().parse::<f64>(), b.trim().parse::<f64>()) {
        (Ok(x), Ok(y)) => x == y,
        _ => a.trim() == b.trim(),
    };
    (1..values.len()).find_map(|j| {
        (0..j)
            .find(|&i| same(&values[i], &values[j]))
            .map(|i| (i + 1, j + 1, values[j].as_str()))
    })
}

/// Checks every argument given on the command line: a count of 0 (see
/// [`ZERO_MEANS_SOMETHING`] for the exceptions) and a list holding an entry twice are
/// errors naming the flag.
pub fn check(m: &ArgMatches) -> CliResult<()> {
    for id in m.ids() {
        let id = id.as_str();
        if m.value_source(id) != Some(ValueSource::CommandLine) {
            continue;
        }
        if !ZERO_MEANS_SOMETHING.contains(&id) && holds_zero(m, id) {
            return Err(invalid(&flag(id), "must be at least 1, got 0"));
        }
        if REPEATS_CHECKED_ELSEWHERE.contains(&id) {
            continue;
        }
        let Some(raw) = m.get_raw(id) else { continue };
        let values: Vec<String> = raw.map(|v| v.to_string_lossy().into_owned()).collect();
        if let Some((i, j, v)) = first_repeat(&values) {
            return Err(invalid(
                &flag(id),
                format!("{v:?} is listed twice (entries {i} and {j}); give each value once"),
            ));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::first_repeat;

    fn strings(v: &[&str]) -> Vec<String> {
        v.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn repeats_are_found_by_value() {
        assert_eq!(first_repeat(&strings(&["bald", "random"])), None);
        assert_eq!(
            first_repeat(&strings(&["bald", "random", "bald"])),
            Some((1, 3, "bald"))
        );
        assert_eq!(
            first_repeat(&strings(&["0.1", "0.5", "0.10"])),
            Some((1, 3, "0.10"))
        );
        assert_eq!(first_repeat(&strings(&["1e1", "10"])), Some((1, 2, "10")));
        assert_eq!(first_repeat(&strings(&["1"])), None);
    }
}
