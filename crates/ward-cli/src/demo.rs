//! `ward demo`: a server with a demo organisation, and how to sign in. On embedded SQLite, or
//! on PostgreSQL and a NATS cluster bus when `WARD_DATABASE_URL` (with `WARD_KEY_STORE_URL`)
//! and `WARD_NATS_URL` are set, as `cargo xtask cluster` does for its first node.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;

use secrecy::SecretString;
use ward_server::services::{NewUser, ServiceError};
use ward_server::{Config, Services};

/// Every demo account's password. The demo listens on loopback only.
const DEMO_PASSWORD: &str = "ward-demo-password";

const PEOPLE: [(&str, &str, &str); 10] = [
    ("admin", "Alex Admin", "admin"),
    ("compliance", "Casey Compliance", "compliance_officer"),
    ("dr.okafor", "Dr. Ada Okafor", "physician"),
    ("dr.lindqvist", "Dr. Erik Lindqvist", "physician"),
    ("nurse.reyes", "Maria Reyes, RN", "nurse"),
    ("nurse.chen", "Wei Chen, RN", "nurse"),
    ("pharm.patel", "Priya Patel, PharmD", "pharmacist"),
    ("clerk.obi", "Obi Nwosu", "staff"),
    ("patient.jones", "Sam Jones", "patient"),
    ("patient.garcia", "Lucia Garcia", "patient"),
];

/// The organisation the demo's compliance report names.
const DEMO_ORGANISATION: &str = "Riverside Community Hospital (demo)";

pub async fn run(data_dir: PathBuf, listen: SocketAddr) -> anyhow::Result<ExitCode> {
    let mut config = Config::new(data_dir.clone());
    config.listen = listen;
    config.organisation = Some(DEMO_ORGANISATION.to_owned());
    let secret = |name: &str| std::env::var(name).ok().map(SecretString::from);
    config.database_url = secret("WARD_DATABASE_URL");
    config.key_store_url = secret("WARD_KEY_STORE_URL");
    config.nats_url = secret("WARD_NATS_URL");
    let (store, keyring) = ward_server::open(&config).await?;
    let services = Services::offline(store.clone(), keyring);
    for (username, display_name, role) in PEOPLE {
        let new = NewUser {
            username: username.into(),
            display_name: display_name.into(),
            role: role.into(),
            password: SecretString::from(DEMO_PASSWORD),
        };
        match services.identity().create_user(None, new).await {
            Ok(_) | Err(ServiceError::Conflict(_)) => {}
            Err(e) => anyhow::bail!("creating the demo user {username}: {e}"),
        }
    }
    store.close().await;
    let ready = |address: SocketAddr| {
        let dir = data_dir.clone();
        tokio::spawn(async move {
            if let Err(e) =
                crate::demo_seed::seed(&format!("http://{address}"), DEMO_PASSWORD).await
            {
                tracing::warn!(error = %format!("{e:#}"), "creating the demo conversations failed");
            }
            print_welcome(address, &dir);
        });
    };
    crate::serve::serve(&config, ready).await?;
    Ok(ExitCode::SUCCESS)
}

fn print_welcome(address: SocketAddr, data_dir: &std::path::Path) {
    println!();
    println!(
        "Ward demo is running at http://{address}/  (data in {})",
        data_dir.display()
    );
    println!("API: http://{address}/api/v1   OpenAPI: http://{address}/api/v1/openapi.json");
    println!();
    println!("Every demo account's password is: {DEMO_PASSWORD}");
    println!("  {:<16} {:<22} role", "username", "name");
    for (username, display_name, role) in PEOPLE {
        println!("  {username:<16} {display_name:<22} {role}");
    }
    println!();
    println!("admin and compliance must set up a second factor at first sign-in (policy).");
    println!("Demo content: two registered patients with care-team threads, a patient-facing");
    println!("thread, a nursing channel and a direct conversation, with a few messages.");
    println!(
        "Try: curl -s http://{address}/api/v1/auth/login -H 'content-type: application/json' \\"
    );
    println!(
        "       -d '{{\"username\":\"nurse.reyes\",\"password\":\"{DEMO_PASSWORD}\",\"device_name\":\"curl\"}}'"
    );
    println!("Stop with Ctrl-C.");
}
