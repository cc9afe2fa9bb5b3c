//! Standby: a copy of an instance on another cluster kept **stopped** (workloads at zero, data
//! kept) and fenced, built from the transfer steps (provision, stream, verify, fence).
//!
//! * create: a transfer of kind `standby` (a copy, then the step `standby`: fence, stop, pair).
//! * sync: a transfer of kind `sync` (start the standby fenced, stream into it, verify, stop).
//! * promote: a transfer of kind `promote` (fence the active, a last sync, verify, then `switch`:
//!   the old active stopped and kept fenced as the new standby, the standby started and
//!   unfenced). `promote --force` (the active unreachable) starts the standby from its last
//!   sync and leaves a mark in the local store: the old active is fenced and stopped as soon as
//!   its cluster answers again ([`fence_returned`]), so there are never two writable primaries.
//!
//! The pairing lives in both records (annotations [`STANDBY_ANNOTATION`] on the active,
//! [`STANDBY_OF_ANNOTATION`] and [`DATA_AS_OF_ANNOTATION`] on the standby) and in the local
//! journal: the newest succeeded `standby` row of a pair, its `sync` children giving the data
//! age. Native replication is not used: every sync is a fresh consistent copy.

use std::time::Duration;

use berth_store::{NewTransfer, Store, TransferKind, TransferStatus, TransferUpdate};
use serde::Serialize;
use serde_json::{Value, json};
use time::OffsetDateTime;

use super::{
    Transfer, TransferEvent, TransferOptions, TransferOutcome, TransferPlan, TransferSink, fence,
    journal, resume,
};
use crate::{ActionError, Config, Start, Stop, Uninstall, record};

/// The active's record annotation naming its standby (`context/namespace/instance`).
pub const STANDBY_ANNOTATION: &str = "berth.dev/standby";
/// The standby's record annotation naming its active (`context/namespace/instance`).
pub const STANDBY_OF_ANNOTATION: &str = "berth.dev/standby-of";
/// The standby's record annotation: the time of the consistent point its data holds.
pub const DATA_AS_OF_ANNOTATION: &str = "berth.dev/data-as-of";

type Place3 = (String, String, String);

fn text(p: &Place3) -> String {
    format!("{}/{}/{}", p.0, p.1, p.2)
}

fn rfc3339(t: &OffsetDateTime) -> String {
    t.format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_default()
}

/// One active–standby pair as this machine's journal holds it.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Pairing {
    /// The journal row of the pairing (kind `standby`).
    pub id: i64,
    /// The definition.
    pub definition: String,
    /// `(context, namespace, instance)` of the active.
    pub active: Place3,
    /// `(context, namespace, instance)` of the standby.
    pub standby: Place3,
    /// The time of the consistent point the standby holds; `None` while its data is
    /// incomplete.
    #[serde(with = "time::serde::rfc3339::option")]
    pub data_as_of: Option<OffsetDateTime>,
    /// A sync after the last consistent point began streaming and did not finish: the
    /// standby's data is partly replaced, so it holds no consistent point until a sync
    /// succeeds.
    pub incomplete: bool,
    /// A forced promote whose old active (this pair's standby) is not fenced yet: its cluster
    /// did not answer since.
    pub unfenced_old_active: Option<i64>,
    /// The last sync's error, when it failed.
    pub last_error: Option<String>,
}

