//! Server processes (started, waited for, stopped on drop), free ports, cached data
//! directory templates and running client commands.

use crate::Error;
use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// The first port [`free_port`] hands out, and how many it cycles through: below Linux's
/// ephemeral range (32768 and up), so no outgoing connection (a client's, another test's) can
/// take a port between its choice here and the server's bind, as one did to a NATS route port.
const PORT_BASE: u32 = 20_000;
const PORT_SPAN: u32 = 12_000;

/// Ports handed out so far by this process.
static PORTS_GIVEN: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);

/// A free TCP port on 127.0.0.1 for a server to take: never the same twice in a process (each
/// process starts at its own offset) and bindable when chosen.
pub fn free_port() -> Result<u16, Error> {
    let offset = std::process::id() * 97 % PORT_SPAN;
    for _ in 0..PORT_SPAN {
        let n = PORTS_GIVEN.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let port = u16::try_from(PORT_BASE + (offset + n) % PORT_SPAN).expect("below 65536");
        if std::net::TcpListener::bind(("127.0.0.1", port)).is_ok() {
            return Ok(port);
        }
    }
    Err(Error::io(
        "finding a free loopback port",
        std::io::Error::new(
            std::io::ErrorKind::AddrInUse,
            "every port of the range is taken",
        ),
    ))
}

/// A running server: its process and its temporary directory, both gone on drop.
#[derive(Debug)]
pub(crate) struct ServerProcess {
    engine: &'static str,
    child: Child,
    dir: tempfile::TempDir,
    /// Signal asking the server for a clean, fast shutdown.
    stop_signal: &'static str,
}

impl ServerProcess {
    /// Starts `command` (stdout and stderr to `log` in `dir`).
    pub(crate) fn spawn(
        engine: &'static str,
        dir: tempfile::TempDir,
        mut command: Command,
        stop_signal: &'static str,
    ) -> Result<Self, Error> {
        let log = std::fs::File::create(dir.path().join("server.log"))
            .map_err(|e| Error::io("creating the server log", e))?;
        let log2 = log
            .try_clone()
            .map_err(|e| Error::io("cloning the log handle", e))?;
        command.stdin(Stdio::null()).stdout(log).stderr(log2);
        let child = command
            .spawn()
            .map_err(|e| Error::io(format!("starting {engine}"), e))?;
        Ok(Self {
            engine,
            child,
            dir,
            stop_signal,
        })
    }

    /// The server's temporary directory.
    pub(crate) fn dir(&self) -> &Path {
        self.dir.path()
    }

    /// PID of the server process.
    pub(crate) fn pid(&self) -> u32 {
        self.child.id()
    }

    /// Polls `ready` until it succeeds (up to 30 s); fails early when the server exits.
    pub(crate) fn wait_ready(
        &mut self,
        ready: impl FnMut() -> Result<(), Error>,
    ) -> Result<(), Error> {
        self.wait_ready_for(Duration::from_secs(30), ready)
    }

