//! The object store: every object of every resource as JSON, keyed by group/resource,
//! namespace and name, with one cluster-wide resourceVersion counter and an event history
//! that watches replay from.

use std::collections::{BTreeMap, HashMap, VecDeque};
use std::sync::{Arc, Mutex, OnceLock};

use serde_json::Value;
use tokio::sync::broadcast;

use crate::resources::GroupResource;
use crate::status::ApiError;

/// Namespace (empty for cluster-scoped) and name.
pub(crate) type Key = (String, String);

/// Kind of change a watch event reports.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum EventType {
    /// Object created.
    Added,
    /// Object changed.
    Modified,
    /// Object removed.
    Deleted,
}

impl EventType {
    /// The watch event type string.
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            EventType::Added => "ADDED",
            EventType::Modified => "MODIFIED",
            EventType::Deleted => "DELETED",
        }
    }
}

/// One change in the store.
#[derive(Debug, Clone)]
pub(crate) struct Event {
    /// resourceVersion of the change.
    pub(crate) rv: u64,
    /// Resource of the object.
    pub(crate) gr: GroupResource,
    /// What happened.
    pub(crate) kind: EventType,
    /// The object after the change (before it, for deletions, with the new resourceVersion).
    pub(crate) object: Value,
    /// The object before the change, for modifications.
    pub(crate) old: Option<Value>,
}

/// Recorded events after a resourceVersion and a receiver for later ones.
pub(crate) type WatchStart = (Vec<Arc<Event>>, broadcast::Receiver<Arc<Event>>);

/// What a transaction writes.
#[derive(Debug)]
pub(crate) enum Write {
    /// Store this object (create or replace).
    Put(Value),
    /// Remove the object.
    Delete,
    /// Leave the store as it is.
    Nothing,
}

/// A stored object, shared: reads (lists, controller passes) take a reference-counted
/// handle instead of a deep copy, and its JSON text is made once, on the first read that
/// serializes it (a LIST of 50 pods is half a megabyte of JSON; cloning and re-serializing
/// every object for every request was most of what serving a list cost).
#[derive(Debug, Clone)]
pub(crate) struct Stored {
    value: Value,
    json: OnceLock<Vec<u8>>,
}

impl Stored {
    fn new(value: Value) -> Arc<Self> {
        Arc::new(Self {
            value,
            json: OnceLock::new(),
        })
    }

    /// The object.
    pub(crate) fn value(&self) -> &Value {
        &self.value
    }

    /// The object as JSON text.
    pub(crate) fn json(&self) -> &[u8] {
        self.json
            .get_or_init(|| serde_json::to_vec(&self.value).unwrap_or_default())
    }
}

impl std::ops::Deref for Stored {
    type Target = Value;

    fn deref(&self) -> &Value {
        &self.value
    }
}

/// A shared stored object.
pub(crate) type Shared = Arc<Stored>;

struct Inner {
    rv: u64,
    /// The SQLite state file every write goes through to, when persistent.
    db: Option<rusqlite::Connection>,
    objects: HashMap<GroupResource, BTreeMap<Key, Shared>>,
    history: VecDeque<Arc<Event>>,
    /// Oldest resourceVersion a watch may start from.
    oldest_watchable: u64,
}

/// The store. Cheap to share behind an `Arc`.
pub(crate) struct Store {
    inner: Mutex<Inner>,
    tx: broadcast::Sender<Arc<Event>>,
    history_cap: usize,
}

impl std::fmt::Debug for Store {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Store").finish_non_exhaustive()
    }
}

/// Reads `metadata.namespace` and `metadata.name`.
pub(crate) fn key_of(obj: &Value) -> Key {
    let m = &obj["metadata"];
    (
        m["namespace"].as_str().unwrap_or_default().to_string(),
        m["name"].as_str().unwrap_or_default().to_string(),
    )
}

impl Store {
    /// An empty store keeping `history_cap` events for watches.
    pub(crate) fn new(history_cap: usize) -> Self {
        let (tx, _) = broadcast::channel(16384);
        Self {
            inner: Mutex::new(Inner {
                rv: 1,
                db: None,
                objects: HashMap::new(),
                history: VecDeque::new(),
                oldest_watchable: 1,
            }),
            tx,
            history_cap,
        }
    }