/// The pairs of this machine's journal, newest first.
pub fn pairings(store: &Store) -> Result<Vec<Pairing>, ActionError> {
    let rows = store.transfers(100_000)?;
    let mut out = Vec::new();
    for r in rows
        .iter()
        .filter(|r| r.kind == TransferKind::Standby && r.status == TransferStatus::Succeeded)
    {
        let promoted = rows.iter().any(|c| {
            c.parent_id == Some(r.id)
                && c.kind == TransferKind::Promote
                && c.status == TransferStatus::Succeeded
        });
        if promoted {
            continue;
        }
        let syncs: Vec<_> = rows
            .iter()
            .filter(|c| c.parent_id == Some(r.id) && c.kind == TransferKind::Sync)
            .collect();
        let data_as_of = syncs
            .iter()
            .filter(|c| c.status == TransferStatus::Succeeded)
            .filter_map(|c| c.data_as_of)
            .chain(r.data_as_of)
            .max();
        let last_good = syncs
            .iter()
            .filter(|c| c.status == TransferStatus::Succeeded)
            .map(|c| c.id)
            .chain([r.id])
            .max()
            .unwrap_or(r.id);
        // an import that began overwrote part of the standby's data, whatever came after
        let incomplete = syncs.iter().any(|c| {
            c.id > last_good && c.status != TransferStatus::Succeeded && journal::begun(c, "stream")
        });
        let data_as_of = data_as_of.filter(|_| !incomplete);
        let last_error = syncs
            .iter()
            .max_by_key(|c| c.id)
            .and_then(|c| c.error.clone());
        let unfenced_old_active = r
            .parent_id
            .and_then(|p| rows.iter().find(|c| c.id == p))
            .filter(|p| p.kind == TransferKind::Promote && forced(p) && !p.fenced)
            .map(|p| p.id);
        out.push(Pairing {
            id: r.id,
            definition: r.definition.clone(),
            active: r.source.clone(),
            standby: r.target.clone(),
            data_as_of,
            incomplete,
            unfenced_old_active,
            last_error,
        });
    }
    Ok(out)
}

fn forced(row: &berth_store::Transfer) -> bool {
    row.options["force"].as_bool() == Some(true)
}

/// Refuses to start a standby whose data is incomplete (a sync stopped while streaming).
pub fn refuse_incomplete(p: &Pairing) -> Result<(), ActionError> {
    if !p.incomplete {
        return Ok(());
    }
    Err(ActionError::Conflict(format!(
        "the standby {} holds no consistent data: its last sync stopped while streaming, so a forced promote would start it on a partial copy. Sync it once the active {} answers",
        text(&p.standby),
        text(&p.active)
    )))
}

/// The pair whose active or standby is `instance` (in `context` when given).
pub fn pairing_of(
    store: &Store,
    instance: &str,
    context: Option<&str>,
) -> Result<Pairing, ActionError> {
    pairings(store)?
        .into_iter()
        .find(|p| {
            [&p.active, &p.standby]
                .iter()
                .any(|s| s.2 == instance && context.is_none_or(|c| s.0 == c))
        })
        .ok_or_else(|| {
            ActionError::InvalidInput(format!(
                "{instance} has no standby on this machine (see `berth standby ls`)"
            ))
        })
}

/// Creates a standby of `options.instance` (on `active`) in `standby`: a consistent online copy,
/// then fenced, stopped and paired.
pub async fn create(
    active: &Config,
    standby: &Config,
    options: TransferOptions,
    sink: TransferSink<'_>,
) -> Result<TransferOutcome, ActionError> {
    let ns = active.namespace(&options.namespace);
    if let Some(p) = pairings(&active.store)?.into_iter().find(|p| {
        p.active.0 == active.context() && p.active.1 == ns && p.active.2 == options.instance
    }) {
        return Err(ActionError::InvalidInput(format!(
            "{} already has a standby: {} (`berth standby drop {}` first)",
            options.instance,
            text(&p.standby),
            options.instance
        )));
    }
    let mut t = Transfer::new(
        active,
        standby,
        TransferKind::Standby,
        options.instance.clone(),
    );
    t.options = options;
    t.run(sink).await
}

/// Whether the instance at `at` (in `cfg`'s context) answers: its record can be read.
pub async fn answers(cfg: &Config, at: &Place3) -> bool {
    record::load(cfg, &at.1, &at.2).await.is_ok()
}

/// Checks both sides of a pair before a sync or a planned promote; nothing is touched.
async fn preflight(active: &Config, standby: &Config, p: &Pairing) -> Result<(), ActionError> {
    let rec = record::load(active, &p.active.1, &p.active.2).await?;
    if fence::current(active, &p.active.1, &p.active.2)
        .await?
        .is_some()
    {
        return Err(ActionError::Failed(format!(
            "the active {} is fenced: `berth start {}` lifts it, or finish the transfer that raised it",
            text(&p.active),
            p.active.2
        )));
    }
    if rec.stopped.is_some() {
        return Err(ActionError::Failed(format!(
            "the active {} is stopped: its data cannot be exported",
            text(&p.active)
        )));
    }
    record::load(standby, &p.standby.1, &p.standby.2).await?;
    Ok(())
}

