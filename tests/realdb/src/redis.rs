//! Redis from Debian's `redis-server` package (the server the `redis` and `valkey`
//! definitions are both checked against).

use crate::process::{self, ServerProcess};
use crate::{Error, seed};
use kubesim::config::Backend;
use std::collections::BTreeMap;
use std::process::Command;

/// A running Redis server on 127.0.0.1 with `requirepass`, persistence off and `DEBUG`
/// allowed from loopback (as the catalog's configuration does).
#[derive(Debug)]
pub struct Redis {
    server: ServerProcess,
    port: u16,
    password: String,
}

fn client_env(password: &str) -> BTreeMap<String, String> {
    BTreeMap::from([("REDISCLI_AUTH".to_string(), password.to_string())])
}

/// One command in the Redis protocol (binary safe).
fn resp(out: &mut Vec<u8>, args: &[&[u8]]) {
    out.extend_from_slice(format!("*{}\r\n", args.len()).as_bytes());
    for a in args {
        out.extend_from_slice(format!("${}\r\n", a.len()).as_bytes());
        out.extend_from_slice(a);
        out.extend_from_slice(b"\r\n");
    }
}

impl Redis {
    /// Starts a server whose password is [`crate::DEFAULT_PASSWORD`].
    pub fn start() -> Result<Self, Error> {
        Self::start_with(crate::DEFAULT_PASSWORD)
    }

    /// Starts a server whose password is `password`.
    pub fn start_with(password: &str) -> Result<Self, Error> {
        Self::start_with_config(
            "save \"\"\nappendonly no\nenable-debug-command local\n",
            password,
        )
    }

