//! Kernel expressions: `se+periodic`, `se*periodic+white`, `(se+linear)*constant`.
//!
//! Grammar (spaces ignored; `*` binds tighter than `+`):
//!
//! ```text
//! expr   = term ('+' term)*
//! term   = factor ('*' factor)*
//! factor = name | '(' expr ')'
//! name   = se | rbf | matern32 | matern52 | periodic | linear | white | constant | const
//!        | arccos0 | arccos1
//! ```

use super::kernel::Kernel;
use crate::error::{Error, Result};
use crate::limits::{MAX_KERNEL_DEPTH, MAX_KERNEL_TERMS};

/// The kernel names the parser accepts.
pub const KERNEL_NAMES: &str =
    "se (rbf), matern32, matern52, periodic, linear, white, constant, arccos0, arccos1";

/// Parses `spec` into a kernel on `dim`-dimensional inputs with default parameters:
/// every variance 1 and length-scale 1 (inputs are standardised), period 1, white-noise
/// variance 0.1, arc-cosine weight and bias variances 1.
///
/// ```
/// let k = mcdropout::gp::parse_kernel("se*periodic+white", 1).unwrap();
/// assert_eq!(k.n_params(), 2 + 3 + 1);
/// let err = mcdropout::gp::parse_kernel("se+", 1).unwrap_err();
/// assert!(err.to_string().contains("position 4"));
/// ```
pub fn parse_kernel(spec: &str, dim: usize) -> Result<Kernel> {
    if dim == 0 {
        return Err(Error::Shape(
            "a kernel needs at least one input dimension".into(),
        ));
    }
    let mut p = Parser {
        spec,
        chars: spec.char_indices().collect(),
        pos: 0,
        dim,
        depth: 0,
        terms: 0,
    };
    let k = p.expr()?;
    p.skip_space();
    if p.pos < p.chars.len() {
        return Err(p.error(format!("unexpected {:?}", p.chars[p.pos].1)));
    }
    Ok(k)
}

struct Parser<'a> {
    spec: &'a str,
    chars: Vec<(usize, char)>,
    pos: usize,
    dim: usize,
    /// Parentheses open at the current position.
    depth: usize,
    /// Kernel names read so far.
    terms: usize,
}

