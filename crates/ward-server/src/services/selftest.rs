//! `ward compliance selftest`: live, non-destructive checks that the safeguards work right now.
//! A wrong password is refused and audited; a sealed value is not in the database file in
//! clear; Ward's TLS listener refuses TLS 1.1; the audit chain verifies.

use std::io::Read as _;
use std::net::SocketAddr;
use std::path::Path;
use std::time::Duration;

use secrecy::SecretString;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use ward_core::audit::{AuditAction, NewAuditEvent, Outcome, TargetKind};
use ward_core::evidence::{
    AUDIT_CHAIN_VERIFIES, Check, CheckOutcome, SEALED_VALUE_NOT_IN_CLEAR, TLS_1_1_REFUSED,
    WRONG_PASSWORD_REFUSED,
};

use super::{ClientAddress, LoginInput, ServiceError, Services, verify_chain};

/// The account name the wrong-password check signs in as; no account may have it (it is not a
/// valid username), so no real account's failure counter moves.
const PROBE_ACCOUNT: &str = "ward selftest";
/// How long the TLS probe waits for the listener's answer.
const TLS_PROBE_TIMEOUT: Duration = Duration::from_secs(3);

impl Services {
    /// Runs every self-test and records the results in the audit log, where the compliance
    /// report reads the latest; a check that cannot run here is skipped with the reason.
    pub async fn selftest(&self) -> Result<Vec<Check>, ServiceError> {
        let deployment = self.compliance().deployment();
        let checks = vec![
            self.wrong_password_refused().await?,
            self.sealed_value_not_in_clear(deployment.database_file.as_deref())
                .await?,
            tls_1_1_refused(deployment.tls_listen).await,
            self.audit_chain_verifies().await?,
        ];
        let failed = checks.iter().any(|c| c.outcome == CheckOutcome::Failed);
        let outcome = if failed {
            Outcome::Failure
        } else {
            Outcome::Success
        };
        let event = NewAuditEvent::new(AuditAction::ComplianceSelftest, outcome)
            .target(TargetKind::AuditLog, None)
            .detail(record(&checks));
        self.store().append_audit(event).await?;
        Ok(checks)
    }

    async fn wrong_password_refused(&self) -> Result<Check, ServiceError> {
        let start = self.now();
        let attempt = LoginInput {
            username: PROBE_ACCOUNT.to_owned(),
            password: SecretString::from(uuid::Uuid::new_v4().to_string()),
            device_name: "ward compliance selftest".to_owned(),
            totp_code: None,
        };
        let address = ClientAddress(Some("selftest".to_owned()));
        let refused = matches!(
            self.identity().login(attempt, address).await,
            Err(ServiceError::InvalidCredentials)
        );
        let audited = self
            .store()
            .count_audit(
                AuditAction::LoginFailed,
                None,
                start,
                self.now().plus_secs(1),
            )
            .await?
            > 0;
        Ok(match (refused, audited) {
            (true, true) => check(
                WRONG_PASSWORD_REFUSED,
                CheckOutcome::Passed,
                "a sign-in with a wrong password was refused and audited",
            ),
            (false, _) => check(
                WRONG_PASSWORD_REFUSED,
                CheckOutcome::Failed,
                "a sign-in with a wrong password was not refused",
            ),
            (true, false) => check(
                WRONG_PASSWORD_REFUSED,
                CheckOutcome::Failed,
                "a refused sign-in left no audit event",
            ),
        })
    }

    async fn sealed_value_not_in_clear(&self, file: Option<&Path>) -> Result<Check, ServiceError> {
        let Some(file) = file else {
            return Ok(check(
                SEALED_VALUE_NOT_IN_CLEAR,
                CheckOutcome::Skipped,
                "PostgreSQL: Ward cannot read the database's files",
            ));
        };
        let Some(value) = self.patients().sample_sealed_value().await? else {
            return Ok(check(
                SEALED_VALUE_NOT_IN_CLEAR,
                CheckOutcome::Skipped,
                "no patient record yet to look for",
            ));
        };
        let path = file.to_owned();
        let found = tokio::task::spawn_blocking(move || file_holds(&path, value.as_bytes()))
            .await
            .map_err(|_| ServiceError::Unavailable)?;
        Ok(match found {
            Ok(false) => check(
                SEALED_VALUE_NOT_IN_CLEAR,
                CheckOutcome::Passed,
                "a patient's MRN, read through its key, is not in the database files in clear",
            ),
            Ok(true) => check(
                SEALED_VALUE_NOT_IN_CLEAR,
                CheckOutcome::Failed,
                "a patient's MRN is in the database files in clear",
            ),
            Err(e) => check(
                SEALED_VALUE_NOT_IN_CLEAR,
                CheckOutcome::Failed,
                &format!("cannot read the database files: {}", e.kind()),
            ),
        })
    }

    async fn audit_chain_verifies(&self) -> Result<Check, ServiceError> {
        let outcome = verify_chain(&**self.store(), &self.0.settings.keys, Vec::new()).await?;
        Ok(match outcome.first_break {
            None => check(
                AUDIT_CHAIN_VERIFIES,
                CheckOutcome::Passed,
                &format!("{} events verified", outcome.verified),
            ),
            Some(b) => check(AUDIT_CHAIN_VERIFIES, CheckOutcome::Failed, &b.to_string()),
        })
    }
}