/// A journaled `sync` or `promote` of a pair, run to the end.
async fn run_child(
    active: &Config,
    standby: &Config,
    p: &Pairing,
    kind: TransferKind,
    sink: TransferSink<'_>,
) -> Result<TransferOutcome, ActionError> {
    sink(TransferEvent::Step("plan".into()));
    preflight(active, standby, p).await?;
    let pair = active
        .store
        .transfer(p.id)?
        .ok_or_else(|| ActionError::NotFound(format!("no transfer {}", p.id)))?;
    let row = active.store.begin_transfer(&NewTransfer {
        kind,
        parent_id: Some(p.id),
        source: (&p.active.0, &p.active.1, &p.active.2),
        target: (&p.standby.0, &p.standby.1, &p.standby.2),
        definition: &pair.definition,
        version: &pair.version,
        target_version: &pair.target_version,
        options: &pair.options,
        expected_bytes: None,
    })?;
    let (options, plan) = resume::plan_of(active, &row).await?;
    let t = Transfer {
        source: active,
        target: standby,
        kind,
        options,
    };
    resume::execute(&t, &plan, row.id, sink).await
}

/// Refreshes the standby from the active: online and consistent, the active keeps serving.
pub async fn sync(
    active: &Config,
    standby: &Config,
    p: &Pairing,
    sink: TransferSink<'_>,
) -> Result<TransferOutcome, ActionError> {
    run_child(active, standby, p, TransferKind::Sync, sink).await
}

/// The planned switch: fence the active, a last sync, verify, the standby made the active and
/// the old active kept (stopped, fenced) as the new standby.
pub async fn promote(
    active: &Config,
    standby: &Config,
    p: &Pairing,
    sink: TransferSink<'_>,
) -> Result<TransferOutcome, ActionError> {
    run_child(active, standby, p, TransferKind::Promote, sink).await
}

/// The step `start`: the standby's pods started with its fence kept up (clients stay off it).
pub(crate) async fn start_target(
    t: &Transfer<'_>,
    plan: &TransferPlan,
    id: i64,
) -> Result<(), ActionError> {
    let (_, ns, name) = &plan.target;
    fence::raise(t.target, ns, name, id, None).await?;
    let mut start = Start::new(t.target, name.clone());
    start.namespace = Some(ns.clone());
    start.keep_fence = true;
    start.timeout = t.timeout();
    start.run(&|_| {}).await?;
    Ok(())
}

/// Fences and stops a standby (data kept).
pub(crate) async fn keep_stopped(
    cfg: &Config,
    at: &Place3,
    id: i64,
    timeout: Duration,
) -> Result<(), ActionError> {
    fence::raise(cfg, &at.1, &at.2, id, None).await?;
    let mut stop = Stop::new(cfg, at.2.clone());
    stop.namespace = Some(at.1.clone());
    stop.timeout = timeout;
    stop.run(&|_| {}).await?;
    Ok(())
}

/// Writes the pairing on both records (`data_as_of` on the standby's).
async fn pair(
    active: (&Config, &Place3),
    standby: (&Config, &Place3),
    data_as_of: Option<OffsetDateTime>,
) -> Result<(), ActionError> {
    fence::annotate(
        active.0,
        &active.1.1,
        &active.1.2,
        json!({STANDBY_ANNOTATION: text(standby.1), STANDBY_OF_ANNOTATION: null, DATA_AS_OF_ANNOTATION: null}),
    )
    .await?;
    fence::annotate(
        standby.0,
        &standby.1.1,
        &standby.1.2,
        json!({STANDBY_OF_ANNOTATION: text(active.1), STANDBY_ANNOTATION: null,
               DATA_AS_OF_ANNOTATION: data_as_of.as_ref().map(rfc3339)}),
    )
    .await
}

