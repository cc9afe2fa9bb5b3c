//! The crate's error type.

/// What can go wrong starting, driving or seeding a real server.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A file or process operation failed.
    #[error("{context}: {source}")]
    Io {
        /// What was being done.
        context: String,
        /// The underlying error.
        #[source]
        source: std::io::Error,
    },
    /// A command exited unsuccessfully.
    #[error("{command} failed ({status}): {stderr}")]
    Command {
        /// The command line.
        command: String,
        /// Its exit status.
        status: String,
        /// What it wrote on stderr.
        stderr: String,
    },
    /// A server did not become ready in time.
    #[error("{engine} did not become ready: {detail}")]
    NotReady {
        /// The engine.
        engine: &'static str,
        /// The last error seen, or the server's log.
        detail: String,
    },
    /// A client printed something unexpected.
    #[error("unexpected output from {what}: {detail}")]
    Output {
        /// The command.
        what: String,
        /// What was wrong.
        detail: String,
    },
}

impl Error {
    pub(crate) fn io(context: impl Into<String>, source: std::io::Error) -> Self {
        Self::Io {
            context: context.into(),
            source,
        }
    }
}