impl Parser<'_> {
    /// An error at the current position (1-based character position).
    fn error(&self, reason: String) -> Error {
        Error::KernelSyntax {
            spec: self.spec.to_owned(),
            position: self.pos + 1,
            reason,
        }
    }

    fn skip_space(&mut self) {
        while self.pos < self.chars.len() && self.chars[self.pos].1.is_whitespace() {
            self.pos += 1;
        }
    }

    fn eat(&mut self, c: char) -> bool {
        self.skip_space();
        if self.pos < self.chars.len() && self.chars[self.pos].1 == c {
            self.pos += 1;
            true
        } else {
            false
        }
    }

    fn expr(&mut self) -> Result<Kernel> {
        let mut k = self.term()?;
        while self.eat('+') {
            k = Kernel::Sum(Box::new(k), Box::new(self.term()?));
        }
        Ok(k)
    }

    fn term(&mut self) -> Result<Kernel> {
        let mut k = self.factor()?;
        while self.eat('*') {
            k = Kernel::Product(Box::new(k), Box::new(self.factor()?));
        }
        Ok(k)
    }

    fn factor(&mut self) -> Result<Kernel> {
        self.skip_space();
        if self.eat('(') {
            if self.depth >= MAX_KERNEL_DEPTH {
                self.pos -= 1;
                return Err(self.error(format!(
                    "parentheses nested more than {MAX_KERNEL_DEPTH} deep"
                )));
            }
            self.depth += 1;
            let k = self.expr()?;
            self.depth -= 1;
            if !self.eat(')') {
                return Err(self.error("expected ')'".into()));
            }
            return Ok(k);
        }
        let start = self.pos;
        // Any letter counts towards the name, so that a name with a non-ASCII letter is
        // shown whole in the error (`sé`, not `s`).
        while self.pos < self.chars.len() && self.chars[self.pos].1.is_alphanumeric() {
            self.pos += 1;
        }
        if start == self.pos {
            let found = match self.chars.get(self.pos) {
                Some((_, c)) => format!("{c:?}"),
                None => "the end".into(),
            };
            return Err(self.error(format!(
                "expected a kernel name or '(', found {found} (kernels: {KERNEL_NAMES})"
            )));
        }
        let name: String = self.chars[start..self.pos].iter().map(|(_, c)| c).collect();
        self.terms += 1;
        if self.terms > MAX_KERNEL_TERMS {
            self.pos = start;
            return Err(self.error(format!(
                "more than {MAX_KERNEL_TERMS} kernels in one expression"
            )));
        }
        let ard = |d: usize| vec![0.0; d + 1];
        let k = match name.to_ascii_lowercase().as_str() {
            "se" | "rbf" => Kernel::SquaredExp(ard(self.dim)),
            "matern32" => Kernel::Matern32(ard(self.dim)),
            "matern52" => Kernel::Matern52(ard(self.dim)),
            "periodic" => Kernel::Periodic([0.0; 3]),
            "linear" => Kernel::Linear([0.0]),
            "white" => Kernel::White([0.1f64.ln()]),
            "constant" | "const" => Kernel::Constant([0.0]),
            "arccos0" => Kernel::ArcCos0([0.0; 3]),
            "arccos1" => Kernel::ArcCos1([0.0; 3]),
            _ => {
                self.pos = start;
                return Err(
                    self.error(format!("unknown kernel {name:?} (kernels: {KERNEL_NAMES})"))
                );
            }
        };
        Ok(k)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn precedence_and_parentheses() {
        let k = parse_kernel("se * periodic + white", 2).unwrap();
        assert!(matches!(k, Kernel::Sum(ref a, _) if matches!(**a, Kernel::Product(..))));
        let k = parse_kernel("(se+linear)*constant", 2).unwrap();
        assert!(matches!(k, Kernel::Product(ref a, _) if matches!(**a, Kernel::Sum(..))));
        assert_eq!(k.n_params(), 3 + 1 + 1);
    }

    #[test]
    fn errors_name_the_position() {
        for (spec, pos, what) in [
            ("se+", 4, "expected a kernel name"),
            ("se+foo", 4, "unknown kernel \"foo\""),
            ("(se", 4, "expected ')'"),
            ("se)", 3, "unexpected ')'"),
            ("", 1, "expected a kernel name"),
            ("se++white", 4, "expected a kernel name"),
            ("sé", 1, "unknown kernel \"sé\""),
            ("se+ségal*white", 4, "unknown kernel \"ségal\""),
        ] {
            let e = parse_kernel(spec, 1).unwrap_err();
            match &e {
                Error::KernelSyntax {
                    position, reason, ..
                } => {
                    assert_eq!(*position, pos, "{spec}: {e}");
                    assert!(reason.contains(what), "{spec}: {e}");
                }
                _ => panic!("{spec}: wrong error {e}"),
            }
        }
    }

    #[test]
    fn nesting_and_length_are_bounded() {
        let deep = format!("{}se{}", "(".repeat(100_000), ")".repeat(100_000));
        let e = parse_kernel(&deep, 1).unwrap_err().to_string();
        assert!(e.contains("nested more than 32 deep"), "{e}");
        assert!(e.contains("position 33"), "{e}");
        let ok = format!("{}se{}", "(".repeat(32), ")".repeat(32));
        assert!(parse_kernel(&ok, 1).is_ok());
        let long = vec!["se"; 100_000].join("+");
        let e = parse_kernel(&long, 1).unwrap_err().to_string();
        assert!(e.contains("more than 256 kernels"), "{e}");
        assert!(parse_kernel(&vec!["white"; 256].join("*"), 1).is_ok());
    }
}
