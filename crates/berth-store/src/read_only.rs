//! Reading a home's database without writing to it: what shell completion asks for on every Tab.
//! A missing database gives nothing and is not created; the file is opened read-only and never
//! migrated (a database of an older or newer Berth is read as far as its schema allows).

use std::path::Path;

use rusqlite::{Connection, OpenFlags};

use crate::{DATABASE_FILE, Result, StoreError};

/// The instance names in the history of the home folder `home`, sorted, each once.
pub fn instance_names(home: &Path) -> Result<Vec<String>> {
    let path = home.join(DATABASE_FILE);
    if !path.is_file() {
        return Ok(Vec::new());
    }
    let conn =
        Connection::open_with_flags(&path, OpenFlags::SQLITE_OPEN_READ_ONLY).map_err(|source| {
            StoreError::Open {
                path: path.clone(),
                source,
            }
        })?;
    conn.busy_timeout(std::time::Duration::from_millis(500))?;
    let mut stmt = conn.prepare("SELECT DISTINCT instance FROM revisions ORDER BY instance")?;
    let names = stmt.query_map([], |row| row.get(0))?;
    Ok(names.collect::<rusqlite::Result<_>>()?)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{NewRevision, Operation, Store};

    #[test]
    fn lists_names_without_creating_or_changing_anything() {
        let home = tempfile::tempdir().unwrap();
        assert_eq!(instance_names(home.path()).unwrap(), Vec::<String>::new());
        assert!(
            !home.path().join(DATABASE_FILE).exists(),
            "no database created"
        );

        let store = Store::open_in(home.path()).unwrap();
        let parameters = serde_json::json!({});
        for (namespace, name) in [("a", "pg"), ("a", "cache"), ("b", "pg")] {
            let new = NewRevision {
                context: "kind-dev",
                namespace,
                instance: name,
                definition: "postgres",
                version: "17",
                operation: Operation::Install,
                parameters: &parameters,
                manifest_digest: None,
            };
            store.begin_revision(&new).unwrap();
        }
        drop(store);
        assert_eq!(instance_names(home.path()).unwrap(), ["cache", "pg"]);
    }
}
