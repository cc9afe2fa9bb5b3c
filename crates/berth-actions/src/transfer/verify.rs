//! Verify: the definition's `verify` on both sides; the digests must match.

use super::remote::{self, Place};
use crate::{ActionError, Config};

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
    if s != t {
        return Err(ActionError::Failed(format!(
            "verify: the data differs: the source's digest is {s:?}, the target's {t:?}"
        )));
    }
    Ok((s, t))
}
