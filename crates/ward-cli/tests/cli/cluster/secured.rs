//! A bus as a hospital runs it: the NATS server speaks only TLS and admits only the nodes'
//! NKey. Nodes that trust its certificate and hold the seed deliver across it; a node without
//! the seed, or that does not trust the certificate, refuses to start and names the setting.

use std::os::unix::fs::PermissionsExt;
use std::path::Path;

use super::startup::refused;
use super::{Deployment, body_of, device, frames_until, group, user};
use crate::{enrolled_admin, message};

/// Writes the NATS server's certificate, key and configuration (TLS required, one NKey user)
/// into `dir`; the arguments that point `nats-server` at them.
fn secured_nats(dir: &Path, node_public_key: &str) -> Vec<String> {
    let cert = rcgen::generate_simple_self_signed(vec!["127.0.0.1".into(), "localhost".into()])
        .expect("certificate");
    let (cert_path, key_path) = (dir.join("nats-cert.pem"), dir.join("nats-key.pem"));
    std::fs::write(&cert_path, cert.cert.pem()).expect("write certificate");
    std::fs::write(&key_path, cert.signing_key.serialize_pem()).expect("write key");
    let conf = format!(
        "tls {{ cert_file: {cert:?}, key_file: {key:?} }}\n\
         authorization {{ users = [ {{ nkey: {node_public_key:?} }} ] }}\n",
        cert = cert_path.display().to_string(),
        key = key_path.display().to_string(),
    );
    let conf_path = dir.join("nats.conf");
    std::fs::write(&conf_path, conf).expect("write configuration");
    vec!["-c".into(), conf_path.display().to_string()]
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn nodes_deliver_over_a_bus_that_requires_tls_and_an_nkey() {
    let node_key = nkeys::KeyPair::new_user();
    let public_key = node_key.public_key();
    let Some(mut deployment) = Deployment::start_with(|dir| secured_nats(dir, &public_key)).await
    else {
        return;
    };
    let dir = deployment.db.dir.path().to_owned();
    let seed_path = dir.join("nats-node.nk");
    let seed = node_key.seed().expect("seed");
    std::fs::write(&seed_path, &seed).expect("write seed");
    std::fs::set_permissions(&seed_path, std::fs::Permissions::from_mode(0o600))
        .expect("seed permissions");
    deployment.node_env = vec![
        ("WARD_NATS_TLS_CA_FILE", dir.join("nats-cert.pem")),
        ("WARD_NATS_TLS_REQUIRED", "true".into()),
        ("WARD_NATS_NKEY_FILE", seed_path),
    ];

    // A node without the seed is turned away by NATS; one that does not trust the server's
    // certificate turns NATS away. Neither starts.
    for missing in ["WARD_NATS_NKEY_FILE", "WARD_NATS_TLS_CA_FILE"] {
        let mut command = deployment.serve();
        command.env("WARD_DATA_DIR", &dir).env_remove(missing);
        let (code, stderr) = refused(command);
        assert_ne!(code, 0, "started without {missing}");
        assert!(stderr.contains("nats_url"), "{missing}: {stderr}");
        assert!(!stderr.contains(&seed), "the NKey seed is never printed");
    }

    // Two nodes with both: a message sent through A reaches a device on B.
    let (a, b) = (deployment.node(), deployment.node());
    let (admin, _) = enrolled_admin(&a.client(), "chief").await;
    let (ann, _) = user(&admin, &a, "ann", "nurse").await;
    let (bob, bob_id) = user(&admin, &b, "bob", "nurse").await;
    let conversation = group(&ann, vec![bob_id]).await;
    let mut bob_on_b = device(&b.url, &bob, None).await;
    ann.send_message(conversation, &message("over TLS"))
        .await
        .expect("send");
    let frames = frames_until(&mut bob_on_b, |f| body_of(f) == Some("over TLS")).await;
    assert_eq!(frames.iter().filter_map(body_of).count(), 1);
    assert!(a.stop() && b.stop());
    deployment.drop_database().await;
}
