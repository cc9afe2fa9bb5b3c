//! The known data set every engine is seeded with: non-ASCII text and binary values
//! derived from the row or key number, so two seeds of the same size are identical.

use sha2::{Digest, Sha256};

/// Non-ASCII texts (Latin with diacritics, CJK, Greek, emoji), cycled through.
pub(crate) const TEXTS: [&str; 4] = [
    "Grüße aus Köln",
    "日本語のテキスト",
    "Ελληνικά — ñandú",
    "🚢 berth ⚓",
];

/// The text of row or key `i`.
pub(crate) fn text(i: usize) -> String {
    format!("{} #{i}", TEXTS[i % TEXTS.len()])
}

/// The binary value of row or key `i`: NUL, 0xFF, CR and LF included.
pub(crate) fn binary(i: usize) -> Vec<u8> {
    let mut v: Vec<u8> = vec![0, 0xff, b'\r', b'\n'];
    v.extend((0..(8 + i % 24)).map(|j| ((i * 31 + j * 17) % 256) as u8));
    v
}

/// Lowercase hex sha256.
pub(crate) fn sha256_hex(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// Splits `size` rows or keys over `parts` tables or databases (the first ones get the rest).
pub(crate) fn split(size: usize, parts: usize) -> Vec<usize> {
    (0..parts)
        .map(|p| size / parts + usize::from(p < size % parts))
        .collect()
}
