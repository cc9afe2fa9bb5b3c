//! A value that must never be shown, logged or serialised.

use std::fmt;
use zeroize::Zeroize;

/// A secret value. `Debug` prints `Sensitive(<redacted>)`; there is no `Display`, no `Serialize`
/// and no `Deref`: the only way to the value is [`Sensitive::expose`], which is easy to grep for.
/// The value is zeroed when dropped.
///
/// ```compile_fail
/// let secret = berth_secrets::Sensitive::new(String::from("hunter2"));
/// serde_json::to_string(&secret).unwrap(); // Sensitive does not implement Serialize
/// ```
#[derive(Clone, PartialEq, Eq)]
pub struct Sensitive<T: Zeroize>(T);

impl<T: Zeroize> Sensitive<T> {
    /// Wraps a secret.
    pub fn new(value: T) -> Self {
        Self(value)
    }

    /// The secret itself, for the one place that must hand it on (the keyring, a Kubernetes Secret).
    pub fn expose(&self) -> &T {
        &self.0
    }
}

impl<T: Zeroize> From<T> for Sensitive<T> {
    fn from(value: T) -> Self {
        Self(value)
    }
}

impl<T: Zeroize> fmt::Debug for Sensitive<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Sensitive(<redacted>)")
    }
}

impl<T: Zeroize> Drop for Sensitive<T> {
    fn drop(&mut self) {
        self.0.zeroize();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_never_shows_the_value() {
        let s = Sensitive::new(String::from("hunter2"));
        let shown = format!("{s:?} {s:#?} {:?}", Some(&s));
        assert!(!shown.contains("hunter2"), "{shown}");
        assert!(shown.contains("<redacted>"));
        assert_eq!(s.expose(), "hunter2");
    }
}
