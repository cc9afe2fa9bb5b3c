//! Verify: the definition's `verify` on both sides; the digests must match.
//!
//! A definition's verify prints either one digest line, or one line per part of the data
//! (e.g. `table rows md5` per table): then the digest is the sha256 of those lines, and a
//! mismatch names the lines that differ.

use std::collections::HashSet;

use sha2::{Digest, Sha256};

use super::remote::{self, Place};
use crate::{ActionError, Config};

/// How many differing lines a mismatch names.
const SHOWN: usize = 6;

/// Both digests, or an error saying what differs.
pub(crate) async fn both(
    source: (&Config, &Place),
    target: (&Config, &Place),
    command: &[String],
) -> Result<(String, String), ActionError> {
    let (s, t) = tokio::join!(
        remote::run(source.0, source.1, command, "verify on the source"),
        remote::run(target.0, target.1, command, "verify on the target"),
    );
    let (s, t) = (s?, t?);
    let (ds, dt) = (digest(&s), digest(&t));
    if ds != dt {
        return Err(ActionError::Failed(format!(
            "verify: the data differs: the source's digest is {ds:?}, the target's {dt:?}{}",
            differences(&s, &t)
        )));
    }
    Ok((ds, dt))
}

/// The digest of a verify's output: the line itself, or the sha256 of several lines.
fn digest(output: &str) -> String {
    if output.lines().count() <= 1 {
        output.to_owned()
    } else {
        hex::encode(Sha256::digest(output.as_bytes()))
    }
}

/// The lines only one side printed, named by side (nothing for one-line digests).
fn differences(source: &str, target: &str) -> String {
    if source.lines().count() <= 1 && target.lines().count() <= 1 {
        return String::new();
    }
    // a definition may print a line per key: a set keeps this linear
    let only = |a: &str, b: &str| -> Vec<String> {
        let other: HashSet<&str> = b.lines().collect();
        a.lines()
            .filter(|l| !other.contains(l))
            .map(str::to_owned)
            .collect()
    };
    let mut out = String::new();
    for (side, lines) in [
        ("source", only(source, target)),
        ("target", only(target, source)),
    ] {
        for l in lines.iter().take(SHOWN) {
            out.push_str(&format!("\n  only on the {side}: {l}"));
        }
        if lines.len() > SHOWN {
            out.push_str(&format!(
                "\n  ... and {} more on the {side}",
                lines.len() - SHOWN
            ));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_line_is_its_own_digest() {
        assert_eq!(digest("abc"), "abc");
        assert_eq!(differences("abc", "abd"), "");
    }

    #[test]
    fn lines_are_hashed_and_their_differences_named() {
        let s = "database shop\nshop.public.items|3|aa\nshop.public.notes|1|bb";
        let t = "database shop\nshop.public.items|4|cc\nshop.public.notes|1|bb";
        assert_eq!(digest(s).len(), 64);
        assert_ne!(digest(s), digest(t));
        let d = differences(s, t);
        assert!(
            d.contains("only on the source: shop.public.items|3|aa"),
            "{d}"
        );
        assert!(
            d.contains("only on the target: shop.public.items|4|cc"),
            "{d}"
        );
        assert!(!d.contains("notes"), "{d}");
    }

    #[test]
    fn many_lines_are_compared_in_one_pass() {
        // 200,000 lines each: a pairwise comparison would take minutes
        let s: String = (0..200_000).map(|i| format!("key{i} {i}\n")).collect();
        let t = s.replace("key199999 199999", "key199999 tampered");
        let d = differences(&s, &t);
        assert!(d.contains("only on the source: key199999 199999"), "{d}");
        assert!(d.contains("only on the target: key199999 tampered"), "{d}");
        assert_eq!(d.lines().count(), 3, "{d}");
    }
}
