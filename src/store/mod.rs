//! The SQLite file: connections, pragmas, transactions, and the tables' SQL.
//!
//! One writer connection (behind a mutex) takes every write in an IMMEDIATE transaction,
//! so writers queue on SQLite's lock (with a busy timeout) instead of failing with
//! "database is locked" on upgrade. Reads use a small pool of other connections and see a
//! consistent snapshot (WAL), so a long read never blocks a write.

pub(crate) mod content;
pub(crate) mod events;
pub(crate) mod pdf_checks;
pub(crate) mod records;
pub(crate) mod remote;
pub(crate) mod reuses;
pub(crate) mod schema;
pub(crate) mod signatures;
pub(crate) mod signer_rules;
pub(crate) mod trust;

use std::path::{Path, PathBuf};
use std::sync::{Mutex, MutexGuard};
use std::time::Duration;

use rusqlite::{Connection, ErrorCode, OpenFlags, Transaction, TransactionBehavior};

use crate::error::{Error, Result};
pub(crate) use schema::SCHEMA_VERSION;

/// How the store is opened.
#[derive(Debug, Clone)]
pub(crate) struct StoreOptions {
    pub busy_timeout: Duration,
    pub page_size: u32,
}

/// The vault file and its connections.
pub(crate) struct Store {
    path: PathBuf,
    writer: Mutex<Connection>,
    readers: Mutex<Vec<Connection>>,
    options: StoreOptions,
}

/// Idle reader connections kept for reuse.
const MAX_IDLE_READERS: usize = 8;

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    // A panic while holding the lock dropped its transaction (rolled back):
    // the connection itself is still sound.
    m.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

impl Store {
    /// Creates a new vault file; refuses a path that already exists.
    pub fn create(path: &Path, options: StoreOptions) -> Result<Store> {
        // create_new makes "exists" and "create" one atomic step.
        std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(path)
            .map_err(|e| match e.kind() {
                std::io::ErrorKind::AlreadyExists => Error::Path {
                    path: path.to_owned(),
                    detail: "a file already exists here: open it instead of creating a vault",
                },
                std::io::ErrorKind::NotFound => Error::Path {
                    path: path.to_owned(),
                    detail: "cannot create the vault file: its directory does not exist",
                },
                std::io::ErrorKind::PermissionDenied => Error::Path {
                    path: path.to_owned(),
                    detail: "cannot create the vault file: permission denied",
                },
                _ => Error::Io(e),
            })?;
        Self::open_existing(path, options, true)
    }

    /// Opens an existing vault file, migrating it if it is older than this build.
    pub fn open(path: &Path, options: StoreOptions) -> Result<Store> {
        if !path.is_file() {
            return Err(Error::Path {
                path: path.to_owned(),
                detail: "no vault file here: create one first",
            });
        }
        Self::open_existing(path, options, false)
    }

    fn open_existing(path: &Path, options: StoreOptions, new_file: bool) -> Result<Store> {
        let contextualize = |e: Error| contextualize(path, e);
        let mut writer = connect(path, &options).map_err(contextualize)?;
        check_header(path, &writer).map_err(contextualize)?;
        if new_file {
            // The page size can only be chosen before the file's first write.
            writer
                .pragma_update(None, "page_size", options.page_size)
                .map_err(|e| contextualize(e.into()))?;
        }
        let mode: String = writer
            .query_row("PRAGMA journal_mode = WAL", [], |r| r.get(0))
            .map_err(|e| contextualize(e.into()))?;
        if !mode.eq_ignore_ascii_case("wal") {
            return Err(Error::Malformed(format!(
                "could not switch the file to WAL (journal_mode is {mode})"
            )));
        }
        // A schema that is not exactly the vault's (a planted trigger, view or index, a
        // redefined table) is refused before anything runs in it, migrations included.
        let differences = schema::schema_differences(&writer).map_err(contextualize)?;
        if !differences.is_empty() {
            return Err(Error::Corrupt {
                path: path.to_owned(),
                detail: format!("its schema is not the vault's: {}", differences.join("; ")),
            });
        }
        schema::migrate(&mut writer).map_err(contextualize)?;
        Ok(Store {
            path: path.to_owned(),
            writer: Mutex::new(writer),
            readers: Mutex::new(Vec::new()),
            options,
        })
    }

