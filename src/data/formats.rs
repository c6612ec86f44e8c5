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
        rows.push(line, record.iter())?;
    }
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
