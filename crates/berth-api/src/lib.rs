//! Berth api (being written).
