//! `ward audit verify` on a corrupted database, at the level of the chain: a small audit log
//! with valid, keyed links is laid out as the rows of `audit_events`, the input corrupts the rows
//! the way someone who can write the database (but not the key directory) could, the rows are
//! decoded as the store decodes them (`audit_event` in crates/ward-store/src/ops/audit.rs,
//! mirrored here: that function is private), and the events are
//! verified as `verify_chain` (crates/ward-server/src/services/checkpoints.rs) verifies them:
//! `ChainVerifier` keyed from the anchor's `keyed_from`, required to reach `keyed_from - 1`
//! events, held against the anchor's signed checkpoint.
//!
//! Corruptions: bit flips and overwrites of any column (including a NULL or a number where
//! text belongs), rows deleted, swapped, duplicated or cut off, columns copied from other rows,
//! enum columns set to other valid values, rows renumbered, and every link from some row on
//! recomputed with plain SHA-256, which is all someone without the chain key can do.
//!
//! Holds: the untouched log verifies; a log whose events differ from the original in any way is
//! never accepted, except (third log) for cutting off events after the last signed checkpoint,
//! the one loss the design leaves to the next checkpoint.

#![no_main]

use std::sync::LazyLock;

use libfuzzer_sys::fuzz_target;
use uuid::Uuid;
use ward_core::audit::{
    canonical_bytes, AuditAction, AuditEvent, AuditTarget, ChainHash, ChainHasher, NewAuditEvent,
    Outcome, TargetKind, GENESIS_HASH,
};
use ward_core::id::{AuditEventId, PatientId, SessionId, UserId};
use ward_core::Timestamp;
use ward_crypto::audit_chain::{ChainBreak, ChainKey, ChainVerifier, Sha256Chain};
use ward_crypto::audit_signing::{keyed_from_valid, AuditSigner};
use ward_crypto::keyring::SecretKey;
use ward_fuzz::Input;

/// Events in each log.
const EVENTS: usize = 6;
/// Most corruptions applied to one log.
const MAX_STEPS: usize = 8;

/// A column value as SQLite stores it: TEXT is kept as bytes, so that a corruption can make it
/// invalid UTF-8.
#[derive(Debug, Clone, PartialEq)]
enum Cell {
    Null,
    Int(i64),
    Blob(Vec<u8>),
}

/// The columns of `audit_events`, in the order of `AuditRow`.
const SEQ: usize = 0;
const ID: usize = 1;
const AT: usize = 2;
const ACTOR: usize = 3;
const SESSION: usize = 4;
const ADDRESS: usize = 5;
const ACTION: usize = 6;
const TARGET_KIND: usize = 7;
const TARGET_ID: usize = 8;
const PATIENT: usize = 9;
const OUTCOME: usize = 10;
const DETAIL: usize = 11;
const PREV_HASH: usize = 12;
const HASH: usize = 13;
const COLUMNS: usize = 14;

type Row = [Cell; COLUMNS];

/// A log as the database and the key vault hold it.
struct Log {
    rows: Vec<Row>,
    events: Vec<AuditEvent>,
    /// A verifier set up as `verify_chain` sets it up from the anchor.
    verifier: ChainVerifier,
    /// The anchor's checkpoint covers the events up to this one.
    signed_up_to: usize,
}

static LOGS: LazyLock<[Log; 3]> = LazyLock::new(|| {
    // The chain key derives from the audit signing seed, as in the key vault.
    let seed = SecretKey::generate().expect("a random seed");
    let key = ChainKey::derive(&seed).expect("the chain key");
    let signer = AuditSigner::from_seed(&seed).expect("the audit signer");
    [
        // A deployment keyed from its first event, checkpointed at its head.
        log(&key, &signer, 1, EVENTS),
        // An upgraded deployment: events 1 and 2 from before its chain was keyed.
        log(&key, &signer, 3, EVENTS),
        // Events appended after the last checkpoint.
        log(&key, &signer, 1, 4),
    ]
});

fuzz_target!(|data: &[u8]| {
    let mut input = Input::new(data);
    let log = &LOGS[usize::from(input.byte()) % LOGS.len()];
    let mut rows = log.rows.clone();
    for _ in 0..MAX_STEPS {
        if input.is_empty() {
            break;
        }
        corrupt(&mut rows, &mut input);
    }
    // A row that does not decode is refused by the store (CorruptAudit): nothing is accepted.
    let Some(events) = rows.iter().map(decode).collect::<Option<Vec<_>>>() else {
        return;
    };
    let verdict = verify(log, &events);
    if events == log.events {
        assert_eq!(
            verdict,
            Ok(EVENTS as i64),
            "the untouched log does not verify"
        );
    } else if let Ok(verified) = verdict {
        let kept = events.len();
        assert!(
            kept >= log.signed_up_to
                && kept <= log.events.len()
                && events[..] == log.events[..kept],
            "a modified audit log verified as {verified} events: {events:#?}"
        );
    }
});

