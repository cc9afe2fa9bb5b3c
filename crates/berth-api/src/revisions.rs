//! What a history entry did and where it stands, as closed sets the clients branch on.
//!
//! The store keeps these as text; the API hands them out as enums so the desktop app's
//! TypeScript sees a union of literals and the CLI's JSON keeps the store's spelling
//! (`install`, `move-in`, `succeeded`...).

use serde::Serialize;
use ts_rs::TS;

/// What a revision did to its instance.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, TS)]
#[serde(rename_all = "kebab-case")]
pub enum RevisionOperation {
    /// First installation.
    Install,
    /// A new definition version.
    Upgrade,
    /// New parameters, same version.
    Reconfigure,
    /// Scaled to zero, data kept.
    Stop,
    /// Restored from a stop.
    Start,
    /// A rolling restart.
    Restart,
    /// Back to an earlier revision's parameters and version.
    Rollback,
    /// Arrived from another cluster with its data.
    MoveIn,
    /// Left for another cluster with its data.
    MoveOut,
    /// Removed.
    Uninstall,
    /// An interrupted or failed operation resumed or rolled back.
    Recover,
    /// Taken into this machine's history, installed from another one.
    Adopt,
}

impl From<berth_store::Operation> for RevisionOperation {
    fn from(op: berth_store::Operation) -> Self {
        use berth_store::Operation as O;
        match op {
            O::Install => Self::Install,
            O::Upgrade => Self::Upgrade,
            O::Reconfigure => Self::Reconfigure,
            O::Stop => Self::Stop,
            O::Start => Self::Start,
            O::Restart => Self::Restart,
            O::Rollback => Self::Rollback,
            O::MoveIn => Self::MoveIn,
            O::MoveOut => Self::MoveOut,
            O::Uninstall => Self::Uninstall,
            O::Recover => Self::Recover,
            O::Adopt => Self::Adopt,
        }
    }
}

impl RevisionOperation {
    /// The word shown and serialised (`install`, `move-in`...), the store's spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Install => "install",
            Self::Upgrade => "upgrade",
            Self::Reconfigure => "reconfigure",
            Self::Stop => "stop",
            Self::Start => "start",
            Self::Restart => "restart",
            Self::Rollback => "rollback",
            Self::MoveIn => "move-in",
            Self::MoveOut => "move-out",
            Self::Uninstall => "uninstall",
            Self::Recover => "recover",
            Self::Adopt => "adopt",
        }
    }
}

impl std::fmt::Display for RevisionOperation {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Where a revision stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub enum RevisionStatus {
    /// Running, or its process ended before it was found interrupted.
    Pending,
    /// Completed; the instance is as this revision describes.
    Succeeded,
    /// Did not complete; see the error (and `interrupted`).
    Failed,
    /// Succeeded once, then a later revision succeeded.
    Superseded,
}

impl From<berth_store::RevisionStatus> for RevisionStatus {
    fn from(status: berth_store::RevisionStatus) -> Self {
        use berth_store::RevisionStatus as S;
        match status {
            S::Pending => Self::Pending,
            S::Succeeded => Self::Succeeded,
            S::Failed => Self::Failed,
            S::Superseded => Self::Superseded,
        }
    }
}

impl RevisionStatus {
    /// The word shown and serialised (`pending`, `succeeded`...), the store's spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Pending => "pending",
            Self::Succeeded => "succeeded",
            Self::Failed => "failed",
            Self::Superseded => "superseded",
        }
    }
}

impl std::fmt::Display for RevisionStatus {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The API spells every value as the store does, in its JSON and its text, so the CLI's
    /// output is the same word whichever it prints.
    #[test]
    fn spelled_as_the_store_spells_them() {
        for &op in berth_store::Operation::ALL {
            let ours = RevisionOperation::from(op);
            assert_eq!(ours.as_str(), op.as_str());
            assert_eq!(serde_json::to_value(ours).unwrap(), op.as_str());
        }
        for &status in berth_store::RevisionStatus::ALL {
            let ours = RevisionStatus::from(status);
            assert_eq!(ours.as_str(), status.as_str());
            assert_eq!(serde_json::to_value(ours).unwrap(), status.as_str());
        }
    }
}
