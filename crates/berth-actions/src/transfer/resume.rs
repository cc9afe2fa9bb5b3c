//! Running the steps of a journaled transfer, resuming one from its last finished step, and
//! aborting one. No failure or abort deletes the source; a failure that leaves the source
//! fenced says so and how to lift it.

use berth_store::{TransferKind, TransferStatus, TransferUpdate};
use serde_json::{Value, json};

use super::remote::Place;
use super::stream::{self, Codec, Stream};
use super::{
    Transfer, TransferEvent, TransferOptions, TransferOutcome, TransferPlan, TransferSink, fence,
    journal, verify,
};
use crate::{ActionError, Config, Uninstall, record};

/// Runs the steps not yet finished of transfer `id`.
pub(crate) async fn execute(
    t: &Transfer<'_>,
    plan: &TransferPlan,
    id: i64,
    sink: TransferSink<'_>,
) -> Result<TransferOutcome, ActionError> {
    let store = &t.source.store;
    // boxed, as is each step below: inline, the steps' state machines overflow a 2 MiB
    // stack in debug builds
    let result = Box::pin(steps(t, plan, id, sink)).await;
    match result {
        Ok(()) => {
            let journal = store.finish_transfer(id, Ok(TransferStatus::Succeeded))?;
            Ok(TransferOutcome { id, journal })
        }
        Err(e) => {
            let fenced = store.transfer(id)?.is_some_and(|r| r.fenced);
            let mut message = format!("transfer {id} failed: {e}");
            message.push_str(&if fenced {
                format!(
                    "\nthe source {} is intact but fenced (clients cannot reach it): `berth transfer resume {id}` to continue, or `berth transfer abort {id}` (or `berth start {}`) to lift the fence",
                    plan.source.2, plan.source.2
                )
            } else {
                format!(
                    "\nthe source {} is intact and serving: `berth transfer resume {id}` to continue, or `berth transfer abort {id}` to remove the half-made target",
                    plan.source.2
                )
            });
            store.finish_transfer(id, Err(&message))?;
            Err(match e {
                ActionError::InvalidInput(_) => ActionError::Failed(message),
                _ => ActionError::Failed(message),
            })
        }
    }
}

