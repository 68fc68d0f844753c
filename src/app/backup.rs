//! `vledger backup` and `vledger restore`: a consistent copy of the database taken while the
//! service runs (SQLite's `VACUUM INTO`, PostgreSQL's `pg_dump` of one snapshot), and its return
//! into a new, empty database. A copy is written beside its name and renamed when complete, so a
//! failure leaves nothing half-written.

use crate::config::Settings;
use crate::crypto::Keys;
use crate::store::Store;
use crate::store::backup::{Contents, has_tables, inspect_sqlite_copy, sqlite_file};
use crate::store::db::Backend;
use anyhow::{Context, bail, ensure};
use std::fmt;
use std::fs::{self, File};
use std::io::{ErrorKind, Read};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

/// What a backup or a restore did: the copy, its size, and what the database holds.
#[derive(Debug)]
pub struct Report {
    done: &'static str,
    pub copy: PathBuf,
    pub bytes: u64,
    pub contents: Contents,
}

impl fmt::Display for Report {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} {} ({} bytes): {}",
            self.done,
            self.copy.display(),
            self.bytes,
            self.contents
        )
    }
}

/// Writes a copy of the database at `database_url`, opened as `store`, to the new file `dest`.
pub async fn backup(store: &Store, database_url: &str, dest: &Path) -> anyhow::Result<Report> {
    if dest.exists() {
        bail!(
            "{} already exists: a backup never replaces a file",
            dest.display()
        );
    }
    let dest = std::path::absolute(dest)?;
    let partial = partial(&dest);
    let contents = match write_copy(store, database_url, &partial).await {
        Ok(contents) => contents,
        Err(e) => {
            let _ = fs::remove_file(&partial);
            return Err(e.context(format!("writing the backup {}", dest.display())));
        }
    };
    File::open(&partial)?.sync_all()?;
    fs::rename(&partial, &dest)?;
    sync_folder_of(&dest);
    Ok(Report {
        done: "backup written to",
        bytes: fs::metadata(&dest)?.len(),
        copy: dest,
        contents,
    })
}

async fn write_copy(store: &Store, database_url: &str, partial: &Path) -> anyhow::Result<Contents> {
    match fs::remove_file(partial) {
        Err(e) if e.kind() != ErrorKind::NotFound => return Err(e.into()),
        _ => {}
    }
    // Created empty first, readable by its owner only: a backup holds personal data.
    let mut options = fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    options.open(partial)?;
    match store.backend() {
        Backend::Sqlite => {
            let path = partial.to_str().context("the path is not UTF-8")?;
            store.vacuum_into(path).await?;
            let copy = inspect_sqlite_copy(partial).await?;
            ensure!(
                copy.problems.is_empty(),
                "the copy is damaged: {}",
                copy.problems.join("; ")
            );
            Ok(copy.contents)
        }
        Backend::Postgres => {
            let snapshot = store.export_snapshot().await?;
            let mut dump = pg_command("pg_dump", Some(database_url))?;
            dump.arg("--format=custom")
                .arg(format!("--snapshot={}", snapshot.id))
                .arg("--file")
                .arg(partial);
            run(dump).await?;
            Ok(snapshot.contents)
        }
    }
}

