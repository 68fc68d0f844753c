//! The `vledger` binary run as an operator runs it, on a test's database.

use super::SECRET_KEY;
use std::process::Output;

/// Runs `vledger ARGS` on the database at `url`, with no other `VLEDGER_*` setting.
pub async fn vledger(url: &str, args: &[&str]) -> Output {
    vledger_with_key(url, SECRET_KEY, args).await
}

/// Runs `vledger ARGS` on the database at `url` with the secret key `key`.
pub async fn vledger_with_key(url: &str, key: &str, args: &[&str]) -> Output {
    let mut command = std::process::Command::new(env!("CARGO_BIN_EXE_vledger"));
    for (key, _) in std::env::vars().filter(|(k, _)| k.starts_with("VLEDGER_")) {
        command.env_remove(key);
    }
    command
        .args(args)
        .env("VLEDGER_DATABASE_URL", url)
        .env("VLEDGER_SECRET_KEY", key)
        .env("VLEDGER_LOG", "warn")
        .current_dir(std::env::temp_dir());
    tokio::task::spawn_blocking(move || command.output())
        .await
        .unwrap()
        .unwrap()
}

/// The standard output of a command that must have succeeded.
pub fn stdout(out: &Output) -> String {
    assert!(
        out.status.success(),
        "{}\nstdout: {}\nstderr: {}",
        out.status,
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout.clone()).unwrap()
}

/// The standard error of a command that must have failed.
pub fn failure(out: &Output) -> String {
    assert!(
        !out.status.success(),
        "succeeded: {}",
        String::from_utf8_lossy(&out.stdout)
    );
    String::from_utf8(out.stderr.clone()).unwrap()
}
