//! MariaDB from Debian's `mariadb-server` package (the server the `mysql` and `mariadb`
//! definitions are both checked against).

use crate::process::{self, ServerProcess};
use crate::{Credentials, Error, seed};
use kubesim::config::Backend;
use std::collections::BTreeMap;
use std::process::Command;

/// A running MariaDB server on 127.0.0.1; `root@'%'` logs in with the password.
#[derive(Debug)]
pub struct Mariadb {
    server: ServerProcess,
    port: u16,
    credentials: Credentials,
}

impl Mariadb {
    /// Starts a server whose `root` password is [`crate::DEFAULT_PASSWORD`].
    pub fn start() -> Result<Self, Error> {
        Self::start_with(crate::DEFAULT_PASSWORD)
    }

    /// Starts a server whose `root` password is `root_password`.
    pub fn start_with(root_password: &str) -> Result<Self, Error> {
        Self::start_with_config(root_password, "")
    }

    /// Like [`Mariadb::start_with`], reading `config` (option files a definition renders,
    /// concatenated) as the server's only option file; the harness's data dir, socket,
    /// port and bind address are given on the command line, so they win.
    pub fn start_with_config(root_password: &str, config: &str) -> Result<Self, Error> {
        let root = process::is_root();
        let template = process::template("mariadb", |data| {
            let mut c = Command::new("mariadb-install-db");
            c.arg("--no-defaults")
                .arg(format!("--datadir={}", data.display()));
            c.args(["--auth-root-authentication-method=normal", "--skip-test-db"]);
            if root {
                c.arg("--user=root");
            }
            process::client(c, None).map(|_| ())
        })?;
        let dir = process::server_dir("mariadb")?;
        let data = dir.path().join("data");
        process::copy_template(&template, &data)?;
        let socket = dir.path().join("mysqld.sock");
        let port = process::free_port()?;
        let options = dir.path().join("server.cnf");
        std::fs::write(&options, config).map_err(|e| Error::io("writing server.cnf", e))?;
        let mut c = Command::new("mariadbd");
        c.arg(format!("--defaults-file={}", options.display()))
            .arg(format!("--datadir={}", data.display()));
        c.arg(format!("--socket={}", socket.display()));
        c.arg(format!(
            "--pid-file={}",
            dir.path().join("mariadbd.pid").display()
        ));
        c.args([
            &format!("--port={port}"),
            "--bind-address=127.0.0.1",
            "--skip-name-resolve",
        ]);
        c.args([
            "--innodb-buffer-pool-size=128M",
            "--innodb-flush-log-at-trx-commit=0",
            "--innodb-doublewrite=0",
        ]);
        c.args([
            "--character-set-server=utf8mb4",
            "--collation-server=utf8mb4_unicode_ci",
        ]);
        if root {
            c.arg("--user=root");
        }
        let mut server = ServerProcess::spawn("mariadb", dir, c, "-TERM")?;
        let sock = socket.clone();
        server.wait_ready(|| {
            let mut c = Command::new("mariadb");
            c.arg("--no-defaults")
                .arg(format!("--socket={}", sock.display()))
                .args(["-uroot", "-e", "SELECT 1"]);
            process::client(c, None).map(|_| ())
        })?;
        let pw = root_password.replace('\\', "\\\\").replace('\'', "\\'");
        let mut c = Command::new("mariadb");
        c.arg("--no-defaults")
            .arg(format!("--socket={}", socket.display()));
        c.args(["--default-character-set=utf8mb4", "-uroot", "-e"]);
        c.arg(format!(
            "DELETE FROM mysql.global_priv WHERE User = 'root' AND Host NOT IN ('localhost', '%'); FLUSH PRIVILEGES; CREATE USER 'root'@'%' IDENTIFIED BY '{pw}'; GRANT ALL ON *.* TO 'root'@'%' WITH GRANT OPTION; ALTER USER 'root'@'localhost' IDENTIFIED BY '{pw}';"
        ));
        process::client(c, None)?;
        Ok(Self {
            server,
            port,
            credentials: Credentials::new("root", root_password),
        })
    }

    /// The TCP port on 127.0.0.1.
    pub fn port(&self) -> u16 {
        self.port
    }

    /// `root` and its password.
    pub fn credentials(&self) -> &Credentials {
        &self.credentials
    }

    /// PID of mariadbd.
    pub fn pid(&self) -> u32 {
        self.server.pid()
    }

    /// Runs `sql` with `mariadb -N -B` as root over TCP; returns stdout.
    pub fn sql(&self, sql: &str) -> Result<String, Error> {
        let mut c = Command::new("mariadb");
        c.envs(self.client_env());
        c.args([
            "--no-defaults",
            "-h",
            "127.0.0.1",
            "-uroot",
            "-N",
            "-B",
            "--default-character-set=utf8mb4",
        ]);
        let out = process::client(c, Some(sql.as_bytes()))?;
        Ok(String::from_utf8_lossy(&out).into_owned())
    }

    fn client_env(&self) -> BTreeMap<String, String> {
        BTreeMap::from([
            ("MYSQL_TCP_PORT".to_string(), self.port.to_string()),
            ("MYSQL_PWD".to_string(), self.credentials.password.clone()),
        ])
    }

