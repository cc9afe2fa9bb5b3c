//! Real database servers for tests: PostgreSQL, MariaDB, Redis, etcd, Memcached, NATS and
//! RabbitMQ started from Debian's packages (`postgresql`, `mariadb-server`, `redis-server`,
//! `etcd-server`, `etcd-client`, `memcached`, `nats-server`, `rabbitmq-server`, installed by
//! `scripts/system-deps.sh test`), and a [`Prometheus`] (`prometheus`) holding known series.
//!
//! Each server listens on a free loopback port, keeps its files in its own temporary
//! directory and is stopped (and its directory removed) when dropped. Start one server per
//! test binary and share it (a `OnceLock`, or one test that does everything in order):
//! PostgreSQL and MariaDB start from a data directory initialised once per machine and
//! copied, so a start takes well under a second.
//!
//! The database servers (PostgreSQL, MariaDB, Redis, etcd) offer:
//! - the engine's own client: [`Postgres::sql`], [`Mariadb::sql`], [`Redis::cli`],
//!   [`Etcd::ctl`];
//! - `seed(size)`: a known data set of about `size` rows or keys over several databases
//!   (or key prefixes), with non-ASCII text and binary values, loaded in bulk, and
//!   `digest()`: a content digest computed with the engine's client, equal on two servers
//!   holding the same data whatever their physical layout;
//! - `backend(namespace, selector)`: a [`kubesim::config::Backend`] binding the pods of a
//!   catalog instance on kubesim to this server, so `exec` in those pods (the
//!   definition's `export`, `import`, `verify`... operations) runs against it.
//!
//! # How commands exec'd in a bound pod reach the server and authenticate
//! kubesim runs an exec'd command as a local process with the container's environment as the
//! kubelet builds it (Secret and ConfigMap references resolved), then the backend's `env`,
//! which wins. Each backend's `env` carries:
//! - the port, in the variable the engine's client reads (`PGPORT`, `MYSQL_TCP_PORT`,
//!   `ETCDCTL_ENDPOINTS`), or, for `redis-cli`/`valkey-cli` which read no port variable, a
//!   `PATH` whose first directory holds small wrappers adding `-p PORT` (a `valkey-cli`
//!   wrapper runs Debian's `redis-cli`);
//! - the credential variables the definitions' containers get from their Secret, set to
//!   the server's own credentials: `POSTGRES_USER`/`POSTGRES_PASSWORD`/`PGPASSWORD`,
//!   `MARIADB_ROOT_PASSWORD`/`MYSQL_ROOT_PASSWORD`, `REDISCLI_AUTH`. So a test may install an
//!   instance with a generated password and still reach a server started with its own.
//!
//! A test of what changes the Secret (a credential rotation) binds with
//! `backend_with_pod_credentials` instead: the pods then log in with what their Secret holds,
//! as on a real cluster, and the test makes the server's password the Secret's first
//! (`set_password`, `set_root_password`), as an image does at its first start.
//!
//! PostgreSQL refuses to run as root: when the tests run as root the server runs as the
//! `postgres` system user the Debian package creates (through `setpriv`).
//!
//! Memcached, NATS and RabbitMQ are started only to check catalog definitions against the
//! real engine (`tests/engines.rs`); [`http::get`] requests their HTTP probes and APIs.
//!
//! [`run`] runs a command (a definition's rendered operation, say) locally with a
//! backend's environment, for tests that need no cluster at all. [`free_port`] picks a
//! loopback port for a server a test starts after configuring kubesim with it.

mod error;
mod etcd;
pub mod http;
mod mariadb;
mod memcached;
mod nats;
mod postgres;
mod process;
mod prometheus;
mod rabbitmq;
mod redis;
mod seed;

pub use error::Error;
pub use etcd::{Etcd, pod_tools as etcd_pod_tools};
pub use mariadb::Mariadb;
pub use memcached::Memcached;
pub use nats::{Nats, NatsPlace};
pub use postgres::Postgres;
pub use process::{Output, free_port, run};
pub use prometheus::Prometheus;
pub use rabbitmq::Rabbitmq;
pub use redis::Redis;

/// A server's login: user name and password.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Credentials {
    /// User (role) name.
    pub user: String,
    /// Its password.
    pub password: String,
}

impl Credentials {
    /// `user` with `password`.
    pub fn new(user: &str, password: &str) -> Self {
        Self {
            user: user.into(),
            password: password.into(),
        }
    }
}

/// The fixed password servers started without explicit credentials use.
pub const DEFAULT_PASSWORD: &str = "realdb-Päss-1";
