//! Berth secrets (being written).
