//! Production-like storage: the native Kratos on a local PostgreSQL keeps identities and
//! sessions across a restart.

use std::path::PathBuf;
use std::sync::Arc;

use kratos_mobile::auth::{MemoryStore, TokenStore};

use crate::kratos::{start_postgres, stop_postgres, unique_email, Kratos, Options};
use crate::support::{email_of, manager_with, register};

/// A PostgreSQL of this test's own, stopped when dropped.
struct Postgres {
    dir: PathBuf,
    dsn: String,
}

impl Postgres {
    fn start() -> Postgres {
        let (dir, dsn) = start_postgres("pg");
        Postgres { dir, dsn }
    }
}

impl Drop for Postgres {
    fn drop(&mut self) {
        stop_postgres(&self.dir);
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
