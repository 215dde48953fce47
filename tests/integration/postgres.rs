//! Production-like storage: the native Kratos on a local PostgreSQL keeps identities and
//! sessions across a restart.

use std::process::Command;

use crate::kratos::{free_port, repo, temp_dir, unique_email, Kratos, Options};
use crate::support::{email_of, manager_with, register};
use kratos_mobile::auth::{MemoryStore, TokenStore};
use std::sync::Arc;

struct Postgres {
    dir: std::path::PathBuf,
    dsn: String,
}

impl Postgres {
    fn start() -> Postgres {
        let script = std::env::var("PG_SCRIPT")
            .unwrap_or_else(|_| repo().join("scripts/pg.sh").display().to_string());
        let dir = temp_dir("pg");
        let out = Command::new(&script)
            .arg("start")
            .arg(&dir)
            .arg(free_port().to_string())
            .output()
            .expect("run scripts/pg.sh");
        assert!(
            out.status.success(),
            "scripts/pg.sh start failed (apt-get install postgresql?):\n{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let dsn = String::from_utf8_lossy(&out.stdout).trim().to_string();
        assert!(dsn.starts_with("postgres://"), "{dsn}");
        Postgres { dir, dsn }
    }
}

impl Drop for Postgres {
    fn drop(&mut self) {
        let script = repo().join("scripts/pg.sh");
        let _ = Command::new(script).arg("stop").arg(&self.dir).output();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

#[tokio::test]
async fn on_postgres_an_identity_and_its_session_survive_a_kratos_restart() {
    let pg = Postgres::start();
    let mut k = Kratos::start(Options {
        dsn: Some(pg.dsn.clone()),
        ..Options::default()
    });
    let store: Arc<dyn TokenStore> = Arc::new(MemoryStore::new());
    let email = unique_email();
    register(&manager_with(&k, store.clone()), &email).await;

    k.restart();
    let restored = manager_with(&k, store.clone()).restore().await;
    assert_eq!(
        email_of(&restored),
        email,
        "the session outlived the restart"
    );
    drop(k);
}
