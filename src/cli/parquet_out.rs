//! `predict --out x.parquet` / `--format parquet`: prediction columns written as a Parquet
//! file (snappy-compressed, one row group per part written), through any writer — a
//! staged file or standard output — without holding more than one part in memory.

use arrow_array::{ArrayRef, Float64Array, Int64Array, RecordBatch};
use arrow_schema::{DataType, Field, Schema};
use parquet::arrow::ArrowWriter;
use parquet::basic::Compression;
use parquet::file::properties::WriterProperties;
use std::io::{self, Write};
use std::sync::Arc;

/// One output column of a part.
pub enum OutColumn {
    /// Numbers (float64).
    Numbers(Vec<f64>),
    /// Integers (a class label).
    Integers(Vec<i64>),
}

/// A Parquet file being written part by part; the bytes of each part go to the writer as
/// soon as the part is encoded.
pub struct ParquetOut {
    writer: ArrowWriter<Vec<u8>>,
    schema: Arc<Schema>,
}

fn other(e: impl std::fmt::Display) -> io::Error {
    io::Error::other(format!("writing Parquet: {e}"))
}

impl ParquetOut {
    /// A file with columns `names`, typed as the first part's `columns` are.
    pub fn new(names: &[String], columns: &[OutColumn]) -> io::Result<Self> {
        let fields: Vec<Field> = names
            .iter()
            .zip(columns)
            .map(|(n, c)| {
                let t = match c {
                    OutColumn::Numbers(_) => DataType::Float64,
                    OutColumn::Integers(_) => DataType::Int64,
                };
                Field::new(n, t, false)
            })
            .collect();
        let schema = Arc::new(Schema::new(fields));
        let props = WriterProperties::builder()
            .set_compression(Compression::SNAPPY)
            .build();
        let writer =
            ArrowWriter::try_new(Vec::new(), schema.clone(), Some(props)).map_err(other)?;
        Ok(Self { writer, schema })
    }

    /// Encodes one part as a row group and passes its bytes to `w`.
    pub fn write(&mut self, w: &mut dyn Write, columns: Vec<OutColumn>) -> io::Result<()> {
        let arrays: Vec<ArrayRef> = columns
            .into_iter()
            .map(|c| -> ArrayRef {
                match c {
                    OutColumn::Numbers(v) => Arc::new(Float64Array::from(v)),
                    OutColumn::Integers(v) => Arc::new(Int64Array::from(v)),
                }
            })
            .collect();
        let batch = RecordBatch::try_new(self.schema.clone(), arrays).map_err(other)?;
        self.writer.write(&batch).map_err(other)?;
        self.writer.flush().map_err(other)?;
        // The encoder only appends to its buffer: what it holds so far is final.
        w.write_all(&std::mem::take(self.writer.inner_mut()))
    }

    /// Writes the footer.
    pub fn finish(self, w: &mut dyn Write) -> io::Result<()> {
        let rest = self.writer.into_inner().map_err(other)?;
        w.write_all(&rest)
    }
}

/// Writes `columns` named `names` as one Parquet file to `w`.
pub fn write_all(w: &mut dyn Write, names: &[String], columns: Vec<OutColumn>) -> io::Result<()> {
    let mut out = ParquetOut::new(names, &columns)?;
    out.write(w, columns)?;
    out.finish(w)
}
