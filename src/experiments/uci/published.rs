//! Published MC-dropout results on the UCI regression benchmarks, for comparison.
//!
//! Source: the readme and `results/` folders of yaringal/DropoutUncertaintyExps (Gal's 2018
//! update of the ICML 2016 experiments), grid search over dropout rate × τ, one hidden
//! layer, 4000 epochs, T = 10 000; mean and standard error over the splits (20 for most
//! sets). Copied from `UCI_Datasets/PUBLISHED.md` ("finer figures" table).

/// One dataset's published figures: (mean, standard error) over the splits.
#[derive(Debug, Clone, Copy)]
pub struct Published {
    /// Dataset name as in Gal's repository.
    pub dataset: &'static str,
    /// RMSE of the MC predictive mean.
    pub mc_rmse: (f64, f64),
    /// MC test log-likelihood.
    pub ll: (f64, f64),
    /// Number of splits averaged.
    pub splits: usize,
}

/// MC dropout, grid search (Gal's repository).
pub const PUBLISHED: &[Published] = &[
    Published {
        dataset: "bostonHousing",
        mc_rmse: (2.903623, 0.176840),
        ll: (-2.401936, 0.041702),
        splits: 20,
    },
    Published {
        dataset: "concrete",
        mc_rmse: (4.826460, 0.160534),
        ll: (-2.936656, 0.024828),
        splits: 20,
    },
    Published {
        dataset: "energy",
        mc_rmse: (0.538867, 0.013524),
        ll: (-1.211517, 0.005319),
        splits: 20,
    },
    Published {
        dataset: "kin8nm",
        mc_rmse: (0.078899, 0.000595),
        ll: (1.136426, 0.006625),
        splits: 20,
    },
    Published {
        dataset: "naval-propulsion-plant",
        mc_rmse: (0.000743, 0.000046),
        ll: (4.449543, 0.002160),
        splits: 20,
    },
    Published {
        dataset: "power-plant",
        mc_rmse: (4.014226, 0.036771),
        ll: (-2.807789, 0.008626),
        splits: 20,
    },
    Published {
        dataset: "wine-quality-red",
        mc_rmse: (0.621809, 0.007974),
        ll: (-0.928090, 0.012738),
        splits: 20,
    },
    Published {
        dataset: "yacht",
        mc_rmse: (0.666275, 0.048602),
        ll: (-1.250148, 0.015297),
        splits: 20,
    },
];

/// The published figures of `dataset`.
pub fn lookup(dataset: &str) -> Option<&'static Published> {
    PUBLISHED.iter().find(|p| p.dataset == dataset)
}
