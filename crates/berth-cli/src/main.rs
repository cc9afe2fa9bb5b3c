//! The `berth` command (being written).
fn main() {}
