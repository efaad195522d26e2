//! Where the repository is and the environment every tool runs in.

use std::path::PathBuf;

use crate::steps::StepFailed;

/// The repository root and helpers to read files in it.
pub struct Workspace {
    pub root: PathBuf,
}

impl Workspace {
    /// The repository that holds this xtask, whatever the current directory.
    pub fn locate() -> Self {
        let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
            .parent()
            .map(PathBuf::from)
            .unwrap_or_else(|| PathBuf::from("."));
        Self { root }
    }

    /// Puts cargo's and npm's tool folders first on PATH for every child, so
    /// trunk finds wasm-opt 132 from node_modules and never Debian's.
    pub fn prepare_path(&self) {
        let mut dirs = vec![self.root.join("node_modules/.bin")];
        if let Some(home) = std::env::var_os("CARGO_HOME") {
            dirs.push(PathBuf::from(home).join("bin"));
        } else if let Some(home) = std::env::var_os("HOME") {
            dirs.push(PathBuf::from(home).join(".cargo/bin"));
        }
        // PATH, then the sbin directories daemons live in (Debian's mosquitto and
        // rabbitmq-server), so every suite and broker xtask starts finds them.
        dirs.extend(crate::tools::search_dirs(std::env::var_os("PATH").as_ref()));
        if let Ok(joined) = std::env::join_paths(dirs) {
            std::env::set_var("PATH", joined);
        }
        std::env::set_current_dir(&self.root).ok();
    }

    /// A file of the repository as text, with an error that names it.
    pub fn read(&self, relative: &str) -> Result<String, StepFailed> {
        std::fs::read_to_string(self.root.join(relative)).map_err(|e| StepFailed {
            step: format!("read {relative}"),
            why: e.to_string(),
        })
    }
}