async fn steps(
    t: &Transfer<'_>,
    plan: &TransferPlan,
    id: i64,
    sink: TransferSink<'_>,
) -> Result<(), ActionError> {
    let store = &t.source.store;
    let def = t.source.definition(&plan.definition)?;
    let ops = &def.spec.operations;
    let row = store
        .transfer(id)?
        .ok_or_else(|| ActionError::NotFound(format!("no transfer {id}")))?;
    // a failed verify streams again: the target's data is not to be trusted
    let restream = row
        .steps
        .iter()
        .any(|s| s.step == "verify" && s.status != berth_store::StepStatus::Succeeded);
    for name in super::steps(t.kind, plan.carries_data) {
        let again = restream && name == "stream";
        if journal::done(&row, name) && !again {
            continue;
        }
        sink(TransferEvent::Step(name.to_owned()));
        match name {
            "provision" => {
                if journal::begun(&row, "provision") {
                    // an interrupted provision: start from a clean target
                    remove_target(t.target, plan).await?;
                }
                Box::pin(journal::step(store, id, name, async {
                    let detail = t.provision(plan, sink).await?;
                    Ok(((), Some(detail)))
                }))
                .await?;
            }
            "fence" => {
                Box::pin(journal::step(store, id, name, async {
                    store.update_transfer(id, &TransferUpdate { fenced: Some(true), ..Default::default() })?;
                    let f = fence::raise(t.source, &plan.source.1, &plan.source.2, id, ops.quiesce.as_ref()).await?;
                    Ok(((), Some(json!({"services": f.services.keys().collect::<Vec<_>>(), "quiesced": f.quiesced}))))
                }))
                .await?;
            }
            "stream" => {
                let (Some(export), Some(import)) = (&ops.export, &ops.import) else {
                    continue;
                };
                let source_place = Place::of(export, &plan.source.1, &plan.source.2);
                let target_place = Place::of(import, &plan.target.1, &plan.target.2);
                let tag = stream::stream_tag(&row);
                stream::kill_leftovers((t.source, &source_place), (t.target, &target_place), &tag)
                    .await;
                let out = Box::pin(journal::step(store, id, name, async {
                    let started = time::OffsetDateTime::now_utc();
                    let out = Stream {
                        tag,
                        source: t.source,
                        source_place,
                        export: export.command.clone(),
                        target: t.target,
                        target_place,
                        import: import.command.clone(),
                        expected: row.expected_bytes,
                        cancel: tokio_util::sync::CancellationToken::new(),
                    }
                    .run(sink)
                    .await?;
                    store.update_transfer(
                        id,
                        &TransferUpdate {
                            bytes: Some(out.bytes),
                            source_sha256: Some(out.source_sha256.clone()),
                            target_sha256: Some(out.target_sha256.clone()),
                            data_as_of: Some(started),
                            ..Default::default()
                        },
                    )?;
                    let detail = json!({
                        "bytes": out.bytes,
                        "wireBytes": out.wire_bytes,
                        "codec": out.codec.as_str(),
                        "sha256": out.source_sha256,
                        "seconds": out.elapsed.as_secs_f64(),
                    });
                    Ok((out, Some(detail)))
                }))
                .await?;
                // the digests are of the stream as it crossed: compressed, with a codec
                let wire = match out.codec {
                    Codec::None => String::new(),
                    codec => format!(" as {} bytes of {}", out.wire_bytes, codec.as_str()),
                };
                sink(TransferEvent::Note(format!(
                    "{} bytes streamed{wire}, sha256 {} on both ends",
                    out.bytes, out.source_sha256
                )));
            }
            "verify" => {
                let Some(op) = &ops.verify else { continue };
                Box::pin(journal::step(store, id, name, async {
                    let (s, d) = verify::both(
                        (t.source, &Place::of(op, &plan.source.1, &plan.source.2)),
                        (t.target, &Place::of(op, &plan.target.1, &plan.target.2)),
                        &op.command,
                    )
                    .await?;
                    store.update_transfer(
                        id,
                        &TransferUpdate {
                            source_digest: Some(s.clone()),
                            target_digest: Some(d),
                            ..Default::default()
                        },
                    )?;
                    Ok(((), Some(json!({"digest": s}))))
                }))
                .await?;
            }
            "cutover" => {
                let row = store.transfer(id)?.unwrap_or(row.clone());
                let revision =
                    journal::detail(&row, "provision").and_then(|d| d["revisionId"].as_i64());
                Box::pin(journal::step(store, id, name, async {
                    t.cutover(plan, revision, sink).await?;
                    Ok(((), None))
                }))
                .await?;
            }
            "start" => {
                Box::pin(journal::step(store, id, name, async {
                    super::standby::start_target(t, plan, id).await?;
                    Ok(((), None))
                }))
                .await?;
            }
            "standby" => {
                Box::pin(journal::step(store, id, name, async {
                    super::standby::settle(t, plan, id).await?;
                    Ok(((), None))
                }))
                .await?;
            }
            "switch" => {
                Box::pin(journal::step(store, id, name, async {
                    super::standby::switch(t, plan, id, sink).await?;
                    Ok(((), None))
                }))
                .await?;
            }
            _ => {}
        }
    }
    Ok(())
}

/// Removes a half-made target (its objects, volumes and keyring credentials).
async fn remove_target(target: &Config, plan: &TransferPlan) -> Result<(), ActionError> {
    if record::load(target, &plan.target.1, &plan.target.2)
        .await
        .is_err()
    {
        return Ok(());
    }
    let mut u = Uninstall::new(target, plan.target.2.clone());
    u.namespace = Some(plan.target.1.clone());
    u.delete_data = true;
    u.run().await?;
    Ok(())
}

/// The transfer's plan, rebuilt from its journal row and the source's record.
pub(crate) async fn plan_of(
    source: &Config,
    row: &berth_store::Transfer,
) -> Result<(TransferOptions, TransferPlan), ActionError> {
    let options: TransferOptions = serde_json::from_value(row.options.clone()).unwrap_or_default();
    let record = record::load(source, &row.source.1, &row.source.2)
        .await
        .ok();
    let def = source.definition(&row.definition)?;
    let plan = TransferPlan {
        kind: row.kind.as_str().to_owned(),
        source: row.source.clone(),
        target: row.target.clone(),
        definition: row.definition.clone(),
        version: row.version.clone(),
        target_version: row.target_version.clone(),
        checks: Vec::new(),
        carries_data: def.spec.operations.export.is_some() && def.spec.operations.import.is_some(),
        data_bytes: row.expected_bytes,
        steps: Vec::new(),
        expected_downtime_secs: None,
        target_values: row
            .options
            .get("targetValues")
            .cloned()
            .unwrap_or(Value::Null),
        record,
    };
    Ok((options, plan))
}

