//! PostgreSQL from Debian's `postgresql` package.

use crate::process::{self, ServerProcess};
use crate::{Credentials, Error, seed};
use kubesim::config::Backend;
use std::collections::BTreeMap;
use std::path::PathBuf;
use std::process::Command;

/// A running PostgreSQL server on 127.0.0.1 (password authentication over TCP).
#[derive(Debug)]
pub struct Postgres {
    server: ServerProcess,
    port: u16,
    credentials: Credentials,
}

/// The directory of the newest installed PostgreSQL's server binaries.
fn bin_dir() -> Result<PathBuf, Error> {
    let root = std::path::Path::new("/usr/lib/postgresql");
    let mut versions: Vec<u32> = std::fs::read_dir(root)
        .map_err(|e| {
            Error::io(
                "listing /usr/lib/postgresql (is the postgresql package installed?)",
                e,
            )
        })?
        .filter_map(|e| e.ok()?.file_name().to_str()?.parse().ok())
        .collect();
    versions.sort_unstable();
    let v = versions.last().ok_or_else(|| Error::Output {
        what: "/usr/lib/postgresql".into(),
        detail: "no PostgreSQL version installed".into(),
    })?;
    Ok(root.join(v.to_string()).join("bin"))
}

impl Postgres {
    /// Starts a server whose superuser is `postgres` with [`crate::DEFAULT_PASSWORD`].
    pub fn start() -> Result<Self, Error> {
        Self::start_with(&Credentials::new("postgres", crate::DEFAULT_PASSWORD))
    }

    /// Starts a server whose superuser is `credentials.user` with that password.
    pub fn start_with(credentials: &Credentials) -> Result<Self, Error> {
        Self::start_with_args(credentials, &[])
    }

    /// Like [`Postgres::start_with`], passing `args` to `postgres` (a definition's
    /// container args, `-c name=value`...) before the harness's own port, listen address
    /// and socket settings.
    pub fn start_with_args(credentials: &Credentials, args: &[String]) -> Result<Self, Error> {
        let bin = bin_dir()?;
        let owner = if process::is_root() {
            Some(process::user_ids("postgres")?)
        } else {
            None
        };
        let user = credentials.user.clone();
        let key = format!(
            "postgres-{}-{}-{}",
            bin.parent()
                .and_then(|p| p.file_name())
                .and_then(|n| n.to_str())
                .unwrap_or("x"),
            user,
            owner.map_or(0, |o| o.0)
        );
        let template = process::template(&key, |data| {
            if let Some(o) = owner {
                process::chown_tree(data, o)?;
            }
            let mut c = process::as_user(owner, &bin.join("initdb").to_string_lossy());
            c.arg("-D").arg(data).args([
                "-U",
                &user,
                "--auth=trust",
                "-E",
                "UTF8",
                "--locale=C.UTF-8",
                "--no-sync",
            ]);
            process::client(c, None).map(|_| ())
        })?;
        let dir = process::server_dir("postgres")?;
        if let Some(o) = owner {
            process::chown_tree(dir.path(), o)?;
        }
        let data = dir.path().join("data");
        process::copy_template(&template, &data)?;
        // Like the official image: trust on the local socket, passwords over TCP.
        std::fs::write(
            data.join("pg_hba.conf"),
            "local all all trust\nhost all all 127.0.0.1/32 scram-sha-256\nhost all all ::1/128 scram-sha-256\n",
        )
        .map_err(|e| Error::io("writing pg_hba.conf", e))?;
        let port = process::free_port()?;
        let mut c = process::as_user(owner, &bin.join("postgres").to_string_lossy());
        c.arg("-D").arg(&data).args(args);
        c.args(["-p", &port.to_string(), "-c", "listen_addresses=127.0.0.1"]);
        c.arg("-c")
            .arg(format!("unix_socket_directories={}", dir.path().display()));
        c.args([
            "-c",
            "fsync=off",
            "-c",
            "synchronous_commit=off",
            "-c",
            "full_page_writes=off",
        ]);
        let mut server = ServerProcess::spawn("postgres", dir, c, "-INT")?;
        let socket_dir = server.dir().to_path_buf();
        let pg_user = credentials.user.clone();
        server.wait_ready(|| {
            let mut c = Command::new("psql");
            c.arg("-h").arg(&socket_dir).args([
                "-p",
                &port.to_string(),
                "-U",
                &pg_user,
                "-d",
                "postgres",
                "-Atc",
                "SELECT 1",
            ]);
            process::client(c, None).map(|_| ())
        })?;
        let pg = Self {
            server,
            port,
            credentials: credentials.clone(),
        };
        let escaped = credentials.password.replace('\'', "''");
        let mut c = Command::new("psql");
        c.arg("-h").arg(pg.server.dir()).args([
            "-p",
            &port.to_string(),
            "-U",
            &credentials.user,
            "-d",
            "postgres",
            "-qAtc",
        ]);
        c.arg(format!(
            "ALTER ROLE \"{}\" PASSWORD '{escaped}'",
            credentials.user
        ));
        process::client(c, None)?;
        Ok(pg)
    }

    /// The TCP port on 127.0.0.1.
    pub fn port(&self) -> u16 {
        self.port
    }