    /// Starts a server from `config` (a `redis.conf`, e.g. the one a definition renders),
    /// with `requirepass` set to `password` and, appended last so they win, the harness's
    /// own `port`, `bind 127.0.0.1` and `dir` (a `dir` line in `config` names a path in the
    /// container and is left out: Redis changes into it while reading the file).
    pub fn start_with_config(config: &str, password: &str) -> Result<Self, Error> {
        let config: String = config
            .lines()
            .filter(|l| !l.trim_start().starts_with("dir "))
            .map(|l| format!("{l}\n"))
            .collect();
        let dir = process::server_dir("redis")?;
        let port = process::free_port()?;
        let bin = dir.path().join("bin");
        std::fs::create_dir(&bin).map_err(|e| Error::io("creating the wrapper dir", e))?;
        for name in ["redis-cli", "valkey-cli"] {
            use std::os::unix::fs::PermissionsExt;
            let path = bin.join(name);
            std::fs::write(
                &path,
                format!("#!/bin/sh\nexec /usr/bin/redis-cli -p {port} \"$@\"\n"),
            )
            .map_err(|e| Error::io("writing a client wrapper", e))?;
            std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755))
                .map_err(|e| Error::io("making a wrapper executable", e))?;
        }
        let conf = dir.path().join("redis.conf");
        std::fs::write(
            &conf,
            format!(
                "{config}\nrequirepass \"{password}\"\nport {port}\nbind 127.0.0.1\ndir {}\n",
                dir.path().display()
            ),
        )
        .map_err(|e| Error::io("writing redis.conf", e))?;
        let mut c = Command::new("redis-server");
        c.arg(&conf);
        let mut server = ServerProcess::spawn("redis", dir, c, "-TERM")?;
        let env = client_env(password);
        server.wait_ready(|| {
            let mut c = Command::new("redis-cli");
            c.envs(&env).args(["-p", &port.to_string(), "PING"]);
            let out = String::from_utf8_lossy(&process::client(c, None)?).into_owned();
            if out.trim() == "PONG" {
                Ok(())
            } else {
                Err(Error::Output {
                    what: "PING".into(),
                    detail: out,
                })
            }
        })?;
        Ok(Self {
            server,
            port,
            password: password.into(),
        })
    }

    /// The TCP port on 127.0.0.1.
    pub fn port(&self) -> u16 {
        self.port
    }

    /// The `requirepass` password.
    pub fn password(&self) -> &str {
        &self.password
    }

    /// PID of redis-server.
    pub fn pid(&self) -> u32 {
        self.server.pid()
    }

    /// Runs `redis-cli -n db ARGS...`; returns stdout (raw).
    pub fn cli(&self, db: u8, args: &[&str]) -> Result<Vec<u8>, Error> {
        let mut c = Command::new("redis-cli");
        c.envs(client_env(&self.password));
        c.args([
            "--no-auth-warning",
            "-p",
            &self.port.to_string(),
            "-n",
            &db.to_string(),
        ])
        .args(args);
        process::client(c, None)
    }

    /// The environment of commands exec'd in a bound pod: `REDISCLI_AUTH` (as the
    /// definitions' containers get it) and a `PATH` whose first directory holds
    /// `redis-cli` and `valkey-cli` wrappers that add `-p PORT`.
    pub fn env(&self) -> BTreeMap<String, String> {
        let mut env = client_env(&self.password);
        let path = std::env::var("PATH").unwrap_or_else(|_| "/usr/bin:/bin".into());
        env.insert(
            "PATH".into(),
            format!("{}:{path}", self.server.dir().join("bin").display()),
        );
        env
    }

    /// Binds the pods `selector` selects in `namespace` to this server.
    pub fn backend(&self, namespace: &str, selector: &str) -> Backend {
        Backend {
            namespace: Some(namespace.into()),
            selector: selector.into(),
            env: self.env(),
            ports: BTreeMap::from([("6379".into(), format!("127.0.0.1:{}", self.port))]),
            pid: Some(self.pid()),
            skip_probes: false,
        }
    }

    /// Like [`Redis::backend`], but commands in the pods authenticate as their containers do:
    /// with the `REDISCLI_AUTH` the container takes from the instance's Secret (kubesim
    /// resolves `secretKeyRef`), not the server's own password. For a test of what changes
    /// the Secret (a rotation): make the server's password the Secret's first
    /// ([`Redis::set_password`]).
    pub fn backend_with_pod_credentials(&self, namespace: &str, selector: &str) -> Backend {
        let mut backend = self.backend(namespace, selector);
        backend.env.remove("REDISCLI_AUTH");
        backend
    }

    /// Makes `password` the server's (`CONFIG SET requirepass`) and this handle's.
    pub fn set_password(&mut self, password: &str) -> Result<(), Error> {
        let out = self.cli(0, &["CONFIG", "SET", "requirepass", password])?;
        if String::from_utf8_lossy(&out).trim() != "OK" {
            return Err(Error::Output {
                what: "CONFIG SET requirepass".into(),
                detail: String::from_utf8_lossy(&out).into_owned(),
            });
        }
        self.password = password.into();
        Ok(())
    }

    /// Seeds about `keys` keys with `redis-cli --pipe`: in database 0 strings with
    /// non-ASCII text and binary values (NUL, CR, LF...), hashes and sets; in database 3
    /// lists and keys with a TTL far in the future.
    pub fn seed(&self, keys: usize) -> Result<(), Error> {
        let parts = seed::split(keys, 5);
        let mut cmds = Vec::new();
        resp(&mut cmds, &[b"SELECT", b"0"]);
        for i in 0..parts[0] {
            resp(
                &mut cmds,
                &[
                    b"SET",
                    format!("text:{i}").as_bytes(),
                    seed::text(i).as_bytes(),
                ],
            );
        }
        for i in 0..parts[1] {
            resp(
                &mut cmds,
                &[b"SET", format!("bin:{i}").as_bytes(), &seed::binary(i)],
            );
        }
        for i in 0..parts[2] {
            let k = format!("hash:{i}");
            resp(
                &mut cmds,
                &[
                    b"HSET",
                    k.as_bytes(),
                    b"name",
                    seed::text(i).as_bytes(),
                    b"blob",
                    &seed::binary(i),
                ],
            );
        }
        for i in 0..parts[3] {
            let k = format!("set:ü{i}");
            resp(
                &mut cmds,
                &[
                    b"SADD",
                    k.as_bytes(),
                    b"a",
                    seed::text(i).as_bytes(),
                    &seed::binary(i),
                ],
            );
        }
        resp(&mut cmds, &[b"SELECT", b"3"]);
        for i in 0..parts[4] {
            let k = format!("list:{i}");
            resp(
                &mut cmds,
                &[
                    b"RPUSH",
                    k.as_bytes(),
                    seed::text(i).as_bytes(),
                    &seed::binary(i),
                ],
            );
            if i % 10 == 0 {
                resp(&mut cmds, &[b"EXPIRE", k.as_bytes(), b"86400000"]);
            }
        }
        let mut c = Command::new("redis-cli");
        c.envs(client_env(&self.password));
        c.args(["--no-auth-warning", "-p", &self.port.to_string(), "--pipe"]);
        let out = String::from_utf8_lossy(&process::client(c, Some(&cmds))?).into_owned();
        if !out.contains("errors: 0") {
            return Err(Error::Output {
                what: "redis-cli --pipe".into(),
                detail: out,
            });
        }
        Ok(())
    }

    /// sha256 over the key count of each database (`INFO keyspace`, without expiry
    /// figures) and the server's content digest (`DEBUG DIGEST`, a hash of every key and
    /// value whatever their encoding).
    pub fn digest(&self) -> Result<String, Error> {
        let info = String::from_utf8_lossy(&self.cli(0, &["INFO", "keyspace"])?).into_owned();
        let mut all: String = info
            .lines()
            .filter(|l| l.starts_with("db"))
            .map(|l| l.split(",expires").next().unwrap_or(l).to_string() + "\n")
            .collect();
        all.push_str(&String::from_utf8_lossy(
            &self.cli(0, &["DEBUG", "DIGEST"])?,
        ));
        Ok(seed::sha256_hex(all.as_bytes()))
    }
}