/// Continues transfer `id` from its last finished step (a stream step restarts that stream;
/// the definition's import replaces what an earlier attempt wrote).
pub async fn resume(
    source: &Config,
    target: &Config,
    id: i64,
    sink: TransferSink<'_>,
) -> Result<TransferOutcome, ActionError> {
    let row = source.store.transfer(id)?.ok_or_else(|| {
        ActionError::NotFound(format!("no transfer {id} (see `berth transfers`)"))
    })?;
    match row.status {
        TransferStatus::Succeeded | TransferStatus::Aborted => {
            return Err(ActionError::InvalidInput(format!(
                "transfer {id} is {}: nothing to resume",
                row.status
            )));
        }
        TransferStatus::Running
            if row.pid.is_some_and(|p| p != std::process::id())
                && !journal::interrupted_transfers(&source.store)?
                    .iter()
                    .any(|t| t.id == id) =>
        {
            return Err(ActionError::Conflict(format!(
                "transfer {id} is still running (process {})",
                row.pid.unwrap_or(0)
            )));
        }
        _ => {}
    }
    if row.kind == TransferKind::Promote && row.options["force"].as_bool() == Some(true) {
        return Err(ActionError::InvalidInput(format!(
            "transfer {id} is a forced promote: run `berth standby promote {} --force` again",
            row.target.2
        )));
    }
    let (options, plan) = plan_of(source, &row).await?;
    if plan.record.is_none() {
        return Err(ActionError::Failed(format!(
            "the source {} of transfer {id} is gone",
            row.source.2
        )));
    }
    source.store.claim_transfer(id)?;
    let t = Transfer {
        source,
        target,
        kind: row.kind,
        options,
    };
    execute(&t, &plan, id, sink).await
}

/// Undoes transfer `id`: stops its streams, removes the half-made target, lifts the source's
/// fence. Never touches the source's data; refused once the cut-over has begun.
pub async fn abort(
    source: &Config,
    target: &Config,
    id: i64,
    sink: TransferSink<'_>,
) -> Result<berth_store::Transfer, ActionError> {
    let row = source.store.transfer(id)?.ok_or_else(|| {
        ActionError::NotFound(format!("no transfer {id} (see `berth transfers`)"))
    })?;
    if matches!(
        row.status,
        TransferStatus::Succeeded | TransferStatus::Aborted
    ) || journal::begun(&row, "cutover")
        || journal::begun(&row, "switch")
    {
        return Err(ActionError::InvalidInput(format!(
            "transfer {id} is {} (cut-over {}): it cannot be aborted; `berth transfer resume {id}` finishes it",
            row.status,
            if journal::begun(&row, "cutover") {
                "begun"
            } else {
                "not begun"
            }
        )));
    }
    let (_, plan) = plan_of(source, &row).await?;
    let def = source.definition(&row.definition)?;
    if let (Some(export), Some(import)) = (&def.spec.operations.export, &def.spec.operations.import)
    {
        sink(TransferEvent::Step("stop streams".into()));
        stream::kill_leftovers(
            (source, &Place::of(export, &row.source.1, &row.source.2)),
            (target, &Place::of(import, &row.target.1, &row.target.2)),
            &stream::stream_tag(&row),
        )
        .await;
    }
    if journal::begun(&row, "provision") {
        sink(TransferEvent::Step("remove the target".into()));
        if let Some(rev) = journal::detail(&row, "provision").and_then(|d| d["revisionId"].as_i64())
            && let Ok(Some(r)) = target.store.revision(rev)
            && r.status == berth_store::RevisionStatus::Pending
        {
            target.store.finish_revision(rev, Err("transfer aborted"))?;
        }
        remove_target(target, &plan).await?;
    }
    if matches!(row.kind, TransferKind::Sync | TransferKind::Promote)
        && journal::begun(&row, "start")
    {
        // the standby was started for the import: stopped again, its fence kept
        sink(TransferEvent::Step("stop the standby".into()));
        super::standby::keep_stopped(target, &row.target, id, std::time::Duration::from_secs(300))
            .await?;
    }
    sink(TransferEvent::Step("lift the fence".into()));
    fence::lift(source, &row.source.1, &row.source.2).await?;
    source.store.update_transfer(
        id,
        &TransferUpdate {
            fenced: Some(false),
            ..Default::default()
        },
    )?;
    let _ = TransferKind::Move;
    Ok(source
        .store
        .finish_transfer(id, Ok(TransferStatus::Aborted))?)
}
