//! Berth catalog: the open, declarative definitions of the services Berth installs.
//!
//! A definition is a folder `catalog/<id>/` holding `service.yaml` (metadata: versions,
//! readiness, connection, capabilities, data operations — see [`spec::ServiceSpec`]),
//! `values.schema.json` (JSON Schema 2020-12 of the parameters), `templates/*.yaml.j2`
//! (minijinja templates of the Kubernetes objects), `README.md`, an SVG icon and `testdata/`.
//! `docs/catalog.md` explains how to write one.
//!
//! * [`Catalog::load_default`] / [`Catalog::load`] read definitions from the built-in folder and
//!   user folders (`BERTH_CATALOG_PATH`); a user definition with the same id overrides a built-in one.
//!   The built-in catalog is also compiled into the binary and unpacked into the cache folder when
//!   no folder is found beside the executable (an installed package; [`CATALOG_DIGEST`] names it).
//!   [`Catalog::load_lenient`] skips broken definitions and returns their errors (for the app).
//! * [`Definition`] exposes the metadata the UI and actions need through [`Definition::spec`]
//!   ([`spec::ServiceSpec`]), plus [`Definition::required_credentials`] (which secrets to generate),
//!   [`Definition::connection_uri`] (password only when given), [`Definition::readiness`],
//!   [`Definition::apply_set`] (`--set key=value`) and [`Definition::icon_path`].
//! * [`Definition::render`] validates parameters ([`values`]), renders ([`render`]) and checks every
//!   object against the strict Kubernetes schemas and k8s-openapi types ([`kube`]).
//! * [`lint()`] checks a whole catalog folder or one definition and reports findings with file and line.
//!
//! Libraries: `minijinja` (Jinja2 semantics, strict undefined, a custom formatter that quotes every
//! value — see [`render`]), `jsonschema` (2020-12 parameter schemas; the Kubernetes schemas are a
//! table `build.rs` generates, tested against it), `serde_norway`
//! (maintained serde_yaml fork), `k8s-openapi` (typed parse check). No IO beyond reading files.
//!
//! Performance (`cargo bench -p berth-catalog`): loading, rendering and validating the whole
//! catalog takes ~35 ms warm on the 2-core CI machine (goal < 50 ms); see `docs/catalog.md`.

#![deny(missing_docs)]

mod catalog;
mod definition;
mod embedded;
mod error;
pub mod kube;
mod kube_schema;
pub mod lint;
pub mod render;
pub mod spec;
pub mod values;

pub use catalog::{
    CATALOG_DIR_ENV, CATALOG_PATH_ENV, Catalog, CatalogSource, built_in_dir, definition_dirs,
    is_definition_dir,
};
pub use definition::{Definition, Origin};
pub use embedded::{CATALOG_DIGEST, unpack_into};
pub use error::{CatalogError, ParamError};
pub use lint::{Finding, LintReport, Severity, lint};
pub use render::{RenderRequest, Rendered};
