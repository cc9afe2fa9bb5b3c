//! Berth cluster (being written).