/// Restores the copy `backup` into the configured database, which must have no tables yet, then
/// brings it up to date. The copy must be intact and written with `keys`.
pub async fn restore(settings: &Settings, keys: &Keys, backup: &Path) -> anyhow::Result<Report> {
    let database_url = settings.database_url.as_str();
    let bytes = fs::metadata(backup)
        .with_context(|| format!("reading {}", backup.display()))?
        .len();
    let backend = Backend::of_url(database_url)?;
    let written_with = match backend {
        Backend::Sqlite => sqlite_fingerprint(backup).await?,
        Backend::Postgres => dump_fingerprint(backup).await?,
    };
    if let Some(fingerprint) = written_with
        && fingerprint != keys.fingerprint
    {
        bail!(
            "{} was written with another secret key (fingerprint {fingerprint}, this one {}): \
             restore it with the key it was written with",
            backup.display(),
            keys.fingerprint
        );
    }
    if has_tables(database_url).await? {
        bail!(
            "the database to restore into already has tables: restore only into a new, empty \
             database (an SQLite file that does not exist yet, or a newly created PostgreSQL \
             database)"
        );
    }
    match backend {
        Backend::Sqlite => {
            let (backup, target) = (backup.to_owned(), sqlite_file(database_url)?);
            tokio::task::spawn_blocking(move || put_in_place(&backup, &target)).await??
        }
        Backend::Postgres => {
            let mut pg_restore = pg_command("pg_restore", Some(database_url))?;
            pg_restore
                .args(["--no-owner", "--no-privileges", "--exit-on-error"])
                .arg("--single-transaction")
                .arg(backup);
            run(pg_restore).await?;
        }
    }
    let store = Store::connect(database_url, 1, settings.db_busy_timeout())
        .await
        .context("bringing the restored database up to date")?;
    Ok(Report {
        done: "restored",
        copy: std::path::absolute(backup)?,
        bytes,
        contents: store.contents().await?,
    })
}

/// The fingerprint of the key an SQLite copy was written with, once it is known to be intact.
async fn sqlite_fingerprint(backup: &Path) -> anyhow::Result<Option<String>> {
    let mut magic = [0u8; 16];
    let read = File::open(backup).and_then(|mut f| f.read_exact(&mut magic));
    let shown = backup.display();
    ensure!(
        !magic.starts_with(&[0x1f, 0x8b]),
        "{shown} is compressed: gunzip it first"
    );
    ensure!(
        !magic.starts_with(b"PGDMP"),
        "{shown} is a PostgreSQL backup: restore it into a postgres:// database"
    );
    ensure!(
        read.is_ok() && &magic == b"SQLite format 3\0",
        "{shown} is not an SQLite database"
    );
    let copy = inspect_sqlite_copy(backup)
        .await
        .with_context(|| format!("reading {shown}"))?;
    ensure!(
        copy.problems.is_empty(),
        "{shown} is damaged: {}",
        copy.problems.join("; ")
    );
    Ok(copy.fingerprint)
}

/// The fingerprint of the key a `pg_dump` archive was written with, read from its `meta` rows.
async fn dump_fingerprint(backup: &Path) -> anyhow::Result<Option<String>> {
    let mut meta = pg_command("pg_restore", None)?;
    meta.args(["--data-only", "--table=meta", "--file=-"])
        .arg(backup);
    let script = String::from_utf8(run(meta).await?)?;
    Ok(script
        .lines()
        .find_map(|line| line.strip_prefix("key_fingerprint\t"))
        .map(str::to_owned))
}

/// Copies `backup` to the SQLite file `target` through a file beside it, so that a failed copy
/// leaves no database behind.
fn put_in_place(backup: &Path, target: &Path) -> anyhow::Result<()> {
    let partial = partial(target);
    let copied = fs::copy(backup, &partial).and_then(|_| File::open(&partial)?.sync_all());
    if let Err(e) = copied {
        let _ = fs::remove_file(&partial);
        return Err(e).with_context(|| format!("copying into {}", partial.display()));
    }
    // An empty database left in WAL mode may have its journal beside it; it belongs to the file
    // being replaced.
    for journal in ["-wal", "-shm"] {
        let mut name = target.as_os_str().to_owned();
        name.push(journal);
        match fs::remove_file(name) {
            Err(e) if e.kind() != ErrorKind::NotFound => return Err(e.into()),
            _ => {}
        }
    }
    fs::rename(&partial, target)?;
    sync_folder_of(target);
    Ok(())
}

/// `path` with `.tmp` added: where a file is written before it is renamed into place.
fn partial(path: &Path) -> PathBuf {
    let mut name = path.as_os_str().to_owned();
    name.push(".tmp");
    name.into()
}

