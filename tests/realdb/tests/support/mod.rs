//! What the realdb suites share: the checkout's catalog definitions.

use berth_catalog::spec::Operations;
use berth_catalog::{Definition, Origin};
use std::path::PathBuf;

/// The built-in definition of `service`, from the checkout's `catalog/`.
pub(crate) fn definition(service: &str) -> Definition {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../catalog")
        .join(service);
    Definition::load(&dir, Origin::BuiltIn).unwrap()
}

/// The data operations `service`'s definition declares.
#[allow(
    dead_code,
    reason = "the engines suite renders definitions and runs no operations"
)]
pub(crate) fn operations(service: &str) -> Operations {
    definition(service).spec.operations
}
