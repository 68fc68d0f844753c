//! Starting the service: settings → keys → store → [`AppState`], serving a router until a
//! signal, and the administrative commands that work on the same store.

use crate::app::registration::check_password;
use crate::app::{AppState, backup};
use crate::config::Settings;
use crate::crypto::Keys;
use crate::domain::roles::Role;
use crate::domain::units::UnitKind;
use anyhow::{Context, bail};
use axum::Router;
use std::net::SocketAddr;
use std::path::Path;
use tokio::net::TcpListener;

/// Opens the store (migrating it) and loads the keys, refusing a key the database was not
/// written with.
pub async fn open(settings: Settings) -> anyhow::Result<AppState> {
    let keys = load_keys(&settings)?;
    let store = crate::store::Store::connect(
        &settings.database_url,
        settings.db_max_connections,
        settings.db_busy_timeout(),
    )
    .await
    .context("opening the database")?;
    let stored = store.key_fingerprint(&keys.fingerprint).await?;
    if stored != keys.fingerprint {
        bail!(
            "this database was written with another secret key (fingerprint {stored}, this one {}); \
             start with the key it was created with",
            keys.fingerprint
        );
    }
    store
        .ensure_target_counts(settings.display_offset())
        .await
        .context("counting volunteers for the targets report")?;
    Ok(AppState::start(store, keys, settings))
}

fn load_keys(settings: &Settings) -> anyhow::Result<Keys> {
    let path = &settings.key_file;
    if settings.secret_key.is_some() || path.exists() {
        return configured_keys(settings);
    }
    let hex = Keys::generate_hex();
    write_private(path, &hex)
        .with_context(|| format!("writing a new key to {}", path.display()))?;
    tracing::warn!(
        path = %path.display(),
        "generated a new secret key; back it up with the database: without it no ID number can be read"
    );
    Keys::from_hex(&hex)
}

/// The key the settings name, never a new one.
fn configured_keys(settings: &Settings) -> anyhow::Result<Keys> {
    if let Some(hex) = &settings.secret_key {
        return Keys::from_hex(hex).context("VLEDGER_SECRET_KEY");
    }
    let path = &settings.key_file;
    let text = std::fs::read_to_string(path).with_context(|| {
        format!(
            "reading the secret key from {} (or set VLEDGER_SECRET_KEY)",
            path.display()
        )
    })?;
    Keys::from_hex(&text).with_context(|| format!("the key in {}", path.display()))
}

fn write_private(path: &std::path::Path, text: &str) -> std::io::Result<()> {
    use std::io::Write;
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    options.open(path)?.write_all(text.as_bytes())
}

/// Serves `routes` (and runs the scheduled jobs) until SIGINT or SIGTERM, then finishes the
/// requests in flight.
pub async fn serve(state: AppState, routes: Router) -> anyhow::Result<()> {
    let listener = TcpListener::bind(&state.settings.listen)
        .await
        .with_context(|| format!("listening on {}", state.settings.listen))?;
    run(state, routes, listener, shutdown_signal()).await
}

/// Serves `routes` on `listener` (and runs the scheduled jobs when the settings say so) until
/// `shutdown` completes, then finishes the requests in flight and stops the jobs.
pub async fn run(
    state: AppState,
    routes: Router,
    listener: TcpListener,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> anyhow::Result<()> {
    tracing::info!(address = %listener.local_addr()?, public_url = %state.settings.public_url(), "serving");
    if state.settings.public_url.is_none() {
        tracing::warn!(
            "VLEDGER_PUBLIC_URL is not set: QR codes and posters point at http://{}; set it to the \
             address phones reach",
            state.settings.listen
        );
    }
    let mut scheduler = match state.settings.jobs {
        true => Some(crate::app::jobs::start(state.clone()).await?),
        false => None,
    };
    // The connection's address identifies the client to the login and registration throttles.
    let service = routes.into_make_service_with_connect_info::<SocketAddr>();
    axum::serve(listener, service)
        .with_graceful_shutdown(shutdown)
        .await?;
    if let Some(s) = scheduler.as_mut() {
        s.shutdown().await?;
    }
    tracing::info!("stopped");
    Ok(())
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! { _ = ctrl_c => {}, _ = terminate => {} }
    tracing::info!("shutting down");
}

/// `vledger admin create`: the district (if none exists) and a district admin on it.
pub async fn create_admin(
    state: &AppState,
    login: &str,
    password: &str,
    name: &str,
    district: &str,
) -> anyhow::Result<i64> {
    check_password(password)?;
    let hash = state.passwords.hash(password.to_owned()).await?;
    let store = &state.store;
    let user_id = store.create_user(login, Some(&hash), name).await?;
    let root = match store.root_unit().await? {
        Some(root) => root,
        None => {
            store
                .create_unit(district, UnitKind::District, None, None)
                .await?
        }
    };
    store
        .add_grant(user_id, Role::DistrictAdmin, &root, None)
        .await?;
    Ok(user_id)
}

/// `vledger backup`: a copy of the configured database in the new file `dest`. It needs no key:
/// the copy holds ID numbers only as the key encrypted them.
pub async fn backup(settings: &Settings, dest: &Path) -> anyhow::Result<backup::Report> {
    let store = crate::store::Store::connect(&settings.database_url, 2, settings.db_busy_timeout())
        .await
        .context("opening the database")?;
    backup::backup(&store, &settings.database_url, dest).await
}

/// `vledger restore`: the backup into the configured database, which must be new and empty,
/// with the secret key the backup was written with.
pub async fn restore(settings: &Settings, backup: &Path) -> anyhow::Result<backup::Report> {
    let keys = configured_keys(settings)?;
    backup::restore(settings, &keys, backup).await
}
