//! The human-readable table of a search: every point, the winner marked.

use super::{SearchReport, Validation};
use crate::prior::TauUnits;
use std::fmt::Write;

/// A markdown table of every grid point (p, τ, validation LL, validation RMSE, time, the
/// widening round that added it), sorted by p then τ, the winner marked `◀`, followed by
/// the choice and how it was made.
pub fn markdown(r: &SearchReport) -> String {
    let units = match r.tau_units {
        TauUnits::Standardised => "τ (standardised)",
        _ => "τ (target units⁻², Gal)",
    };
    let mut pts = r.points.clone();
    pts.sort_by(|a, b| {
        a.dropout
            .total_cmp(&b.dropout)
            .then(a.tau.total_cmp(&b.tau))
    });
    let mut s = String::new();
    let _ = writeln!(s, "| p | {units} | val LL | val RMSE | time | round |");
    let _ = writeln!(s, "|---|---|---|---|---|---|");
    for p in &pts {
        let mark = if p.dropout == r.best.dropout && p.tau == r.best.tau {
            " ◀"
        } else {
            ""
        };
        let _ = writeln!(
            s,
            "| {} | {} | {:.4}{mark} | {:.4} | {:.2} s | {} |",
            p.dropout, p.tau, p.val_ll, p.val_rmse, p.seconds, p.round
        );
    }
    let how = match r.validation {
        Validation::Holdout(f) => format!("a seeded {:.0} % validation holdout", f * 100.0),
        Validation::Folds(k) => format!("{k}-fold cross-validation"),
    };
    let _ = writeln!(
        s,
        "\nchosen: p = {}, τ = {} ({}; τ = {:.6} in target units⁻², noise std {:.4}) — validation LL {:.4}, RMSE {:.4}",
        r.best.dropout,
        r.best.tau,
        if r.tau_units == TauUnits::Standardised {
            "standardised"
        } else {
            "Gal units"
        },
        r.tau_original,
        r.noise_std,
        r.best.val_ll,
        r.best.val_rmse
    );
    let _ = writeln!(
        s,
        "{} points scored by MC log-likelihood (T = {}) on {how} of {} rows; {} epochs per training; {} widening round{}; final model trained on all rows; {} optimiser steps, {:.1} s",
        r.points.len(),
        r.samples,
        r.n_rows,
        r.epochs,
        r.widenings,
        if r.widenings == 1 { "" } else { "s" },
        r.steps,
        r.seconds
    );
    for e in &r.on_edge {
        let _ = writeln!(
            s,
            "warning: {e} after the last widening; more --max-widenings or a wider grid may do better"
        );
    }
    s
}
