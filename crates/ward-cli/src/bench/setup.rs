//! The benchmark's organisation: an admin, users with two devices each, one group per sender,
//! and an offline user for the catch-up phase.

use std::io::Write;
use std::path::Path;
use std::process::Stdio;
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use anyhow::Context;
use futures::stream::{self, StreamExt, TryStreamExt};
use uuid::Uuid;
use ward_client::Client;
use ward_crypto::totp::TotpSecret;
use ward_proto::messaging::{ConversationKind, CreateConversationRequest};
use ward_proto::realtime::ServerFrame;
use ward_proto::users::CreateUserRequest;

use super::devices::Phase;
use super::groups::GroupsArgs;
use super::server::Storage;

pub const PASSWORD: &str = "benchmark password 1";

/// Who sends where, and the device tokens.
#[derive(Debug)]
pub struct Organisation {
    pub users: usize,
    pub group_size: usize,
    /// (sender, its group).
    pub groups: Vec<(Arc<Client>, Uuid)>,
    /// Connected devices per group, for the expected number of deliveries.
    devices_per_group: Vec<usize>,
    pub device_tokens: Vec<String>,
    /// A member of group 0 with no connected device.
    offline: Client,
}

impl Organisation {
    pub fn sender(&self, i: usize) -> (&Client, Uuid) {
        let (client, conversation) = &self.groups[i % self.groups.len()];
        (client.as_ref(), *conversation)
    }

    pub fn sender_owned(&self, i: usize) -> (Arc<Client>, Uuid) {
        let (client, conversation) = &self.groups[i % self.groups.len()];
        (Arc::clone(client), *conversation)
    }

    /// Deliveries expected after `n` round-robin sends.
    pub fn expected_deliveries(&self, n: usize) -> usize {
        let groups = self.groups.len();
        (0..groups)
            .map(|g| (n / groups + usize::from(g < n % groups)) * self.devices_per_group[g])
            .sum()
    }
}

/// The organisation, on the nodes at `urls`: each user signs in on one of them in turn (so
/// senders are spread over the nodes).
pub async fn organisation(
    urls: &[String],
    storage: &Storage,
    data_dir: &Path,
    args: &GroupsArgs,
) -> anyhow::Result<Organisation> {
    let nodes = clients(urls)?;
    let anon = &nodes[0];
    let admin = admin(anon, storage, data_dir).await?;
    let users = (args.devices / 2).max(args.senders).max(1);
    let names: Vec<String> = (0..=users).map(|i| format!("bench.user{i}")).collect();
    let ids = create_users(&admin, &names).await?;
    // Two devices per user (the last user stays offline).
    let mut sessions = Vec::new();
    for (u, name) in names[..users].iter().enumerate() {
        let node = &nodes[u % nodes.len()];
        for device in ["phone", "desk"] {
            sessions.push((name.clone(), node.sign_in(name, PASSWORD, device).await?));
        }
    }
    let offline = anon.sign_in(&names[users], PASSWORD, "offline").await?;
    let senders = args.senders.clamp(1, users);
    let mut groups = Vec::new();
    let mut devices_per_group = Vec::new();
    for g in 0..senders {
        let members: Vec<Uuid> = (0..users)
            .filter(|u| u % senders == g)
            .map(|u| ids[u])
            .collect();
        let mut member_ids = members.clone();
        if g == 0 {
            member_ids.push(ids[users]);
        }
        let sender = Arc::new(sessions[2 * g].1.clone());
        let req = CreateConversationRequest {
            kind: ConversationKind::Group,
            title: Some(format!("bench group {g}")),
            member_ids,
            patient_id: None,
        };
        let conversation = sender.create_conversation(&req).await?.id;
        groups.push((sender, conversation));
        devices_per_group.push(members.len() * 2);
    }
    let device_tokens = sessions
        .iter()
        .take(args.devices)
        .filter_map(|(_, c)| c.token().map(str::to_owned))
        .collect();
    Ok(Organisation {
        users,
        group_size: users / senders,
        groups,
        devices_per_group,
        device_tokens,
        offline,
    })
}

/// An anonymous client per node.
pub fn clients(urls: &[String]) -> anyhow::Result<Vec<Client>> {
    Ok(urls
        .iter()
        .map(|u| Client::new(u))
        .collect::<Result<_, _>>()?)
}

/// The benchmark's administrator (created with `ward admin`), signed in with a second factor.
pub async fn admin(anon: &Client, storage: &Storage, data_dir: &Path) -> anyhow::Result<Client> {
    create_admin(storage, data_dir)?;
    let admin = anon.sign_in("bench.admin", PASSWORD, "bench").await?;
    let enrollment = admin.begin_totp().await?;
    let secret = TotpSecret::from_base32(&enrollment.secret)?;
    let now = SystemTime::now().duration_since(UNIX_EPOCH)?.as_secs();
    admin.confirm_totp(&secret.code_at(now)?).await?;
    Ok(admin)
}

/// Creates nurses with these names (a few at a time: each costs the server a password hash).
pub async fn create_users(admin: &Client, names: &[String]) -> anyhow::Result<Vec<Uuid>> {
    stream::iter(names.iter())
        .map(|name| async move {
            let req = CreateUserRequest {
                username: name.clone(),
                display_name: name.clone(),
                role: "nurse".into(),
                password: PASSWORD.into(),
            };
            Ok::<_, anyhow::Error>(admin.create_user(&req).await?.id)
        })
        .buffered(4)
        .try_collect()
        .await
}

fn create_admin(storage: &Storage, data_dir: &Path) -> anyhow::Result<()> {
    let mut child = storage
        .command()?
        .args([
            "admin",
            "create-user",
            "--username",
            "bench.admin",
            "--role",
            "admin",
            "--password-stdin",
            "--data-dir",
        ])
        .arg(data_dir)
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .spawn()?;
    child
        .stdin
        .take()
        .context("stdin")?
        .write_all(PASSWORD.as_bytes())?;
    anyhow::ensure!(
        child.wait()?.success(),
        "creating the benchmark admin failed"
    );
    Ok(())
}

/// What the catch-up phase measured.
#[derive(Debug)]
pub struct CatchUp {
    pub messages: usize,
    pub pages: usize,
    pub elapsed: Duration,
}

/// Sends `m` messages into group 0 while one member is offline, then times its sync.
pub async fn catch_up(
    org: &Organisation,
    m: usize,
    concurrency: usize,
    epoch: Instant,
) -> anyhow::Result<CatchUp> {
    let start = org.offline.sync(None, 5000).await?;
    let mut cursor = start.cursor;
    let mut more = start.more;
    while more {
        let page = org.offline.sync(Some(&cursor), 5000).await?;
        cursor = page.cursor;
        more = page.more;
    }
    let (sender, conversation) = org.sender(0);
    stream::iter(0..m)
        .map(|_| async move {
            let req = super::request(super::body(Phase::CatchUp, epoch));
            sender.send_message(conversation, &req).await
        })
        .buffer_unordered(concurrency.max(1))
        .try_collect::<Vec<_>>()
        .await?;
    let started = Instant::now();
    let (mut messages, mut pages) = (0, 0);
    loop {
        let page = org.offline.sync(Some(&cursor), 5000).await?;
        pages += 1;
        messages += page
            .events
            .iter()
            .filter(|f| matches!(f, ServerFrame::MessageCreated { .. }))
            .count();
        cursor = page.cursor;
        if !page.more {
            break;
        }
    }
    let elapsed = started.elapsed();
    anyhow::ensure!(messages == m, "caught up {messages} messages, expected {m}");
    Ok(CatchUp {
        messages,
        pages,
        elapsed,
    })
}