/// The results as the audit event records them: `{"checks":[{"name","outcome","detail"}]}`.
fn record(checks: &[Check]) -> String {
    let checks: Vec<serde_json::Value> = checks
        .iter()
        .map(|c| {
            serde_json::json!({
                "name": c.name,
                "outcome": c.outcome.as_str(),
                "detail": c.detail,
            })
        })
        .collect();
    serde_json::json!({ "checks": checks }).to_string()
}

/// The results an audit event recorded (unknown names left out).
pub(crate) fn recorded(detail: &str) -> Vec<Check> {
    let Ok(value) = serde_json::from_str::<serde_json::Value>(detail) else {
        return Vec::new();
    };
    let names = [
        WRONG_PASSWORD_REFUSED,
        SEALED_VALUE_NOT_IN_CLEAR,
        TLS_1_1_REFUSED,
        AUDIT_CHAIN_VERIFIES,
    ];
    value["checks"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|c| {
            let name = names.into_iter().find(|n| c["name"] == *n)?;
            let outcome = match c["outcome"].as_str()? {
                "passed" => CheckOutcome::Passed,
                "skipped" => CheckOutcome::Skipped,
                _ => CheckOutcome::Failed,
            };
            Some(check(
                name,
                outcome,
                c["detail"].as_str().unwrap_or_default(),
            ))
        })
        .collect()
}

fn check(name: &'static str, outcome: CheckOutcome, detail: &str) -> Check {
    Check {
        name,
        outcome,
        detail: detail.to_owned(),
    }
}

/// Whether the database file or its write-ahead log holds `needle`.
fn file_holds(file: &Path, needle: &[u8]) -> std::io::Result<bool> {
    let mut wal = file.as_os_str().to_owned();
    wal.push("-wal");
    for path in [file.to_owned(), wal.into()] {
        let mut bytes = Vec::new();
        match std::fs::File::open(&path) {
            Ok(mut f) => f.read_to_end(&mut bytes)?,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => continue,
            Err(e) => return Err(e),
        };
        if bytes.windows(needle.len()).any(|w| w == needle) {
            return Ok(true);
        }
    }
    Ok(false)
}

/// Offers Ward's TLS listener a TLS 1.1 ClientHello (no `supported_versions` extension, so
/// nothing newer is on offer) and expects an alert or the connection closed, never a
/// ServerHello.
async fn tls_1_1_refused(listen: Option<SocketAddr>) -> Check {
    let Some(mut addr) = listen else {
        return check(
            TLS_1_1_REFUSED,
            CheckOutcome::Skipped,
            "Ward terminates no TLS here (loopback or a TLS proxy in front)",
        );
    };
    if addr.ip().is_unspecified() {
        addr.set_ip(std::net::Ipv4Addr::LOCALHOST.into());
    }
    let probe = async {
        let mut stream = tokio::net::TcpStream::connect(addr).await?;
        stream.write_all(&tls11_client_hello()).await?;
        let mut first = [0u8; 6];
        let read = stream.read(&mut first).await?;
        std::io::Result::Ok((read, first))
    };
    match tokio::time::timeout(TLS_PROBE_TIMEOUT, probe).await {
        Ok(Ok((0, _))) => check(
            TLS_1_1_REFUSED,
            CheckOutcome::Passed,
            &format!("{addr} closed the connection on a TLS 1.1 hello"),
        ),
        Ok(Ok((_, [0x15, ..]))) => check(
            TLS_1_1_REFUSED,
            CheckOutcome::Passed,
            &format!("{addr} answered a TLS 1.1 hello with an alert"),
        ),
        Ok(Ok((_, [0x16, _, _, _, _, 0x02]))) => check(
            TLS_1_1_REFUSED,
            CheckOutcome::Failed,
            &format!("{addr} accepted a TLS 1.1 hello"),
        ),
        Ok(Ok(_)) => check(
            TLS_1_1_REFUSED,
            CheckOutcome::Failed,
            &format!("{addr} answered a TLS 1.1 hello with something other than an alert"),
        ),
        Ok(Err(e)) if e.kind() == std::io::ErrorKind::ConnectionRefused => check(
            TLS_1_1_REFUSED,
            CheckOutcome::Skipped,
            &format!("nothing listens at {addr}: the server is not running"),
        ),
        Ok(Err(_)) => check(
            TLS_1_1_REFUSED,
            CheckOutcome::Passed,
            &format!("{addr} reset the connection on a TLS 1.1 hello"),
        ),
        Err(_) => check(
            TLS_1_1_REFUSED,
            CheckOutcome::Failed,
            &format!("{addr} did not answer a TLS 1.1 hello"),
        ),
    }
}

/// A TLS 1.1 ClientHello record offering two TLS 1.0/1.1 cipher suites and no extensions.
fn tls11_client_hello() -> Vec<u8> {
    let mut body = vec![0x03, 0x02]; // client_version TLS 1.1
    body.extend_from_slice(&[0x5a; 32]); // random
    body.push(0); // no session id
    body.extend_from_slice(&[0x00, 0x04, 0xc0, 0x13, 0x00, 0x2f]); // two CBC suites
    body.extend_from_slice(&[0x01, 0x00]); // null compression only
    let mut handshake = vec![0x01, 0x00];
    handshake.extend_from_slice(&u16::try_from(body.len()).unwrap_or(0).to_be_bytes());
    handshake.extend_from_slice(&body);
    let mut record = vec![0x16, 0x03, 0x02];
    record.extend_from_slice(&u16::try_from(handshake.len()).unwrap_or(0).to_be_bytes());
    record.extend_from_slice(&handshake);
    record
}