/// What `verify_chain` concludes, for a deployment that holds data.
fn verify(log: &Log, events: &[AuditEvent]) -> Result<i64, ChainBreak> {
    let mut verifier = log.verifier.clone();
    for event in events {
        verifier.check(event)?;
    }
    verifier.finish()?;
    if verifier.verified() == 0 {
        return Err(ChainBreak::Erased);
    }
    Ok(verifier.verified())
}

fn log(key: &ChainKey, signer: &AuditSigner, keyed_from: i64, signed_up_to: usize) -> Log {
    let mut rows: Vec<Row> = (1..=EVENTS as i64).map(pristine_row).collect();
    let mut prev = GENESIS_HASH;
    for row in &mut rows {
        let event = decode(row).expect("a pristine row decodes");
        let canonical = canonical_bytes(event.seq, &event.event);
        let hash = if event.seq >= keyed_from {
            key.link(&prev, &canonical)
        } else {
            Sha256Chain.link(&prev, &canonical)
        };
        row[PREV_HASH] = Cell::Blob(prev.to_vec());
        row[HASH] = Cell::Blob(hash.to_vec());
        prev = hash;
    }
    let events: Vec<AuditEvent> = rows
        .iter()
        .map(|row| decode(row).expect("a linked row decodes"))
        .collect();
    let head = events[signed_up_to - 1].hash;
    let checkpoint = signer.sign(
        signed_up_to as i64,
        head,
        Timestamp::from_micros(1_767_312_000_000_000),
    );
    let keyed_from_signature = signer.sign_keyed_from(keyed_from);
    assert!(keyed_from_valid(
        &signer.public_key(),
        keyed_from,
        &keyed_from_signature
    ));
    let verifier = ChainVerifier::with_checkpoints(vec![checkpoint], signer.public_key())
        .must_reach(keyed_from - 1)
        .keyed(key.clone(), keyed_from);
    let log = Log {
        rows,
        events,
        verifier,
        signed_up_to,
    };
    assert_eq!(
        verify(&log, &log.events),
        Ok(EVENTS as i64),
        "the pristine log verifies"
    );
    log
}

