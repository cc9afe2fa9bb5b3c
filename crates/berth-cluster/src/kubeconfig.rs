//! Reading and merging kubeconfig files as kubectl does.
//!
//! The files are `KUBECONFIG` (split with the platform's path separator, empty entries ignored,
//! missing files skipped as kubectl skips them) or else `~/.kube/config`. They merge by kubectl's
//! rules: the first file to define a cluster, user, context or `current-context` wins.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use kube::config::{KubeConfigOptions, Kubeconfig};
use serde::Serialize;

use crate::ClusterError;

/// A kubeconfig file that could not be used, and why. The other files still load.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct KubeconfigProblem {
    /// The file.
    pub file: PathBuf,
    /// What is wrong with it, in words a user can act on.
    pub message: String,
}

/// One context as the merged kubeconfig describes it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ContextEntry {
    /// The context name.
    pub name: String,
    /// The cluster entry it points at.
    pub cluster: String,
    /// The cluster's API server URL, when the cluster entry exists.
    pub server: Option<String>,
    /// The user entry it points at.
    pub user: Option<String>,
    /// Its default namespace.
    pub namespace: Option<String>,
    /// The file that defined it.
    pub source_file: PathBuf,
    /// Whether it is the merged `current-context`.
    pub current: bool,
}

/// The merged kubeconfig, with where each context came from and what could not be read.
#[derive(Debug, Clone, Default)]
pub struct LoadedKubeconfig {
    /// The merged configuration.
    pub merged: Kubeconfig,
    /// The files that were considered, in order (missing ones included: kubectl lists them too).
    pub files: Vec<PathBuf>,
    /// The files that exist but could not be used.
    pub problems: Vec<KubeconfigProblem>,
    origins: BTreeMap<String, PathBuf>,
}

/// The kubeconfig files in force: `KUBECONFIG`'s entries, else `~/.kube/config`.
pub fn default_paths() -> Result<Vec<PathBuf>, ClusterError> {
    if let Some(value) = std::env::var_os("KUBECONFIG") {
        let paths: Vec<PathBuf> = std::env::split_paths(&value)
            .filter(|p| !p.as_os_str().is_empty())
            .collect();
        if !paths.is_empty() {
            return Ok(paths);
        }
    }
    let home = directories::BaseDirs::new().ok_or(ClusterError::NoKubeconfig)?;
    Ok(vec![home.home_dir().join(".kube").join("config")])
}

impl LoadedKubeconfig {
    /// Loads the kubeconfig files in force (see [`default_paths`]).
    pub fn load_default() -> Result<Self, ClusterError> {
        Ok(Self::load(&default_paths()?))
    }

    /// Loads and merges `paths`, first file winning. Missing files are skipped; unreadable or
    /// malformed ones become [`KubeconfigProblem`]s.
    #[tracing::instrument(level = "debug")]
    pub fn load(paths: &[PathBuf]) -> Self {
        let mut loaded = Self {
            files: paths.to_vec(),
            ..Self::default()
        };
        for path in paths {
            if !path.exists() {
                tracing::debug!(path = %path.display(), "kubeconfig file missing, skipped");
                continue;
            }
            match read_file(path) {
                Ok(config) => loaded.add(path, config),
                Err(message) => loaded.problems.push(KubeconfigProblem {
                    file: path.clone(),
                    message,
                }),
            }
        }
        loaded
    }

    fn add(&mut self, path: &Path, config: Kubeconfig) {
        for ctx in &config.contexts {
            self.origins
                .entry(ctx.name.clone())
                .or_insert_with(|| path.to_owned());
        }
        let merged = std::mem::take(&mut self.merged);
        match merged.clone().merge(config) {
            Ok(m) => self.merged = m,
            Err(e) => {
                self.merged = merged;
                self.problems.push(KubeconfigProblem {
                    file: path.to_owned(),
                    message: format!("cannot be merged with the files before it: {e}"),
                });
            }
        }
    }

    /// Every context, in kubeconfig order.
    pub fn contexts(&self) -> Vec<ContextEntry> {
        let current = self.merged.current_context.as_deref();
        self.merged
            .contexts
            .iter()
            .map(|named| {
                let ctx = named.context.as_ref();
                let cluster = ctx.map(|c| c.cluster.clone()).unwrap_or_default();
                let server = self
                    .merged
                    .clusters
                    .iter()
                    .find(|c| c.name == cluster)
                    .and_then(|c| c.cluster.as_ref())
                    .and_then(|c| c.server.clone());
                ContextEntry {
                    name: named.name.clone(),
                    server,
                    user: ctx.and_then(|c| c.user.clone()),
                    namespace: ctx.and_then(|c| c.namespace.clone()),
                    source_file: self.origins.get(&named.name).cloned().unwrap_or_default(),
                    current: current == Some(named.name.as_str()),
                    cluster,
                }
            })
            .collect()
    }

    /// One context by name.
    pub fn context(&self, name: &str) -> Result<ContextEntry, ClusterError> {
        self.contexts()
            .into_iter()
            .find(|c| c.name == name)
            .ok_or_else(|| ClusterError::ContextNotFound {
                name: name.to_owned(),
                files: self.files_for_message(),
            })
    }

    /// A kube-rs client configuration for one context.
    pub async fn client_config(&self, name: &str) -> Result<kube::Config, ClusterError> {
        let entry = self.context(name)?;
        let options = KubeConfigOptions {
            context: Some(name.to_owned()),
            ..KubeConfigOptions::default()
        };
        kube::Config::from_custom_kubeconfig(self.merged.clone(), &options)
            .await
            .map_err(|e| {
                let text = e.to_string();
                match crate::failure::classify_text(&text, &self.endpoint(&entry)) {
                    Some((kind, message)) => ClusterError::Unreachable {
                        context: name.to_owned(),
                        kind,
                        message,
                    },
                    None => ClusterError::Config {
                        context: name.to_owned(),
                        message: text,
                    },
                }
            })
    }

    /// Where a context's requests go, for the sentences that describe their failures.
    pub(crate) fn endpoint(&self, entry: &ContextEntry) -> crate::failure::Endpoint {
        let exec_command = entry.user.as_ref().and_then(|user| {
            self.merged
                .auth_infos
                .iter()
                .find(|a| &a.name == user)
                .and_then(|a| a.auth_info.as_ref())
                .and_then(|a| a.exec.as_ref())
                .and_then(|e| e.command.clone())
        });
        crate::failure::Endpoint {
            server: entry.server.clone().unwrap_or_default(),
            exec_command,
        }
    }

    fn files_for_message(&self) -> String {
        if self.files.is_empty() {
            "no kubeconfig files".to_owned()
        } else {
            self.files
                .iter()
                .map(|f| f.display().to_string())
                .collect::<Vec<_>>()
                .join(", ")
        }
    }
}

fn read_file(path: &Path) -> Result<Kubeconfig, String> {
    let text = std::fs::read_to_string(path).map_err(|e| format!("cannot be read: {e}"))?;
    if text.trim().is_empty() {
        return Ok(Kubeconfig::default());
    }
    // Parse once as plain YAML first: its errors carry line and column, which kube's do not
    // always say in a user's words.
    if let Err(e) = serde_yaml::from_str::<serde_yaml::Value>(&text) {
        return Err(format!("is not valid YAML: {e}"));
    }
    Kubeconfig::read_from(path).map_err(|e| {
        let detail = std::error::Error::source(&e)
            .map(|s| s.to_string())
            .unwrap_or_else(|| e.to_string());
        format!("is not a valid kubeconfig: {detail}")
    })
}