    /// The vault file's path.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Runs `f` in one IMMEDIATE transaction and commits if it succeeds.
    pub fn write<T>(&self, f: impl FnOnce(&Transaction<'_>) -> Result<T>) -> Result<T> {
        let mut conn = lock(&self.writer);
        let run = || -> Result<T> {
            let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
            let out = f(&tx)?;
            tx.commit()?;
            Ok(out)
        };
        run().map_err(|e| contextualize(&self.path, e))
    }

    /// Runs `f` on a read snapshot.
    pub fn read<T>(&self, f: impl FnOnce(&Transaction<'_>) -> Result<T>) -> Result<T> {
        let mut conn = match lock(&self.readers).pop() {
            Some(c) => c,
            None => connect(&self.path, &self.options).map_err(|e| contextualize(&self.path, e))?,
        };
        let out = (|| {
            let tx = conn.transaction_with_behavior(TransactionBehavior::Deferred)?;
            let out = f(&tx)?;
            tx.finish()?;
            Ok(out)
        })()
        .map_err(|e| contextualize(&self.path, e));
        let mut idle = lock(&self.readers);
        if idle.len() < MAX_IDLE_READERS {
            idle.push(conn);
        }
        out
    }

    /// SQLite's own structural check of the whole file (slow on large vaults).
    pub fn integrity_check(&self) -> Result<Vec<String>> {
        self.read(|tx| {
            let mut stmt = tx.prepare("PRAGMA integrity_check")?;
            let rows = stmt.query_map([], |r| r.get::<_, String>(0))?;
            let lines = rows.collect::<rusqlite::Result<Vec<_>>>()?;
            Ok(if lines == ["ok"] { Vec::new() } else { lines })
        })
    }
}

fn connect(path: &Path, options: &StoreOptions) -> Result<Connection> {
    let conn = Connection::open_with_flags(
        path,
        OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )?;
    conn.busy_timeout(options.busy_timeout)?;
    conn.pragma_update(None, "foreign_keys", true)?;
    // Every acknowledged write is on disk: a result the portal was told is stored, is.
    conn.pragma_update(None, "synchronous", "FULL")?;
    // SQLite's default cache is 2 MiB: only 32 pages of 64 KiB, so every write would
    // re-read the index pages it touches. 32 MiB keeps the hot b-tree pages in memory.
    conn.pragma_update(None, "cache_size", -32 * 1024)?;
    conn.set_prepared_statement_cache_capacity(32);
    // Stable query plans: without this, SQLite (built with STAT4) recompiles a cached
    // statement whenever a bound value might change its plan, i.e. on nearly every call
    // (measured: ~17% of a record verification went to re-preparing).
    conn.set_db_config(rusqlite::config::DbConfig::SQLITE_DBCONFIG_ENABLE_QPSG, true)?;
    Ok(conn)
}

/// Refuses another application's database and a schema newer than this build.
fn check_header(path: &Path, conn: &Connection) -> Result<()> {
    let application_id: i64 = conn.query_row("PRAGMA application_id", [], |r| r.get(0))?;
    let version: i64 = conn.query_row("PRAGMA user_version", [], |r| r.get(0))?;
    if application_id == 0 && version == 0 {
        // A brand-new empty file (or one whose creation was interrupted): fine to
        // initialize. Anything with tables in it is someone else's data.
        let tables: i64 = conn.query_row("SELECT count(*) FROM sqlite_schema", [], |r| r.get(0))?;
        if tables == 0 {
            return Ok(());
        }
    }
    if application_id != schema::APPLICATION_ID {
        return Err(Error::NotAVault {
            path: path.to_owned(),
            application_id,
        });
    }
    if version > SCHEMA_VERSION {
        return Err(Error::NewerSchema {
            path: path.to_owned(),
            found: version,
            supported: SCHEMA_VERSION,
        });
    }
    Ok(())
}

/// Turns SQLite's "corrupt" and "not a database" into [`Error::Corrupt`] with the path.
fn contextualize(path: &Path, e: Error) -> Error {
    match e {
        Error::Storage(rusqlite::Error::SqliteFailure(code, msg))
            if matches!(code.code, ErrorCode::DatabaseCorrupt | ErrorCode::NotADatabase) =>
        {
            Error::Corrupt {
                path: path.to_owned(),
                detail: msg.unwrap_or_else(|| code.to_string()),
            }
        }
        other => other,
    }
}

/// Milliseconds since the Unix epoch, the unit of every stored instant.
pub(crate) fn to_ms(t: time::OffsetDateTime) -> i64 {
    (t.unix_timestamp_nanos() / 1_000_000) as i64
}

/// The inverse of [`to_ms`], in UTC. A cell edited to an instant that has no date, or
/// none in Vietnam's time (where reports and validity days show it), is malformed data,
/// so that no later conversion of it can overflow.
pub(crate) fn from_ms(ms: i64) -> Result<time::OffsetDateTime> {
    time::OffsetDateTime::from_unix_timestamp_nanos(i128::from(ms) * 1_000_000)
        .ok()
        .filter(|t| t.checked_to_offset(crate::record::VIETNAM_OFFSET).is_some())
        .ok_or_else(|| Error::Malformed(format!("instant {ms} ms is out of range")))
}
