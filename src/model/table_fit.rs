//! A regressor fitted on a raw [`Table`] and scoring one: the preprocessing step
//! ([`crate::data::prepare_fit`]) is part of the fit, its encoding is stored in the model,
//! and [`Regressor::predict_table`] applies it again, so the model (or its file) alone
//! scores a raw table.

use super::{McPrediction, Regressor, RegressorParams};
use crate::data::{ColumnMatch, EncodingOptions, Table, UnknownCategory, prepare_fit};
use crate::error::Result;
use crate::predict::McOptions;

impl RegressorParams {
    /// Fits a regressor on the raw table `raw` (text columns, missing cells kept for
    /// imputation): the target column `target` (a name or an index) and the features
    /// `features` (or every other column) are chosen as [`Table::fit_columns`] says, the
    /// feature columns are encoded as `opts` says (one-hot categories; with
    /// `opts.impute`, training means and missing indicators), and the encoding is stored
    /// in the model. The feature and target names of `self` are replaced by the table's.
    ///
    /// # Errors
    ///
    /// As [`Table::fit_columns`], [`crate::data::prepare_fit`] and [`RegressorParams::fit`].
    ///
    /// ```
    /// use mcdropout::data::{EncodingOptions, LoadOptions, Missing, UnknownCategory, parse_table};
    /// use mcdropout::model::{Noise, RegressorParams};
    /// use mcdropout::predict::McOptions;
    /// let opts = LoadOptions { missing: Missing::Impute, ..LoadOptions::default() };
    /// let csv = b"size,colour,y\n50,red,1.0\n70,blue,2.1\n,red,1.4\n65,blue,1.9\n55,red,1.2\n";
    /// let train = parse_table(csv, "train.csv".as_ref(), &opts)?;
    /// let mut params = RegressorParams::default();
    /// params.noise = Noise::Tau(10.0);
    /// params.train.epochs = 5;
    /// let enc = EncodingOptions { impute: true, ..EncodingOptions::default() };
    /// let model = params.fit_table(train, "y", None, &enc)?;
    /// assert_eq!(model.feature_names, ["size", "size (missing)", "colour=blue", "colour=red"]);
    /// let new = parse_table(b"colour,size\nred,60\n", "new.csv".as_ref(), &opts)?;
    /// let p = model.predict_table(&new, &McOptions::new(100, 0), UnknownCategory::Error)?;
    /// assert_eq!(p.mean.len(), 1);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn fit_table(
        &self,
        raw: Table,
        target: &str,
        features: Option<&[String]>,
        opts: &EncodingOptions,
    ) -> Result<Regressor> {
        let (t, f) = raw.fit_columns(target, features)?;
        let prepared = prepare_fit(raw, &[t], &f, opts)?;
        let features = prepared.features.as_deref().or(features);
        let (x, y, names, target) = prepared.table.features_and_target(target, features)?;
        let mut params = self.clone();
        params.feature_names = Some(names);
        params.target_name = Some(target);
        let mut model = params.fit(x.view(), y.view())?;
        model.encoding = prepared.encoding;
        Ok(model)
    }
}

impl Regressor {
    /// MC-dropout predictions for the rows of the raw table `raw`: encoded with the
    /// model's stored encoding (a category not seen in training as `unknown` says), the
    /// features taken by name.
    ///
    /// # Errors
    ///
    /// As [`crate::data::Encoding::encode_table`], [`Table::model_data`] and
    /// [`Regressor::predict_mc`].
    pub fn predict_table(
        &self,
        raw: &Table,
        opts: &McOptions,
        unknown: UnknownCategory,
    ) -> Result<McPrediction> {
        let encoded;
        let table = match &self.encoding {
            Some(enc) => {
                encoded = enc.encode_table(raw, unknown)?;
                &encoded.table
            }
            None => raw,
        };
        let data = table.model_data(
            &self.feature_names,
            std::slice::from_ref(&self.target_name),
            None,
            ColumnMatch::ByName,
        )?;
        self.predict_mc(data.x.view(), opts)
    }
}
