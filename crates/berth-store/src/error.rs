use std::path::PathBuf;

/// Everything that can go wrong in the local store.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The database folder could not be created.
    #[error("cannot create the Berth data folder {path}: {source}")]
    CreateDir {
        /// The folder Berth tried to create.
        path: PathBuf,
        /// The underlying IO error.
        #[source]
        source: std::io::Error,
    },
    /// The database file could not be opened or configured.
    #[error("cannot open the Berth database {path}: {source}")]
    Open {
        /// The database file.
        path: PathBuf,
        /// The SQLite error.
        #[source]
        source: rusqlite::Error,
    },
    /// The lock that serialises opening and migrating the database could not be taken.
    #[error("cannot lock {path} to open the Berth database: {source}")]
    OpenLock {
        /// The lock file.
        path: PathBuf,
        /// The IO error, or a timeout while another process held it.
        #[source]
        source: std::io::Error,
    },
    /// The database was written by a newer Berth that knows more migrations than this one.
    #[error(
        "the Berth database {path} has schema version {found}, but this Berth only knows up to {supported}: \
         it was written by a newer Berth. Upgrade Berth, or point --home/BERTH_HOME at another folder"
    )]
    TooNew {
        /// The database file.
        path: PathBuf,
        /// The schema version found in the file.
        found: usize,
        /// The newest schema version this binary knows.
        supported: usize,
    },
    /// Applying the embedded migrations failed; the database is left as it was.
    #[error("cannot upgrade the Berth database {path}: {source}")]
    Migrate {
        /// The database file.
        path: PathBuf,
        /// The migration error.
        #[source]
        source: rusqlite_migration::Error,
    },
    /// A query failed.
    #[error("database query failed: {0}")]
    Query(#[from] rusqlite::Error),
    /// A stored value could not be read back (a corrupt or hand-edited row).
    #[error("corrupt value in the Berth database: {0}")]
    Corrupt(String),
    /// A row that had to exist does not.
    #[error("{0} not found")]
    NotFound(String),
}

/// The store's result type.
pub type Result<T, E = StoreError> = std::result::Result<T, E>;