    /// The superuser's credentials.
    pub fn credentials(&self) -> &Credentials {
        &self.credentials
    }

    /// PID of the postmaster.
    pub fn pid(&self) -> u32 {
        self.server.pid()
    }

    /// Runs `sql` with `psql -At` in `database` over TCP with the password; returns stdout.
    pub fn sql(&self, database: &str, sql: &str) -> Result<String, Error> {
        let mut c = Command::new("psql");
        c.envs(self.client_env());
        c.args([
            "-h",
            "127.0.0.1",
            "-U",
            &self.credentials.user,
            "-d",
            database,
            "-v",
            "ON_ERROR_STOP=1",
            "-qAt",
            "-f",
            "-",
        ]);
        let out = process::client(c, Some(sql.as_bytes()))?;
        Ok(String::from_utf8_lossy(&out).into_owned())
    }

    fn client_env(&self) -> BTreeMap<String, String> {
        BTreeMap::from([
            ("PGPORT".to_string(), self.port.to_string()),
            ("PGPASSWORD".to_string(), self.credentials.password.clone()),
            ("PGCONNECT_TIMEOUT".to_string(), "10".to_string()),
        ])
    }

    /// The environment of commands exec'd in a bound pod: `PGPORT`, `PGHOST`,
    /// `PGPASSWORD`, and `POSTGRES_USER`/`POSTGRES_PASSWORD` as the official image's
    /// container gets them from the instance's Secret.
    pub fn env(&self) -> BTreeMap<String, String> {
        let mut env = self.client_env();
        env.insert("PGHOST".into(), "127.0.0.1".into());
        env.insert("POSTGRES_USER".into(), self.credentials.user.clone());
        env.insert(
            "POSTGRES_PASSWORD".into(),
            self.credentials.password.clone(),
        );
        env
    }

    /// Binds the pods `selector` selects in `namespace` to this server.
    pub fn backend(&self, namespace: &str, selector: &str) -> Backend {
        Backend {
            namespace: Some(namespace.into()),
            selector: selector.into(),
            env: self.env(),
            ports: BTreeMap::from([("5432".into(), format!("127.0.0.1:{}", self.port))]),
            pid: Some(self.pid()),
            skip_probes: false,
        }
    }

    /// Seeds about `rows` rows: databases `shop` (tables `items` with `bytea` payloads and
    /// `notes` with non-ASCII text) and `archive` (table `events` with `jsonb`), a role
    /// `app` owning `shop`, in bulk with `generate_series`.
    pub fn seed(&self, rows: usize) -> Result<(), Error> {
        let parts = seed::split(rows, 3);
        let texts: Vec<String> = seed::TEXTS.iter().map(|t| format!("'{t}'")).collect();
        let texts = texts.join(",");
        self.sql(
            "postgres",
            "CREATE ROLE app LOGIN PASSWORD 'app-Päss';\nCREATE DATABASE shop OWNER app;\nCREATE DATABASE archive;\n",
        )?;
        self.sql(
            "shop",
            &format!(
                "SET ROLE app;
CREATE TABLE items (id int PRIMARY KEY, name text NOT NULL, price numeric(10,2), payload bytea);
INSERT INTO items SELECT i, (ARRAY[{texts}])[i % 4 + 1] || ' #' || i, i * 0.25,
  '\\x00ff0d0a'::bytea || decode(md5(i::text), 'hex') FROM generate_series(0, {a}) i;
CREATE TABLE notes (id bigserial PRIMARY KEY, item int REFERENCES items(id), body text);
INSERT INTO notes (item, body) SELECT i % {a1}, repeat('ß€', i % 7) || ' ' || i FROM generate_series(1, {b}) i;
CREATE INDEX notes_item ON notes (item);
",
                a = parts[0].max(1) - 1,
                a1 = parts[0].max(1),
                b = parts[1]
            ),
        )?;
        self.sql(
            "archive",
            &format!(
                "CREATE TABLE events (id bigint PRIMARY KEY, at timestamp NOT NULL, data jsonb);
INSERT INTO events SELECT i, timestamp '2026-01-01' + i * interval '1 second',
  jsonb_build_object('n', i, 'tag', (ARRAY[{texts}])[i % 4 + 1]) FROM generate_series(1, {c}) i;
",
                c = parts[2]
            ),
        )?;
        Ok(())
    }

    /// sha256 over every user table of every database (name, row count, md5 of the rows
    /// sorted as text), computed with `psql`.
    pub fn digest(&self) -> Result<String, Error> {
        let dbs = self.sql(
            "postgres",
            "SELECT datname FROM pg_database WHERE NOT datistemplate ORDER BY 1",
        )?;
        let mut all = String::new();
        for db in dbs.lines() {
            let tables = self.sql(
                db,
                "SELECT format('%I.%I', schemaname, tablename) FROM pg_tables WHERE schemaname NOT IN ('pg_catalog', 'information_schema') ORDER BY 1",
            )?;
            for t in tables.lines() {
                let line = self.sql(
                    db,
                    &format!("SELECT count(*), md5(coalesce(string_agg(t::text, E'\\n' ORDER BY t::text), '')) FROM {t} t"),
                )?;
                all.push_str(&format!("{db} {t} {line}"));
            }
        }
        Ok(seed::sha256_hex(all.as_bytes()))
    }
}