/// Makes a rename into the folder of `path` survive a power cut, where the system allows it.
fn sync_folder_of(path: &Path) {
    if let Some(folder) = path.parent()
        && let Ok(folder) = File::open(folder)
    {
        let _ = folder.sync_all();
    }
}

/// A PostgreSQL client program, on the database at `url` if given. The password travels in the
/// environment, not on the command line that every local user can read; the program never
/// prompts for one.
fn pg_command(program: &str, url: Option<&str>) -> anyhow::Result<Command> {
    let mut command = Command::new(program);
    command.stdin(Stdio::null()).arg("--no-password");
    if let Some(url) = url {
        let (url, password) = without_password(url)?;
        if let Some(password) = password {
            command.env("PGPASSWORD", password);
        }
        command.arg(format!("--dbname={url}"));
    }
    Ok(command)
}

/// Runs `command` to its end: its standard output, or why it failed.
async fn run(mut command: Command) -> anyhow::Result<Vec<u8>> {
    let program = command.get_program().to_string_lossy().into_owned();
    let output = match tokio::task::spawn_blocking(move || command.output()).await? {
        Err(e) if e.kind() == ErrorKind::NotFound => bail!(
            "{program} is not installed: install the PostgreSQL client programs of the server's \
             major version (e.g. the package postgresql-client-15)"
        ),
        output => output.with_context(|| format!("running {program}"))?,
    };
    ensure!(
        output.status.success(),
        "{program} failed ({}): {}",
        output.status,
        String::from_utf8_lossy(&output.stderr).trim()
    );
    Ok(output.stdout)
}

/// `url` without the password it may hold, and that password, percent-decoded.
fn without_password(url: &str) -> anyhow::Result<(String, Option<String>)> {
    let unchanged = Ok((url.to_owned(), None));
    let Some(scheme) = url.find("://").map(|i| i + 3) else {
        return unchanged;
    };
    let authority = &url[scheme
        ..url[scheme..]
            .find(['/', '?'])
            .map_or(url.len(), |i| scheme + i)];
    let Some((user, password)) = authority
        .rsplit_once('@')
        .and_then(|(userinfo, _)| userinfo.split_once(':'))
    else {
        return unchanged;
    };
    let rest = &url[scheme + user.len() + 1 + password.len()..];
    Ok((
        format!("{}{user}{rest}", &url[..scheme]),
        Some(percent_decoded(password)?),
    ))
}

fn percent_decoded(text: &str) -> anyhow::Result<String> {
    let mut bytes = Vec::with_capacity(text.len());
    let mut rest = text.as_bytes();
    while let Some((&byte, after)) = rest.split_first() {
        rest = after;
        if byte != b'%' {
            bytes.push(byte);
            continue;
        }
        let escape = rest
            .get(..2)
            .and_then(|hex| u8::from_str_radix(std::str::from_utf8(hex).ok()?, 16).ok())
            .context("the database password holds a malformed %-escape")?;
        bytes.push(escape);
        rest = &rest[2..];
    }
    String::from_utf8(bytes).context("the database password is not UTF-8")
}

#[cfg(test)]
mod tests {
    use super::without_password;

    #[test]
    fn the_password_leaves_the_url_decoded() {
        let split = |url: &str| without_password(url).unwrap();
        assert_eq!(
            split("postgres://vledger:p%40ss%3Aw0rd@db:5432/vledger?sslmode=require"),
            (
                "postgres://vledger@db:5432/vledger?sslmode=require".to_owned(),
                Some("p@ss:w0rd".to_owned())
            )
        );
        assert_eq!(
            split("postgres://postgres@127.0.0.1/test"),
            ("postgres://postgres@127.0.0.1/test".to_owned(), None)
        );
        assert_eq!(
            split("postgres:///vledger"),
            ("postgres:///vledger".to_owned(), None)
        );
        assert!(without_password("postgres://u:bad%zz@db/x").is_err());
    }
}
