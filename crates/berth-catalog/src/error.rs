//! The crate's error type.

use std::fmt;
use std::path::PathBuf;

/// One rejected parameter: which value, which rule it broke, and a sentence for humans.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParamError {
    /// Dotted path of the parameter (`resources.memory`, `auth.users.0.name`); empty for the whole document.
    pub path: String,
    /// The rule that failed: a JSON Schema keyword (`type`, `maximum`, `additionalProperties`, `pattern`...)
    /// or one of Berth's text rules (`no-template`, `single-line`, `plain-text`, `max-size`, `dns-1123`).
    pub rule: String,
    /// What went wrong, in words.
    pub message: String,
}

impl fmt::Display for ParamError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let path = if self.path.is_empty() {
            "(parameters)"
        } else {
            &self.path
        };
        write!(f, "{path}: {} [{}]", self.message, self.rule)
    }
}

/// Errors of the catalog: loading, validating and rendering service definitions.
#[derive(Debug, thiserror::Error)]
pub enum CatalogError {
    /// A file or folder of a definition could not be read.
    #[error("cannot read {path}: {source}")]
    Io {
        /// The file or folder.
        path: PathBuf,
        /// The underlying error.
        #[source]
        source: std::io::Error,
    },
    /// A definition file is broken (bad YAML or JSON, a schema error, a template syntax error...).
    #[error("{}: {message}", location(file, *line))]
    Definition {
        /// The file at fault.
        file: PathBuf,
        /// The 1-based line, when known.
        line: Option<usize>,
        /// What is wrong.
        message: String,
    },
    /// No definition with this id is in the catalog.
    #[error("no service definition with id `{0}`")]
    NotFound(String),
    /// The requested version is not one the definition offers.
    #[error("{id} has no version `{version}` (available: {available})")]
    UnknownVersion {
        /// Definition id.
        id: String,
        /// The version asked for.
        version: String,
        /// The versions on offer, comma separated.
        available: String,
    },
    /// The parameters were rejected; nothing was rendered.
    #[error("invalid parameters: {}", join(.0))]
    InvalidParameters(Vec<ParamError>),
    /// A `--set key=value` expression could not be applied.
    #[error("cannot apply `{expr}`: {message}")]
    InvalidSet {
        /// The expression as given.
        expr: String,
        /// Why it was rejected.
        message: String,
    },
    /// A credential the templates need was not supplied in the render request.
    #[error("credential `{0}` is missing from the render request")]
    MissingCredential(String),
    /// A rendered object failed the Kubernetes schema or type check (a bug in the definition).
    #[error("rendered {object} is not a valid Kubernetes object: {message}")]
    InvalidObject {
        /// `Kind/name` of the object.
        object: String,
        /// What failed, including the Kubernetes version for schema errors.
        message: String,
    },
}

fn location(file: &std::path::Path, line: Option<usize>) -> String {
    match line {
        Some(line) => format!("{}:{line}", file.display()),
        None => file.display().to_string(),
    }
}

fn join(errors: &[ParamError]) -> String {
    errors
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join("; ")
}
