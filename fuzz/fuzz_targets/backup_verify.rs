//! `ward backup verify` on a corrupted archive: `ward_crypto::archive::open_archive`, which
//! `verify` in crates/ward-cli/src/backup.rs calls (through `open_into`) before it checks the
//! SQLite database inside with `PRAGMA integrity_check`. SQLite's own handling of a corrupt
//! database is not fuzzed here: a corrupt archive never gets that far, and SQLite is C, fuzzed
//! upstream.
//!
//! Three archives are sealed once: an empty one, a small one made under a root key since
//! retired (it opens with the retired key the keyring keeps), and one of two chunks. The input
//! first picks one, then reorders, drops or repeats whole chunks, then flips, cuts, inserts,
//! overwrites and repeats bytes anywhere (header included). One input in eight is instead taken
//! as the archive itself.
//!
//! Holds: the untouched archives open to what was sealed; an altered archive either fails to
//! open or opens to exactly what was sealed, with the same archive id, key and chunk count
//! (some header text, such as the case of the archive id, can change without changing
//! anything): never to other, fewer or reordered bytes. Nothing panics, whatever the input.

#![no_main]

use std::ops::Range;
use std::sync::LazyLock;

use libfuzzer_sys::fuzz_target;
use ward_crypto::archive::{open_archive, seal_archive, ArchiveInfo};
use ward_crypto::keyring::{Keyring, RootKey};
use ward_fuzz::Input;

/// Fixed root keys (base64 of 32 bytes), so that a saved input replays against the same keys.
const CURRENT_ROOT_KEY: &str = "AQIDBAUGBwgJCgsMDQ4PEBESExQVFhcYGRobHB0eHyA=";
const RETIRED_ROOT_KEY: &str = "ZWZnaGlqa2xtbm9wcXJzdHV2d3h5ent8fX5/gIGCg4Q=";

/// The archive chunk size (`CHUNK` in crates/ward-crypto/src/archive.rs).
const CHUNK: usize = 1 << 20;

/// Most byte-level changes to one archive.
const MAX_STEPS: usize = 8;

struct Sealed {
    plain: Vec<u8>,
    bytes: Vec<u8>,
    info: ArchiveInfo,
    /// The header, then each chunk (its length and sealed bytes).
    header: Range<usize>,
    chunks: Vec<Range<usize>>,
}

struct Fixture {
    keyring: Keyring,
    archives: Vec<Sealed>,
}

static FIXTURE: LazyLock<Fixture> = LazyLock::new(|| {
    let current = RootKey::from_base64(CURRENT_ROOT_KEY).expect("the current root key");
    let retired = RootKey::from_base64(RETIRED_ROOT_KEY).expect("the retired root key");
    let before_rotation = Keyring::new(retired.clone());
    let mut keyring = Keyring::new(current);
    keyring.add(retired, false);
    let mut small = b"SQLite format 3\0".to_vec();
    small.extend((0..3000u32).map(|i| (i * 7 % 251) as u8));
    let two_chunks: Vec<u8> = (0..CHUNK as u32 + 100).map(|i| (i % 253) as u8).collect();
    let archives = vec![
        seal(&keyring, Vec::new()),
        seal(&before_rotation, small),
        seal(&keyring, two_chunks),
    ];
    for archive in &archives {
        let mut out = Vec::new();
        let info = open_archive(&keyring, &mut archive.bytes.as_slice(), &mut out)
            .expect("a fresh archive opens");
        assert!(out == archive.plain && info == archive.info);
    }
    Fixture { keyring, archives }
});

fuzz_target!(|data: &[u8]| {
    let fixture = &*FIXTURE;
    let mut input = Input::new(data);
    let selector = input.byte() % 8;
    if selector == 7 {
        raw(fixture, input.rest());
        return;
    }
    let sealed = &fixture.archives[usize::from(selector) % fixture.archives.len()];
    let mut bytes = reorder_chunks(sealed, &mut input);
    for _ in 0..MAX_STEPS {
        if input.is_empty() {
            break;
        }
        change_bytes(&mut bytes, &mut input);
    }
    let mut out = Vec::new();
    match open_archive(&fixture.keyring, &mut bytes.as_slice(), &mut out) {
        Ok(info) => {
            assert!(
                out == sealed.plain,
                "an altered archive opened to other contents ({} bytes, {} sealed)",
                out.len(),
                sealed.plain.len()
            );
            assert_eq!(info, sealed.info, "an altered archive opened as another");
        }
        Err(e) => {
            let _ = e.to_string();
            assert!(
                bytes != sealed.bytes,
                "an untouched archive does not open: {e}"
            );
        }
    }
});

