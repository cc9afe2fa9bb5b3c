//! Generated credentials: random, URL-safe, from the OS random number generator.

use std::collections::BTreeMap;

use berth_catalog::Definition;
use serde_json::Value;

use crate::ActionError;

const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

/// One random string of `length` alphanumerics (URL-safe and shell-safe), without modulo bias.
pub(crate) fn generate(length: usize) -> Result<String, ActionError> {
    let mut out = String::with_capacity(length);
    let mut buf = [0u8; 64];
    while out.len() < length {
        getrandom::fill(&mut buf).map_err(|e| ActionError::Random(e.to_string()))?;
        for b in buf {
            // 248 = 4 * 62: accept only bytes that map uniformly
            if b < 248 && out.len() < length {
                out.push(ALPHABET[(b % 62) as usize] as char);
            }
        }
    }
    Ok(out)
}

/// Fresh values for every credential the definition needs with these parameters.
pub(crate) fn generate_all(
    def: &Definition,
    values: &Value,
) -> Result<BTreeMap<String, String>, ActionError> {
    let mut out = BTreeMap::new();
    for key in def.required_credentials(values) {
        let length = def
            .spec
            .credentials
            .iter()
            .find(|c| key == c.key || (c.per_user && key.starts_with(&format!("{}-", c.key))))
            .map(|c| c.length)
            .unwrap_or(32)
            .max(16);
        out.insert(key, generate(length)?);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    #[test]
    fn generated_credentials_are_long_alphanumeric_and_distinct() {
        let a = super::generate(32).unwrap();
        let b = super::generate(32).unwrap();
        assert_eq!(a.len(), 32);
        assert!(a.chars().all(|c| c.is_ascii_alphanumeric()), "{a}");
        assert_ne!(a, b);
    }
}
