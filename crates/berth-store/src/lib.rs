//! Berth store (being written).