/// The input as an archive: nothing opens without the root key, and nothing panics.
fn raw(fixture: &Fixture, archive: &[u8]) {
    let mut out = Vec::new();
    match open_archive(&fixture.keyring, &mut &archive[..], &mut out) {
        Ok(info) => {
            assert_eq!(info.bytes, out.len() as u64);
            assert!(info.chunks >= 1);
            assert!(fixture.keyring.has_root_key(&info.root_key_id));
        }
        Err(e) => {
            let _ = e.to_string();
        }
    }
}

fn seal(keyring: &Keyring, plain: Vec<u8>) -> Sealed {
    let mut bytes = Vec::new();
    let info = seal_archive(keyring, &mut plain.as_slice(), &mut bytes).expect("sealing works");
    let header_end = bytes
        .windows(2)
        .position(|pair| pair == b"\n\n")
        .expect("an archive has a header")
        + 2;
    let mut chunks = Vec::new();
    let mut at = header_end;
    while at < bytes.len() {
        let len: [u8; 4] = bytes[at..at + 4].try_into().expect("a chunk length");
        let end = at + 4 + u32::from_be_bytes(len) as usize;
        chunks.push(at..end);
        at = end;
    }
    Sealed {
        plain,
        bytes,
        info,
        header: 0..header_end,
        chunks,
    }
}

/// The archive with whole chunks swapped, dropped or repeated (a replay within the archive).
fn reorder_chunks(sealed: &Sealed, input: &mut Input<'_>) -> Vec<u8> {
    let mut order: Vec<usize> = (0..sealed.chunks.len()).collect();
    for _ in 0..input.byte() % 4 {
        if order.is_empty() {
            break;
        }
        let a = input.index(order.len());
        match input.byte() % 3 {
            0 => {
                let b = input.index(order.len());
                order.swap(a, b);
            }
            1 => {
                order.remove(a);
            }
            _ => {
                let to = input.index(order.len() + 1);
                let chunk = order[a];
                order.insert(to, chunk);
            }
        }
    }
    let mut bytes = sealed.bytes[sealed.header.clone()].to_vec();
    for chunk in order {
        bytes.extend_from_slice(&sealed.bytes[sealed.chunks[chunk].clone()]);
    }
    bytes
}

/// One change anywhere in the bytes.
fn change_bytes(bytes: &mut Vec<u8>, input: &mut Input<'_>) {
    let len = bytes.len();
    match input.byte() % 7 {
        // Flip bits.
        0 if len > 0 => {
            let at = input.index(len);
            bytes[at] ^= input.byte().max(1);
        }
        0 => {}
        // Cut short.
        1 => bytes.truncate(input.index(len + 1)),
        // Delete a range.
        2 => {
            let at = input.index(len + 1);
            let n = usize::from(input.u16()).min(len - at);
            bytes.drain(at..at + n);
        }
        // Insert bytes.
        3 => {
            let at = input.index(len + 1);
            let tail = bytes.split_off(at);
            bytes.extend_from_slice(input.bytes(64));
            bytes.extend_from_slice(&tail);
        }
        // Overwrite bytes.
        4 => {
            let at = input.index(len + 1);
            let new = input.bytes(64);
            let end = (at + new.len()).min(len);
            bytes[at..end].copy_from_slice(&new[..end - at]);
        }
        // Repeat a range elsewhere.
        5 => {
            let from = input.index(len + 1);
            let n = usize::from(input.u16()).min(len - from);
            let piece = bytes[from..from + n].to_vec();
            let at = input.index(len + 1);
            let tail = bytes.split_off(at);
            bytes.extend_from_slice(&piece);
            bytes.extend_from_slice(&tail);
        }
        // Append bytes.
        _ => bytes.extend_from_slice(input.bytes(64)),
    }
}
