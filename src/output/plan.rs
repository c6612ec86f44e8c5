//! Every path a command reads and writes, checked together before any work: each output
//! can be written (the rules of [`resolve`]), its folder can be written in, no output is
//! one of the inputs and no two outputs are the same file. Outputs include derived paths
//! (`MODEL.search.json`) and the files a command writes inside an output folder.

use super::target::{Target, folder_of, resolve, same_file};
use crate::error::{Error, Result};
use std::path::{Component, Path, PathBuf};

/// The inputs and outputs of one run (see the module documentation). Build it with
/// [`Plan::input`], [`Plan::output`] and [`Plan::folder`], then call [`Plan::check`]
/// before reading the data.
///
/// ```
/// # fn main() -> Result<(), Box<dyn std::error::Error>> {
/// use mcdropout::output::Plan;
/// let dir = tempfile::tempdir()?;
/// std::fs::write(dir.path().join("d.csv"), "x,y\n1,2\n")?;
/// let mut plan = Plan::new();
/// plan.input("--data", &dir.path().join("d.csv"))
///     .output("--out", &dir.path().join("m.st"));
/// plan.check()?;
/// plan.output("--report", &dir.path().join("./m.st"));
/// assert!(plan.check().is_err()); // the same file as --out
/// # Ok(())
/// # }
/// ```
#[derive(Debug, Default, Clone)]
pub struct Plan {
    inputs: Vec<(String, PathBuf)>,
    outputs: Vec<Output>,
    folders: Vec<(String, PathBuf)>,
}

#[derive(Debug, Clone)]
struct Output {
    flag: String,
    path: PathBuf,
    /// The output folder (its flag's index in `folders`) the file is written in.
    folder: Option<usize>,
}

impl Output {
    /// How the output is named in messages: the path, and the folder flag it is inside.
    fn shown(&self, plan: &Plan) -> String {
        match self.folder {
            Some(k) => format!(
                "{} (written into {} {})",
                self.path.display(),
                plan.folders[k].0,
                plan.folders[k].1.display()
            ),
            None => self.path.display().to_string(),
        }
    }
}

fn invalid(flag: &str, reason: String) -> Error {
    Error::InvalidParameter {
        name: flag.into(),
        reason,
    }
}

impl Plan {
    /// An empty plan.
    pub fn new() -> Self {
        Self::default()
    }

    /// An input file, given as `flag` (e.g. `--data`).
    pub fn input(&mut self, flag: &str, path: &Path) -> &mut Self {
        self.inputs.push((flag.into(), path.to_path_buf()));
        self
    }

    /// An output file, given as `flag` (e.g. `--out`, or `--report` for a derived path).
    pub fn output(&mut self, flag: &str, path: &Path) -> &mut Self {
        self.outputs.push(Output {
            flag: flag.into(),
            path: path.to_path_buf(),
            folder: None,
        });
        self
    }

    /// An output folder given as `flag`, created by the run if it does not exist (its
    /// parent must), and the `files` the run writes in it.
    pub fn folder(&mut self, flag: &str, dir: &Path, files: &[&str]) -> &mut Self {
        self.folders.push((flag.into(), dir.to_path_buf()));
        let k = self.folders.len() - 1;
        for f in files {
            self.outputs.push(Output {
                flag: flag.into(),
                path: dir.join(f),
                folder: Some(k),
            });
        }
        self
    }

    /// Checks every rule of the module documentation; the error names the flag and the
    /// file. Nothing is created or changed.
    pub fn check(&self) -> Result<()> {
        for (flag, dir) in &self.folders {
            check_out_folder(flag, dir)?;
        }
        let mut keys = Vec::with_capacity(self.outputs.len());
        for out in &self.outputs {
            let in_new_folder = self.in_new_folder(out);
            if !in_new_folder {
                self.check_writable(out)?;
                self.check_not_input(out)?;
            }
            keys.push(identity(&out.path));
        }
        for (j, b) in self.outputs.iter().enumerate() {
            for (i, a) in self.outputs[..j].iter().enumerate() {
                if keys[i].is_some() && keys[i] == keys[j] {
                    return Err(invalid(
                        &b.flag,
                        format!(
                            "{} is the same file as {} {}; one would overwrite the other (choose another file)",
                            b.shown(self),
                            a.flag,
                            a.shown(self)
                        ),
                    ));
                }
            }
        }
        Ok(())
    }

    /// Whether `out` goes into an output folder the run has yet to create (nothing in it
    /// exists, so there is nothing to resolve or protect).
    fn in_new_folder(&self, out: &Output) -> bool {
        match out.folder {
            Some(k) => !self.folders[k].1.exists(),
            None => {
                let parent = absolute(folder_of(&out.path));
                self.folders
                    .iter()
                    .any(|(_, f)| !f.exists() && absolute(f) == parent)
            }
        }
    }

