//! Splitting the file text into rows of cells: format detection, CSV and
//! whitespace-separated input.

use std::path::Path;

use super::cells::RowCollector;
use crate::error::{Error, Result};

/// True when the first non-empty line contains a comma.
pub(crate) fn is_csv(text: &str) -> bool {
    text.lines()
        .find(|line| !line.trim().is_empty())
        .is_some_and(|line| line.contains(','))
}

/// Feeds the rows of comma-separated `text` to `rows`, skipping blank lines.
pub(crate) fn read_csv(text: &str, path: &Path, rows: &mut RowCollector) -> Result<()> {
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(text.as_bytes());
    let mut record = csv::StringRecord::new();
    // The csv crate's position of a record lies before the empty lines it skipped, so
    // line numbers are counted here: from that offset, past the line breaks.
    let (mut counted_to, mut line) = (0usize, 1usize);
    let (mut first_width, mut first_line): (Option<usize>, Option<usize>) = (None, None);
    loop {
        let more = reader.read_record(&mut record).map_err(|e| Error::Io {
            path: path.to_path_buf(),
            source: e.into(),
        })?;
        if !more {
            return Ok(());
        }
        // The csv crate skips empty lines itself, but not lines of blanks.
        if record.iter().all(|cell| cell.trim().is_empty()) && record.len() <= 1 {
            continue;
        }
        let start = record
            .position()
            .and_then(|p| usize::try_from(p.byte()).ok())
            .map_or(counted_to, |b| b.clamp(counted_to, text.len()));
        let start = text.as_bytes()[start..]
            .iter()
            .position(|&b| b != b'\n' && b != b'\r')
            .map_or(text.len(), |skip| start + skip);
        line += text.as_bytes()[counted_to..start]
            .iter()
            .filter(|&&b| b == b'\n')
            .count();
        counted_to = start;
        let width = *first_width.get_or_insert(record.len());
        let last_empty = record.len() > 1
            && record
                .iter()
                .next_back()
                .is_some_and(|c| c.trim().is_empty());
        if last_empty && (record.len() == width + 1 || first_line.is_none()) {
            return Err(Error::InvalidFile {
                path: path.to_path_buf(),
                line: Some(line),
                reason: "the line ends with a comma (a trailing comma makes an empty last column); remove the trailing commas".into(),
            });
        }
        first_line.get_or_insert(line);
        rows.push(line, record.iter())?;
    }
}

/// Refuses text that is not a table: binary data (a NUL byte or another control
/// character) and comment lines (starting with `#`), each with its own message.
pub(crate) fn check_text(text: &str, path: &Path) -> Result<()> {
    let bad = |line: usize, reason: String| Error::InvalidFile {
        path: path.to_path_buf(),
        line: Some(line),
        reason,
    };
    if let Some((i, l)) = text.lines().enumerate().find(|(_, l)| !l.trim().is_empty())
        && l.contains(';')
        && !l.contains(',')
    {
        return Err(bad(
            i + 1,
            "cells separated by ';': use commas (CSV) or spaces/tabs to separate cells".into(),
        ));
    }
    for (i, l) in text.lines().enumerate() {
        if let Some(c) = l
            .chars()
            .find(|c| c.is_control() && !matches!(c, '\t' | '\r' | '\x0c'))
        {
            let hint = if text.starts_with('\u{1f}') {
                " (gzip-compressed? decompress it first)"
            } else if text.starts_with("PAR1") {
                " (it is a Parquet file: read it with --data-format auto or parquet)"
            } else {
                ""
            };
            return Err(bad(
                i + 1,
                format!(
                    "binary data (control character {:#04x}): this is not a text table{hint}",
                    u32::from(c)
                ),
            ));
        }
        if l.trim_start().starts_with('#') {
            return Err(bad(
                i + 1,
                "a comment line (starting with '#'); comment lines are not supported, remove it"
                    .into(),
            ));
        }
    }
    Ok(())
}

/// Feeds the rows of whitespace-separated `text` to `rows`, skipping blank lines.
pub(crate) fn read_whitespace(text: &str, rows: &mut RowCollector) -> Result<()> {
    for (i, line) in text.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        rows.push(i + 1, line.split_whitespace())?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::is_csv;

    #[test]
    fn detects_format_from_first_non_empty_line() {
        assert!(is_csv("\n  \na,b\n1 2\n"));
        assert!(!is_csv("\n1 2\n3,4\n"));
        assert!(!is_csv(""));
    }
}
