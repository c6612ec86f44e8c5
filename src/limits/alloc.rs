//! Fallible allocation of buffers whose size comes from the user or the data: a refusal by
//! the system is [`Error::OutOfMemory`], never an abort. Used where a size passed the
//! memory limit (which may be set beyond what the system gives) and is then allocated.

use crate::error::{Error, Result};
use faer::Mat;
use faer::dyn_stack::{MemBuffer, StackReq};

/// What to do after a refusal, with the limit that let the request through.
fn hint() -> String {
    match super::memory_limit() {
        Ok(l) => format!(
            "the memory limit in force is {} ({}); make the request smaller, or set {} lower so that such requests are refused before any work",
            super::show_bytes(l.bytes as f64),
            l.source,
            super::MEMORY_VAR
        ),
        Err(e) => e.to_string(),
    }
}

fn refused(what: &str, bytes: f64) -> Error {
    Error::OutOfMemory {
        what: what.into(),
        bytes,
        hint: hint(),
    }
}

/// `len` copies of `value`, or [`Error::OutOfMemory`] naming `what`.
pub fn try_vec<T: Clone>(len: usize, value: T, what: &str) -> Result<Vec<T>> {
    let mut v = Vec::new();
    v.try_reserve_exact(len)
        .map_err(|_| refused(what, len as f64 * std::mem::size_of::<T>() as f64))?;
    v.resize(len, value);
    Ok(v)
}

/// An `nrows × ncols` matrix of zeros, or [`Error::OutOfMemory`] naming `what`.
pub fn try_mat(nrows: usize, ncols: usize, what: &str) -> Result<Mat<f64>> {
    let bytes = nrows as f64 * ncols as f64 * 8.0;
    let mut m = Mat::new();
    m.try_reserve(nrows, ncols)
        .map_err(|_| refused(what, bytes))?;
    m.resize_with(nrows, ncols, |_, _| 0.0);
    Ok(m)
}

/// faer's scratch space for `req`, or [`Error::OutOfMemory`] naming `what`.
pub fn try_mem_buffer(req: StackReq, what: &str) -> Result<MemBuffer> {
    MemBuffer::try_new(req).map_err(|_| refused(what, req.size_bytes() as f64))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_impossible_request_is_an_error() {
        match try_vec(usize::MAX / 2, 0u8, "a test buffer") {
            Err(Error::OutOfMemory { what, bytes, hint }) => {
                assert_eq!(what, "a test buffer");
                assert!(bytes > 1e18);
                assert!(hint.contains("MCDROPOUT_MAX_MEMORY"), "{hint}");
            }
            other => panic!("expected OutOfMemory, got {other:?}"),
        }
        assert!(matches!(
            try_mat(1 << 40, 1 << 40, "m"),
            Err(Error::OutOfMemory { .. })
        ));
        let m = try_mat(3, 2, "m").unwrap();
        assert_eq!((m.nrows(), m.ncols(), m[(2, 1)]), (3, 2, 0.0));
        assert_eq!(try_vec(3, 1.5, "v").unwrap(), vec![1.5; 3]);
    }
}