    /// The environment of commands exec'd in a bound pod: `MYSQL_TCP_PORT` (read by the
    /// `mariadb`/`mysql` clients and dump tools) and the root password as both the
    /// `mariadb` and `mysql` images' containers get it (`MARIADB_ROOT_PASSWORD`,
    /// `MYSQL_ROOT_PASSWORD`).
    pub fn env(&self) -> BTreeMap<String, String> {
        let mut env = self.client_env();
        env.remove("MYSQL_PWD");
        env.insert(
            "MARIADB_ROOT_PASSWORD".into(),
            self.credentials.password.clone(),
        );
        env.insert(
            "MYSQL_ROOT_PASSWORD".into(),
            self.credentials.password.clone(),
        );
        env
    }

    /// Binds the pods `selector` selects in `namespace` to this server. The definition's
    /// probes run the image's `healthcheck.sh`, which Debian's package does not ship, so the
    /// pods keep kubesim's time-based readiness.
    pub fn backend(&self, namespace: &str, selector: &str) -> Backend {
        Backend {
            namespace: Some(namespace.into()),
            selector: selector.into(),
            env: self.env(),
            ports: BTreeMap::from([("3306".into(), format!("127.0.0.1:{}", self.port))]),
            pid: Some(self.pid()),
            skip_probes: true,
        }
    }

    /// Like [`Mariadb::backend`], but commands in the pods authenticate as their containers
    /// do: with the root password the container takes from the instance's Secret (kubesim
    /// resolves `secretKeyRef`), not the server's own. For a test of what changes the Secret
    /// (a rotation): make the server's root password the Secret's first
    /// ([`Mariadb::set_root_password`]).
    pub fn backend_with_pod_credentials(&self, namespace: &str, selector: &str) -> Backend {
        let mut backend = self.backend(namespace, selector);
        backend.env.remove("MARIADB_ROOT_PASSWORD");
        backend.env.remove("MYSQL_ROOT_PASSWORD");
        backend
    }

    /// Makes `password` the password of every `root` account and this handle's.
    pub fn set_root_password(&mut self, password: &str) -> Result<(), Error> {
        let pw = password.replace('\\', "\\\\").replace('\'', "\\'");
        self.sql(&format!(
            "ALTER USER 'root'@'%' IDENTIFIED BY '{pw}'; ALTER USER 'root'@'localhost' IDENTIFIED BY '{pw}';"
        ))?;
        self.credentials.password = password.into();
        Ok(())
    }

    /// Seeds about `rows` rows: databases `shop` (tables `items` with `VARBINARY`
    /// payloads, `notes` with non-ASCII text) and `archive` (table `events` with JSON),
    /// in bulk from the Sequence engine.
    pub fn seed(&self, rows: usize) -> Result<(), Error> {
        let parts = seed::split(rows, 3);
        let texts: Vec<String> = seed::TEXTS.iter().map(|t| format!("'{t}'")).collect();
        let texts = texts.join(",");
        let a = parts[0].max(1);
        self.sql(&format!(
            "CREATE DATABASE shop CHARACTER SET utf8mb4;
CREATE DATABASE archive CHARACTER SET utf8mb4;
USE shop;
CREATE TABLE shop.items (id INT PRIMARY KEY, name VARCHAR(100) NOT NULL, price DECIMAL(10,2), payload VARBINARY(64)) ENGINE=InnoDB;
INSERT INTO shop.items SELECT seq, CONCAT(ELT(seq % 4 + 1, {texts}), ' #', seq), seq * 0.25,
  CONCAT(X'00FF0D0A', UNHEX(MD5(seq))) FROM seq_0_to_{a_max};
CREATE TABLE shop.notes (id BIGINT AUTO_INCREMENT PRIMARY KEY, item INT, body TEXT, KEY (item)) ENGINE=InnoDB;
INSERT INTO shop.notes (item, body) SELECT seq % {a}, CONCAT(REPEAT('ß€', seq % 7), ' ', seq) FROM seq_1_to_{b};
USE archive;
CREATE TABLE archive.events (id BIGINT PRIMARY KEY, at DATETIME NOT NULL, data JSON) ENGINE=InnoDB;
INSERT INTO archive.events SELECT seq, TIMESTAMP('2026-01-01') + INTERVAL seq SECOND,
  JSON_OBJECT('n', seq, 'tag', ELT(seq % 4 + 1, {texts})) FROM seq_1_to_{c};
",
            a_max = a - 1,
            b = parts[1].max(1),
            c = parts[2].max(1),
        ))?;
        Ok(())
    }

    /// sha256 over every row of every user table (`SELECT *` ordered by the first
    /// column, in `mariadb -B` form), computed with the `mariadb` client.
    pub fn digest(&self) -> Result<String, Error> {
        let tables = self.sql(
            "SELECT CONCAT('`', table_schema, '`.`', table_name, '`') FROM information_schema.tables WHERE table_type = 'BASE TABLE' AND table_schema NOT IN ('mysql', 'sys', 'information_schema', 'performance_schema') ORDER BY 1",
        )?;
        let mut all = String::new();
        for t in tables.lines() {
            all.push_str(t);
            all.push('\n');
            all.push_str(&self.sql(&format!("SELECT * FROM {t} ORDER BY 1"))?);
        }
        Ok(seed::sha256_hex(all.as_bytes()))
    }
}
