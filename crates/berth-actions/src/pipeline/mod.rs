//! The rollout pipeline every mutating action runs on, in three phases a caller may also run
//! one by one (a transfer provisions a target with the source's credentials this way):
//!
//! * [`plan`]: validate, resolve the credentials, render. It reads the keyring (through
//!   [`plan::resolve`]) but never the cluster, and writes nothing. A caller that already holds
//!   the credentials (the source's, when a transfer provisions a target) passes them as
//!   [`plan::Credentials::Supplied`]: they are used as they are, nothing is read or generated.
//! * [`preflight`]: what the cluster says before anything changes (namespace, name, kept
//!   volumes) and the server-side dry-run of every object.
//! * [`commit`]: apply in dependency waves, prune, wait until ready.
//!
//! Two guards keep a failure from leaving half-done state behind ([`guards`]): a
//! [`RevisionGuard`] marks the `pending` revision failed unless the action finished (also when
//! its future is dropped), and a [`CredentialsGuard`] removes credentials written ahead of the
//! checks unless the action got as far as applying them.

pub(crate) mod commit;
pub(crate) mod guards;
pub(crate) mod plan;
pub(crate) mod preflight;

pub(crate) use guards::{CredentialsGuard, RevisionGuard};
pub(crate) use plan::{Credentials, Plan, Target};