/// A row of every shape: with and without actor, session, address, target, patient and detail.
fn pristine_row(seq: i64) -> Row {
    let n = seq as usize;
    let uuid = |kind: u128| {
        Cell::Blob(
            Uuid::from_u128((kind << 64) | n as u128)
                .as_bytes()
                .to_vec(),
        )
    };
    let text = |text: &str| Cell::Blob(text.as_bytes().to_vec());
    let odd = seq % 2 == 1;
    [
        Cell::Int(seq),
        uuid(1),
        Cell::Int(1_767_225_600_000_000 + seq * 1_000_000),
        if odd { uuid(2) } else { Cell::Null },
        if odd { uuid(3) } else { Cell::Null },
        if odd { text("192.0.2.7") } else { Cell::Null },
        text(AuditAction::ALL[(n * 7) % AuditAction::ALL.len()].as_str()),
        if seq % 3 != 0 {
            text(TargetKind::ALL[n % TargetKind::ALL.len()].as_str())
        } else {
            Cell::Null
        },
        if seq % 3 == 1 { uuid(4) } else { Cell::Null },
        if odd { Cell::Null } else { uuid(5) },
        text(Outcome::ALL[n % Outcome::ALL.len()].as_str()),
        if seq % 3 == 2 {
            text(r#"{"count":2}"#)
        } else {
            Cell::Null
        },
        Cell::Blob(vec![0; 32]),
        Cell::Blob(vec![0; 32]),
    ]
}

fn int(cell: &Cell) -> Option<i64> {
    match cell {
        Cell::Int(value) => Some(*value),
        _ => None,
    }
}

fn text(cell: &Cell) -> Option<String> {
    match cell {
        Cell::Blob(bytes) => String::from_utf8(bytes.clone()).ok(),
        _ => None,
    }
}

fn uuid(cell: &Cell) -> Option<Uuid> {
    match cell {
        Cell::Blob(bytes) => Uuid::from_slice(bytes).ok(),
        _ => None,
    }
}

fn hash(cell: &Cell) -> Option<ChainHash> {
    match cell {
        Cell::Blob(bytes) => bytes.as_slice().try_into().ok(),
        _ => None,
    }
}

/// A nullable column: `Some(None)` for NULL, `None` for a value that does not decode.
fn nullable<T>(cell: &Cell, decode: fn(&Cell) -> Option<T>) -> Option<Option<T>> {
    match cell {
        Cell::Null => Some(None),
        value => decode(value).map(Some),
    }
}

/// The row as the store decodes it (`TryFrom<AuditRow> for AuditEvent`); `None` where the
/// store reports a corrupt audit row.
fn decode(row: &Row) -> Option<AuditEvent> {
    let seq = int(&row[SEQ])?;
    let target_id = nullable(&row[TARGET_ID], uuid)?;
    let target = match nullable(&row[TARGET_KIND], text)? {
        Some(kind) => Some(AuditTarget::new(TargetKind::parse(&kind).ok()?, target_id)),
        None if target_id.is_none() => None,
        None => return None,
    };
    Some(AuditEvent {
        seq,
        event: NewAuditEvent {
            id: AuditEventId::from_uuid(uuid(&row[ID])?),
            at: Timestamp::from_micros(int(&row[AT])?),
            actor: nullable(&row[ACTOR], uuid)?.map(UserId::from_uuid),
            session: nullable(&row[SESSION], uuid)?.map(SessionId::from_uuid),
            address: nullable(&row[ADDRESS], text)?,
            action: AuditAction::parse(&text(&row[ACTION])?).ok()?,
            target,
            patient: nullable(&row[PATIENT], uuid)?.map(PatientId::from_uuid),
            outcome: Outcome::parse(&text(&row[OUTCOME])?).ok()?,
            detail: nullable(&row[DETAIL], text)?,
        },
        prev_hash: hash(&row[PREV_HASH])?,
        hash: hash(&row[HASH])?,
    })
}

/// One corruption of the table, read from the input.
fn corrupt(rows: &mut Vec<Row>, input: &mut Input<'_>) {
    let op = input.byte() % 12;
    let len = rows.len();
    if len == 0 && op != 3 {
        return;
    }
    match op {
        // Flip bits of a value.
        0 => {
            let (row, column) = (input.index(len), input.index(COLUMNS));
            let (at, mask) = (input.u16(), input.byte().max(1));
            match &mut rows[row][column] {
                Cell::Int(value) => *value ^= i64::from(mask) << (u32::from(at) % 57),
                Cell::Blob(bytes) if !bytes.is_empty() => {
                    let i = usize::from(at) % bytes.len();
                    bytes[i] ^= mask;
                }
                _ => {}
            }
        }
        // Overwrite a value with bytes, NULL or a number.
        1 => {
            let (row, column) = (input.index(len), input.index(COLUMNS));
            rows[row][column] = Cell::Blob(input.bytes(48).to_vec());
        }
        2 => {
            let (row, column) = (input.index(len), input.index(COLUMNS));
            rows[row][column] = Cell::Null;
        }
        3 if len > 0 => {
            let (row, column) = (input.index(len), input.index(COLUMNS));
            rows[row][column] = Cell::Int(input.i64());
        }
        3 => {}
        // Delete, swap, duplicate rows; cut the table short.
        4 => {
            let row = input.index(len);
            rows.remove(row);
        }
        5 => {
            let (a, b) = (input.index(len), input.index(len));
            rows.swap(a, b);
        }
        6 => {
            let (from, to) = (input.index(len), input.index(len + 1));
            let copy = rows[from].clone();
            rows.insert(to, copy);
        }
        7 => {
            let keep = input.index(len + 1);
            rows.truncate(keep);
        }
        // Copy a value from another row (a link, an id, a time).
        8 => {
            let (from, to, column) = (input.index(len), input.index(len), input.index(COLUMNS));
            let value = rows[from][column].clone();
            rows[to][column] = value;
        }
        // Set an enum column to another valid value.
        9 => {
            let row = input.index(len);
            let (column, value) = match input.byte() % 3 {
                0 => (
                    ACTION,
                    AuditAction::ALL[input.index(AuditAction::ALL.len())].as_str(),
                ),
                1 => (
                    OUTCOME,
                    Outcome::ALL[input.index(Outcome::ALL.len())].as_str(),
                ),
                _ => (
                    TARGET_KIND,
                    TargetKind::ALL[input.index(TargetKind::ALL.len())].as_str(),
                ),
            };
            rows[row][column] = Cell::Blob(value.as_bytes().to_vec());
        }
        // Renumber every row from 1, as after deleting some.
        10 => {
            for (i, row) in rows.iter_mut().enumerate() {
                row[SEQ] = Cell::Int(i as i64 + 1);
            }
        }
        // Recompute every link from a row on with plain SHA-256.
        _ => {
            let from = input.index(len);
            rehash_plain(rows, from);
        }
    }
}

/// What someone who can write the database but lacks the chain key can do: link the rows from
/// `from` on again with the unkeyed formula.
fn rehash_plain(rows: &mut [Row], from: usize) {
    let mut prev = match from.checked_sub(1) {
        None => GENESIS_HASH,
        Some(before) => match hash(&rows[before][HASH]) {
            Some(hash) => hash,
            None => return,
        },
    };
    for row in &mut rows[from..] {
        let Some(event) = decode(row) else {
            return;
        };
        let link = Sha256Chain.link(&prev, &canonical_bytes(event.seq, &event.event));
        row[PREV_HASH] = Cell::Blob(prev.to_vec());
        row[HASH] = Cell::Blob(link.to_vec());
        prev = link;
    }
}