/// The step `standby` of a create or a sync: the target fenced, stopped and paired.
pub(crate) async fn settle(
    t: &Transfer<'_>,
    plan: &TransferPlan,
    id: i64,
) -> Result<(), ActionError> {
    keep_stopped(t.target, &plan.target, id, t.timeout()).await?;
    let as_of = t.source.store.transfer(id)?.and_then(|r| r.data_as_of);
    pair((t.source, &plan.source), (t.target, &plan.target), as_of).await
}

/// Journals the new pair (the roles swapped) after a promote.
fn new_pairing(
    store: &Store,
    promote: &berth_store::Transfer,
    target_values: &Value,
    data_as_of: Option<OffsetDateTime>,
) -> Result<i64, ActionError> {
    let options = json!({"instance": promote.target.2, "namespace": promote.target.1,
                         "toNamespace": promote.source.1, "targetValues": target_values});
    let row = store.begin_transfer(&NewTransfer {
        kind: TransferKind::Standby,
        parent_id: Some(promote.id),
        source: (&promote.target.0, &promote.target.1, &promote.target.2),
        target: (&promote.source.0, &promote.source.1, &promote.source.2),
        definition: &promote.definition,
        version: &promote.target_version,
        target_version: &promote.version,
        options: &options,
        expected_bytes: None,
    })?;
    store.update_transfer(
        row.id,
        &TransferUpdate {
            data_as_of,
            ..Default::default()
        },
    )?;
    store.finish_transfer(row.id, Ok(TransferStatus::Succeeded))?;
    Ok(row.id)
}

/// The step `switch` of a planned promote.
pub(crate) async fn switch(
    t: &Transfer<'_>,
    plan: &TransferPlan,
    id: i64,
    sink: TransferSink<'_>,
) -> Result<(), ActionError> {
    let (old, new) = (&plan.source, &plan.target);
    // the old active: writable again for later syncs' imports, but kept fenced, then stopped
    fence::unquiesce(t.source, &old.1, &old.2).await?;
    sink(TransferEvent::Note(format!(
        "stopping the old active {}",
        text(old)
    )));
    keep_stopped(t.source, old, id, t.timeout()).await?;
    sink(TransferEvent::Note(format!("{} is the active", text(new))));
    fence::lift(t.target, &new.1, &new.2).await?;
    let row = t
        .source
        .store
        .transfer(id)?
        .ok_or_else(|| ActionError::NotFound(format!("no transfer {id}")))?;
    pair((t.target, new), (t.source, old), row.data_as_of).await?;
    let values = plan
        .record
        .as_ref()
        .map(|r| r.parameters.clone())
        .unwrap_or(Value::Null);
    new_pairing(&t.source.store, &row, &values, row.data_as_of)?;
    Ok(())
}

/// The disaster switch (the active's cluster unreachable): the standby started from its last
/// sync and made the active; the old active marked in the local store, fenced when its cluster
/// answers again ([`fence_returned`]).
pub async fn promote_forced(
    standby: &Config,
    p: &Pairing,
    sink: TransferSink<'_>,
) -> Result<TransferOutcome, ActionError> {
    let store = &standby.store;
    let pair = store
        .transfer(p.id)?
        .ok_or_else(|| ActionError::NotFound(format!("no transfer {}", p.id)))?;
    refuse_incomplete(p)?;
    record::load(standby, &p.standby.1, &p.standby.2).await?;
    let mut options = pair.options.clone();
    options["force"] = Value::Bool(true);
    let row = store.begin_transfer(&NewTransfer {
        kind: TransferKind::Promote,
        parent_id: Some(p.id),
        source: (&p.active.0, &p.active.1, &p.active.2),
        target: (&p.standby.0, &p.standby.1, &p.standby.2),
        definition: &pair.definition,
        version: &pair.version,
        target_version: &pair.target_version,
        options: &options,
        expected_bytes: None,
    })?;
    store.update_transfer(
        row.id,
        &TransferUpdate {
            data_as_of: p.data_as_of,
            fenced: Some(false),
            ..Default::default()
        },
    )?;
    let id = row.id;
    let work = async {
        sink(TransferEvent::Step("start".into()));
        journal::step(store, id, "start", async {
            let mut start = Start::new(standby, p.standby.2.clone());
            start.namespace = Some(p.standby.1.clone());
            start.timeout = Duration::from_secs(300);
            start.run(&|_| {}).await?;
            Ok(((), None))
        })
        .await?;
        sink(TransferEvent::Step("switch".into()));
        journal::step(store, id, "switch", async {
            fence::annotate(
                standby,
                &p.standby.1,
                &p.standby.2,
                json!({STANDBY_ANNOTATION: text(&p.active), STANDBY_OF_ANNOTATION: null, DATA_AS_OF_ANNOTATION: null}),
            )
            .await?;
            let row = store
                .transfer(id)?
                .ok_or_else(|| ActionError::NotFound(format!("no transfer {id}")))?;
            let rec = record::load(standby, &p.standby.1, &p.standby.2).await?;
            new_pairing(store, &row, &rec.parameters, p.data_as_of)?;
            Ok(((), None))
        })
        .await
    };
    match work.await {
        Ok(()) => {
            sink(TransferEvent::Note(format!(
                "{} is marked: it is fenced and stopped as soon as its cluster answers",
                text(&p.active)
            )));
            let journal = store.finish_transfer(id, Ok(TransferStatus::Succeeded))?;
            Ok(TransferOutcome { id, journal })
        }
        Err(e) => {
            store.finish_transfer(id, Err(&e.to_string()))?;
            Err(e)
        }
    }
}

