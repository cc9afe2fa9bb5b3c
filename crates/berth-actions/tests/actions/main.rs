//! Each mutating action over one fixture (a kubesim cluster, or the real cluster named by
//! `BERTH_TEST_KUBECONFIG`; a test home with its own SQLite history; the real OS keyring under
//! a namespace of its own), including the failure paths of the rollout pipeline: credentials
//! removed when a check refuses, the revision failed when the apply fails midway, nothing
//! written on a dry run. Run under `scripts/with-keyring.sh`.
//!
//! The tests that inject faults need kubesim's fault injection and are skipped, saying so, on
//! a real cluster.

mod install;
mod reconfigure;
mod recover;
mod stop_start;
mod support;
mod uninstall;