    /// A store persisted to the SQLite file `path`: the objects and the resourceVersion
    /// counter it holds are loaded (watch history starts empty, so older versions get 410),
    /// and every later write goes through to it.
    pub(crate) fn open(path: &std::path::Path, history_cap: usize) -> Result<Self, crate::Error> {
        let db_err = |e: rusqlite::Error| crate::Error::State(format!("{}: {e}", path.display()));
        let db = rusqlite::Connection::open(path).map_err(db_err)?;
        db.execute_batch(
            "PRAGMA journal_mode=WAL;
             PRAGMA synchronous=NORMAL;
             CREATE TABLE IF NOT EXISTS objects (
                 api_group TEXT NOT NULL, resource TEXT NOT NULL,
                 namespace TEXT NOT NULL, name TEXT NOT NULL, body TEXT NOT NULL,
                 PRIMARY KEY (api_group, resource, namespace, name));
             CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);",
        )
        .map_err(db_err)?;
        let rv: u64 = db
            .query_row(
                "SELECT value FROM meta WHERE key = 'resourceVersion'",
                [],
                |r| r.get::<_, String>(0),
            )
            .ok()
            .and_then(|v| v.parse().ok())
            .unwrap_or(1);
        let mut objects: HashMap<GroupResource, BTreeMap<Key, Shared>> = HashMap::new();
        {
            let mut stmt = db
                .prepare("SELECT api_group, resource, namespace, name, body FROM objects")
                .map_err(db_err)?;
            let rows = stmt
                .query_map([], |r| {
                    Ok((
                        r.get::<_, String>(0)?,
                        r.get::<_, String>(1)?,
                        r.get::<_, String>(2)?,
                        r.get::<_, String>(3)?,
                        r.get::<_, String>(4)?,
                    ))
                })
                .map_err(db_err)?;
            for row in rows {
                let (group, resource, ns, name, body) = row.map_err(db_err)?;
                let obj: Value = serde_json::from_str(&body).map_err(|e| {
                    crate::Error::State(format!("{}: object {name}: {e}", path.display()))
                })?;
                objects
                    .entry(GroupResource::new(&group, &resource))
                    .or_default()
                    .insert((ns, name), Stored::new(obj));
            }
        }
        let store = Self::new(history_cap);
        {
            let mut inner = store.inner.lock().expect("store lock");
            inner.rv = rv;
            inner.oldest_watchable = rv;
            inner.objects = objects;
            inner.db = Some(db);
        }
        Ok(store)
    }

    /// The current resourceVersion.
    pub(crate) fn current_rv(&self) -> u64 {
        self.inner.lock().expect("store lock").rv
    }

    /// One object.
    pub(crate) fn get(&self, gr: &GroupResource, ns: &str, name: &str) -> Option<Value> {
        let inner = self.inner.lock().expect("store lock");
        inner
            .objects
            .get(gr)?
            .get(&(ns.to_string(), name.to_string()))
            .map(|o| o.value.clone())
    }

    /// All objects of a resource (in one namespace when given), sorted by namespace and
    /// name, with the resourceVersion of the snapshot. The objects are shared, not copied.
    pub(crate) fn list(&self, gr: &GroupResource, ns: Option<&str>) -> (Vec<Shared>, u64) {
        let inner = self.inner.lock().expect("store lock");
        (Self::list_locked(&inner, gr, ns), inner.rv)
    }

    fn list_locked(inner: &Inner, gr: &GroupResource, ns: Option<&str>) -> Vec<Shared> {
        let Some(map) = inner.objects.get(gr) else {
            return Vec::new();
        };
        match ns {
            Some(ns) => map
                .range((ns.to_string(), String::new())..)
                .take_while(|((n, _), _)| n == ns)
                .map(|(_, v)| v.clone())
                .collect(),
            None => map.values().cloned().collect(),
        }
    }

    /// Every resource that has objects.
    pub(crate) fn resources(&self) -> Vec<GroupResource> {
        let inner = self.inner.lock().expect("store lock");
        inner
            .objects
            .iter()
            .filter(|(_, m)| !m.is_empty())
            .map(|(gr, _)| gr.clone())
            .collect()
    }

    /// Runs `f` on the current object (or `None`) under the store lock and applies what it
    /// returns. Returns the stored object (`Put`), the removed one (`Delete`), or the
    /// unchanged one (`Nothing`).
    pub(crate) fn transact<F>(
        &self,
        gr: &GroupResource,
        ns: &str,
        name: &str,
        f: F,
    ) -> Result<Option<Value>, ApiError>
    where
        F: FnOnce(Option<&Value>, u64) -> Result<Write, ApiError>,
    {
        let mut inner = self.inner.lock().expect("store lock");
        let key = (ns.to_string(), name.to_string());
        let current = inner.objects.get(gr).and_then(|m| m.get(&key));
        let next_rv = inner.rv + 1;
        let write = f(current.map(|c| &c.value), next_rv)?;
        let event = match write {
            Write::Nothing => return Ok(current.map(|c| c.value.clone())),
            Write::Put(mut obj) => {
                inner.rv = next_rv;
                obj["metadata"]["resourceVersion"] = Value::String(next_rv.to_string());
                let old = inner
                    .objects
                    .entry(gr.clone())
                    .or_default()
                    .insert(key, Stored::new(obj.clone()))
                    .map(|o| Arc::unwrap_or_clone(o).value);
                Event {
                    rv: next_rv,
                    gr: gr.clone(),
                    kind: if old.is_some() {
                        EventType::Modified
                    } else {
                        EventType::Added
                    },
                    object: obj,
                    old,
                }
            }
            Write::Delete => {
                let Some(old) = inner.objects.get_mut(gr).and_then(|m| m.remove(&key)) else {
                    return Ok(None);
                };
                let mut old = Arc::unwrap_or_clone(old).value;
                inner.rv = next_rv;
                old["metadata"]["resourceVersion"] = Value::String(next_rv.to_string());
                Event {
                    rv: next_rv,
                    gr: gr.clone(),
                    kind: EventType::Deleted,
                    object: old,
                    old: None,
                }
            }
        };
        if let Some(db) = &inner.db {
            persist(db, &event);
        }
        let result = event.object.clone();
        let event = Arc::new(event);
        inner.history.push_back(event.clone());
        while inner.history.len() > self.history_cap {
            if let Some(e) = inner.history.pop_front() {
                inner.oldest_watchable = e.rv;
            }
        }
        let _ = self.tx.send(event);
        Ok(Some(result))
    }

    /// Subscribes to changes of every resource.
    pub(crate) fn subscribe(&self) -> broadcast::Receiver<Arc<Event>> {
        self.tx.subscribe()
    }

    /// Starts a watch after resourceVersion `rv`: the recorded events of `gr` after it and a
    /// receiver for later ones. `Err` when `rv` is older than the kept history.
    pub(crate) fn watch_from(&self, gr: &GroupResource, rv: u64) -> Result<WatchStart, u64> {
        let inner = self.inner.lock().expect("store lock");
        if rv < inner.oldest_watchable {
            return Err(inner.oldest_watchable);
        }
        let events = inner
            .history
            .iter()
            .filter(|e| e.rv > rv && &e.gr == gr)
            .cloned()
            .collect();
        Ok((events, self.tx.subscribe()))
    }

    /// A snapshot of `gr` and a receiver for the changes after it.
    pub(crate) fn snapshot(
        &self,
        gr: &GroupResource,
        ns: Option<&str>,
    ) -> (Vec<Shared>, u64, broadcast::Receiver<Arc<Event>>) {
        let inner = self.inner.lock().expect("store lock");
        (
            Self::list_locked(&inner, gr, ns),
            inner.rv,
            self.tx.subscribe(),
        )
    }

    /// Whether `rv` is older than the kept history (a list/continue at it is Gone).
    pub(crate) fn is_compacted(&self, rv: u64) -> bool {
        rv < self.inner.lock().expect("store lock").oldest_watchable
    }

    /// Forgets the event history up to now (as etcd compaction does).
    pub(crate) fn compact(&self) {
        let mut inner = self.inner.lock().expect("store lock");
        inner.history.clear();
        inner.oldest_watchable = inner.rv;
    }
}

/// Writes one change through to the state file. A failure is logged, not returned: the
/// in-memory store stays authoritative for the running instance.
fn persist(db: &rusqlite::Connection, event: &Event) {
    let (ns, name) = key_of(&event.object);
    let result = match event.kind {
        EventType::Deleted => db
            .execute(
                "DELETE FROM objects WHERE api_group = ?1 AND resource = ?2 AND namespace = ?3 AND name = ?4",
                rusqlite::params![event.gr.group, event.gr.resource, ns, name],
            )
            .map(drop),
        EventType::Added | EventType::Modified => db
            .execute(
                "INSERT OR REPLACE INTO objects (api_group, resource, namespace, name, body) VALUES (?1, ?2, ?3, ?4, ?5)",
                rusqlite::params![
                    event.gr.group,
                    event.gr.resource,
                    ns,
                    name,
                    event.object.to_string()
                ],
            )
            .map(drop),
    }
    .and_then(|()| {
        db.execute(
            "INSERT OR REPLACE INTO meta (key, value) VALUES ('resourceVersion', ?1)",
            [event.rv.to_string()],
        )
        .map(drop)
    });
    if let Err(e) = result {
        tracing::warn!(error = %e, "writing the state file");
    }
}