    /// Polls `ready` until it succeeds (up to `limit`); fails early when the server exits.
    pub(crate) fn wait_ready_for(
        &mut self,
        limit: Duration,
        mut ready: impl FnMut() -> Result<(), Error>,
    ) -> Result<(), Error> {
        let deadline = Instant::now() + limit;
        loop {
            let last = match ready() {
                Ok(()) => return Ok(()),
                Err(e) => e.to_string(),
            };
            let exited = self.child.try_wait().ok().flatten();
            if exited.is_some() || Instant::now() > deadline {
                let log =
                    std::fs::read_to_string(self.dir().join("server.log")).unwrap_or_default();
                let tail: String = log
                    .lines()
                    .rev()
                    .take(20)
                    .collect::<Vec<_>>()
                    .into_iter()
                    .rev()
                    .collect::<Vec<_>>()
                    .join("\n");
                return Err(Error::NotReady {
                    engine: self.engine,
                    detail: format!("{last}\nexit: {exited:?}\nserver log:\n{tail}"),
                });
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

impl Drop for ServerProcess {
    fn drop(&mut self) {
        if let Ok(None) = self.child.try_wait() {
            let _ = Command::new("kill")
                .args([self.stop_signal, &self.child.id().to_string()])
                .status();
            let deadline = Instant::now() + Duration::from_secs(10);
            while matches!(self.child.try_wait(), Ok(None)) && Instant::now() < deadline {
                std::thread::sleep(Duration::from_millis(20));
            }
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

/// What a command printed and how it ended.
#[derive(Debug, Clone)]
pub struct Output {
    /// Exit code (`None` when killed by a signal).
    pub code: Option<i32>,
    /// Everything written on stdout.
    pub stdout: Vec<u8>,
    /// Everything written on stderr, as text.
    pub stderr: String,
}

impl Output {
    /// stdout as text (lossy).
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.stdout).into_owned()
    }

    /// Whether the command exited 0.
    pub fn success(&self) -> bool {
        self.code == Some(0)
    }
}

/// Runs `argv` locally with `env` added (a backend's environment, as kubesim's exec does),
/// feeding `stdin` and closing it.
pub fn run(env: &BTreeMap<String, String>, argv: &[String], stdin: &[u8]) -> Result<Output, Error> {
    let (program, args) = argv.split_first().ok_or_else(|| Error::Output {
        what: "run".into(),
        detail: "empty command".into(),
    })?;
    let mut child = Command::new(program)
        .args(args)
        .envs(env)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| Error::io(format!("running {program}"), e))?;
    let mut input = child.stdin.take().expect("piped stdin");
    let data = stdin.to_vec();
    let writer = std::thread::spawn(move || {
        // A command that exits without reading all of stdin is not an error here: its exit
        // code says what happened.
        let _ = input.write_all(&data);
    });
    let out = child
        .wait_with_output()
        .map_err(|e| Error::io(format!("waiting for {program}"), e))?;
    let _ = writer.join();
    Ok(Output {
        code: out.status.code(),
        stdout: out.stdout,
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    })
}

/// Runs a client command and returns its stdout; a non-zero exit is an error.
pub(crate) fn client(mut command: Command, stdin: Option<&[u8]>) -> Result<Vec<u8>, Error> {
    let line = format!("{command:?}");
    command.stdout(Stdio::piped()).stderr(Stdio::piped());
    command.stdin(if stdin.is_some() {
        Stdio::piped()
    } else {
        Stdio::null()
    });
    let mut child = command
        .spawn()
        .map_err(|e| Error::io(format!("running {line}"), e))?;
    let writer = stdin.map(|data| {
        let mut input = child.stdin.take().expect("piped stdin");
        let data = data.to_vec();
        std::thread::spawn(move || {
            let _ = input.write_all(&data);
        })
    });
    let out = child
        .wait_with_output()
        .map_err(|e| Error::io(format!("waiting for {line}"), e))?;
    if let Some(w) = writer {
        let _ = w.join();
    }
    if !out.status.success() {
        return Err(Error::Command {
            command: line,
            status: out.status.to_string(),
            stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        });
    }
    Ok(out.stdout)
}

/// Whether this process runs as root (uid 0).
pub(crate) fn is_root() -> bool {
    use std::os::unix::fs::MetadataExt;
    std::fs::metadata("/proc/self")
        .map(|m| m.uid() == 0)
        .unwrap_or(false)
}

/// uid and gid of a system user (`id -u`, `id -g`).
pub(crate) fn user_ids(user: &str) -> Result<(u32, u32), Error> {
    let id = |flag: &str| -> Result<u32, Error> {
        let mut c = Command::new("id");
        c.args([flag, user]);
        let out = client(c, None)?;
        String::from_utf8_lossy(&out)
            .trim()
            .parse()
            .map_err(|_| Error::Output {
                what: format!("id {flag} {user}"),
                detail: "not a number".into(),
            })
    };
    Ok((id("-u")?, id("-g")?))
}

/// A command that runs `program` as `user` when this process is root (through `setpriv`,
/// which execs in place so the PID is the server's), as is otherwise.
pub(crate) fn as_user(user: Option<(u32, u32)>, program: &str) -> Command {
    match user {
        Some((uid, gid)) => {
            let mut c = Command::new("setpriv");
            c.args([
                &format!("--reuid={uid}"),
                &format!("--regid={gid}"),
                "--clear-groups",
                program,
            ]);
            c
        }
        None => Command::new(program),
    }
}

/// Changes the owner of `path` and everything under it.
pub(crate) fn chown_tree(path: &Path, (uid, gid): (u32, u32)) -> Result<(), Error> {
    let mut c = Command::new("chown");
    c.args(["-R", &format!("{uid}:{gid}")]).arg(path);
    client(c, None).map(|_| ())
}

/// A data directory template, made once per machine by `init` and reused: it lives under
/// the system temp dir, named by `key`, and is built in a scratch directory then renamed
/// into place so concurrent test binaries never see half of one.
pub(crate) fn template(
    key: &str,
    init: impl FnOnce(&Path) -> Result<(), Error>,
) -> Result<PathBuf, Error> {
    let root = std::env::temp_dir().join("realdb-templates");
    let path = root.join(key);
    if path.join("READY").exists() {
        return Ok(path);
    }
    std::fs::create_dir_all(&root).map_err(|e| Error::io("creating the template dir", e))?;
    let scratch = tempfile::Builder::new()
        .prefix(&format!("{key}.building"))
        .tempdir_in(&root)
        .map_err(|e| Error::io("creating a scratch dir", e))?;
    let data = scratch.path().join("t");
    std::fs::create_dir(&data).map_err(|e| Error::io("creating the template", e))?;
    init(&data)?;
    std::fs::write(data.join("READY"), b"").map_err(|e| Error::io("marking the template", e))?;
    if std::fs::rename(&data, &path).is_err() && !path.join("READY").exists() {
        return Err(Error::Output {
            what: "template".into(),
            detail: format!("could not place {}", path.display()),
        });
    }
    Ok(path)
}

/// Copies a template into `dest` (`cp -a`: owners and modes kept).
pub(crate) fn copy_template(template: &Path, dest: &Path) -> Result<(), Error> {
    let mut c = Command::new("cp");
    c.arg("-a").arg(template).arg(dest);
    client(c, None)?;
    let _ = std::fs::remove_file(dest.join("READY"));
    Ok(())
}

/// A new temporary directory for one server.
pub(crate) fn server_dir(engine: &str) -> Result<tempfile::TempDir, Error> {
    tempfile::Builder::new()
        .prefix(&format!("realdb-{engine}-"))
        .tempdir()
        .map_err(|e| Error::io("creating the server dir", e))
}