    fn check_writable(&self, out: &Output) -> Result<()> {
        let target = resolve(&out.path).map_err(|e| match e {
            Error::Io { source, .. } => {
                invalid(&out.flag, format!("{}: {source}", out.shown(self)))
            }
            e => e,
        })?;
        if let Target::Replace(real) = target
            && let Err(why) = folder_writable(folder_of(&real))
        {
            return Err(invalid(
                &out.flag,
                format!(
                    "{}: its folder {} {why}; nothing was written",
                    out.shown(self),
                    folder_of(&real).display()
                ),
            ));
        }
        Ok(())
    }

    /// Only an ordinary file can be destroyed: writing through a device, fifo or terminal
    /// that is also an input loses nothing.
    fn check_not_input(&self, out: &Output) -> Result<()> {
        if !std::fs::metadata(&out.path).is_ok_and(|m| m.is_file()) {
            return Ok(());
        }
        for (flag, input) in &self.inputs {
            if same_file(&out.path, input) {
                return Err(invalid(
                    &out.flag,
                    format!(
                        "{} is the same file as the input {flag} {}; writing it would destroy the input (choose another output file)",
                        out.shown(self),
                        input.display()
                    ),
                ));
            }
        }
        Ok(())
    }
}

/// What two outputs are compared by: an existing ordinary file by its device and inode
/// (so links and `..` are seen through), a path that does not exist yet by its absolute
/// form (so `d.csv`, `./d.csv` and `sub/../d.csv` are one); `None` for a special file,
/// which two outputs may share (`/dev/null` twice).
#[derive(Debug, PartialEq, Eq)]
enum Identity {
    File(u64, u64),
    New(PathBuf),
}

fn identity(path: &Path) -> Option<Identity> {
    match std::fs::metadata(path) {
        Ok(m) if m.is_file() => Some(file_identity(path, &m)),
        Ok(_) => None,
        Err(_) => Some(Identity::New(absolute(path))),
    }
}

#[cfg(unix)]
fn file_identity(_: &Path, m: &std::fs::Metadata) -> Identity {
    use std::os::unix::fs::MetadataExt;
    Identity::File(m.dev(), m.ino())
}

#[cfg(not(unix))]
fn file_identity(path: &Path, _: &std::fs::Metadata) -> Identity {
    Identity::New(absolute(path))
}

/// `path` made absolute: its deepest existing ancestor canonicalised, the rest (which
/// cannot hold links, since it does not exist) resolved lexically.
fn absolute(path: &Path) -> PathBuf {
    let parts: Vec<Component> = path.components().collect();
    for k in (0..=parts.len()).rev() {
        let prefix: PathBuf = parts[..k].iter().collect();
        let base = if k == 0 { PathBuf::from(".") } else { prefix };
        if let Ok(mut out) = std::fs::canonicalize(&base) {
            for c in &parts[k..] {
                match c {
                    Component::ParentDir => {
                        out.pop();
                    }
                    Component::Normal(n) => out.push(n),
                    _ => {}
                }
            }
            return out;
        }
    }
    path.to_path_buf()
}

/// Whether files can be created in `dir`: refused when its permissions have no write bit
/// (as a read-only file is refused, even for root) or this user may not write in it.
fn folder_writable(dir: &Path) -> std::result::Result<(), &'static str> {
    let Ok(meta) = std::fs::metadata(dir) else {
        return Err("does not exist");
    };
    if meta.permissions().readonly() {
        return Err("is read-only");
    }
    #[cfg(unix)]
    if rustix::fs::access(
        dir,
        rustix::fs::Access::WRITE_OK | rustix::fs::Access::EXEC_OK,
    )
    .is_err()
    {
        return Err("is not writable by this user");
    }
    Ok(())
}

/// An output folder: an existing folder must be writable; one that does not exist yet is
/// created by the run, so its parent must exist and be writable.
fn check_out_folder(flag: &str, dir: &Path) -> Result<()> {
    if dir.is_dir() {
        return folder_writable(dir)
            .map_err(|why| invalid(flag, format!("the folder {} {why}", dir.display())));
    }
    if std::fs::symlink_metadata(dir).is_ok() && !dir.exists() {
        return Err(invalid(
            flag,
            format!(
                "{} is a symbolic link to a folder that does not exist",
                dir.display()
            ),
        ));
    }
    if dir.exists() {
        return Err(invalid(flag, format!("{} is not a folder", dir.display())));
    }
    let parent = folder_of(dir);
    if !parent.is_dir() {
        return Err(invalid(
            flag,
            format!(
                "{}: its parent folder {} does not exist (only the last folder is created)",
                dir.display(),
                parent.display()
            ),
        ));
    }
    folder_writable(parent).map_err(|why| {
        invalid(
            flag,
            format!(
                "{}: its parent folder {} {why}, so the folder cannot be created",
                dir.display(),
                parent.display()
            ),
        )
    })
}

#[cfg(test)]
#[path = "plan_tests.rs"]
mod tests;
