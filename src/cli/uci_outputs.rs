//! The paths `mcdropout uci` reads and writes, checked together before any training: the
//! files of `--out DIR` must not be one of the data files (`--data`, or every file of
//! `<root>/<name>/data/` in Gal's layout), and must be writable.

use super::super::common::CliResult;
use super::UciArgs;
use mcdropout::output::Plan;

/// Checks `files` inside `--out` (if given) against the inputs of `args`.
pub fn check(args: &UciArgs, names: &[String], files: &[&str]) -> CliResult<()> {
    let Some(dir) = &args.out else {
        return Ok(());
    };
    let mut plan = Plan::new();
    if let Some(data) = &args.plain.data {
        plan.input("--data", data);
    } else if let Some(root) = &args.root {
        for name in names {
            let folder = root.join(name).join("data");
            for entry in std::fs::read_dir(&folder).into_iter().flatten().flatten() {
                plan.input("--root", &entry.path());
            }
        }
    }
    plan.folder("--out", dir, files);
    Ok(plan.check()?)
}