/// Fences and stops every old active of a forced promote that lives in `cfg`'s context and was
/// not fenced yet; returns them (`context/namespace/instance`). Errors (its cluster still
/// down) leave the mark for the next attempt.
pub async fn fence_returned(cfg: &Config) -> Result<Vec<String>, ActionError> {
    let mut fenced = Vec::new();
    for p in pairings(&cfg.store)? {
        let Some(promote) = p.unfenced_old_active else {
            continue;
        };
        if p.standby.0 != cfg.context() {
            continue;
        }
        let old = &p.standby;
        match record::load(cfg, &old.1, &old.2).await {
            Ok(_) => {}
            Err(ActionError::NotFound(_)) => {
                // gone: nothing can serve there any more
                cfg.store.update_transfer(
                    promote,
                    &TransferUpdate {
                        fenced: Some(true),
                        ..Default::default()
                    },
                )?;
                continue;
            }
            Err(e) => return Err(e),
        }
        keep_stopped(cfg, old, promote, Duration::from_secs(120)).await?;
        fence::annotate(
            cfg,
            &old.1,
            &old.2,
            json!({STANDBY_OF_ANNOTATION: text(&p.active), STANDBY_ANNOTATION: null,
                   DATA_AS_OF_ANNOTATION: p.data_as_of.as_ref().map(rfc3339)}),
        )
        .await?;
        cfg.store.update_transfer(
            promote,
            &TransferUpdate {
                fenced: Some(true),
                ..Default::default()
            },
        )?;
        fenced.push(text(old));
    }
    Ok(fenced)
}

/// Ends a pairing: both records forget it, the journal row is retired; with `delete_data` the
/// standby is uninstalled with its volumes (never the active).
pub async fn drop_pairing(
    active: Option<&Config>,
    standby: &Config,
    p: &Pairing,
    delete_data: bool,
) -> Result<(), ActionError> {
    if let Some(active) = active
        && record::load(active, &p.active.1, &p.active.2).await.is_ok()
    {
        fence::annotate(
            active,
            &p.active.1,
            &p.active.2,
            json!({STANDBY_ANNOTATION: null}),
        )
        .await?;
    }
    if delete_data {
        let mut u = Uninstall::new(standby, p.standby.2.clone());
        u.namespace = Some(p.standby.1.clone());
        u.delete_data = true;
        u.run().await?;
    } else if record::load(standby, &p.standby.1, &p.standby.2)
        .await
        .is_ok()
    {
        fence::annotate(
            standby,
            &p.standby.1,
            &p.standby.2,
            json!({STANDBY_OF_ANNOTATION: null, DATA_AS_OF_ANNOTATION: null}),
        )
        .await?;
    }
    standby
        .store
        .finish_transfer(p.id, Ok(TransferStatus::Aborted))?;
    Ok(())
}
