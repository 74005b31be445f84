//! Sealed archives (backups): a stream cut into 1 MiB chunks, each sealed with AES-256-GCM under
//! a fresh archive key and bound to the archive, its index and whether it is the last, so an
//! altered, reordered or cut-short archive fails to open and says where. The archive key is
//! wrapped by the root key into the header: an archive opens only with the root key it was
//! made under.
//!
//! Layout: `WARD-ARCHIVE-1\n`, header lines `archive-id: <uuid>`, `root-key-id: <id>`,
//! `wrapped-key: <base64>`, an empty line, then chunks as a 4-byte big-endian length and the
//! sealed bytes.

use std::io::{BufRead, BufReader, Read, Write};

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use uuid::Uuid;
use ward_core::keys::{Epoch, KeyScope, WrappedKey};

use crate::keyring::{Keyring, SecretKey};
use crate::seal::{self, Binding};

const MAGIC: &str = "WARD-ARCHIVE-1";
const CHUNK: usize = 1 << 20;
/// A sealed chunk is the plaintext plus nonce and tag; anything larger is not ours.
const MAX_SEALED: usize = CHUNK + 64;
const KEY_EPOCH: Epoch = Epoch::from_index(0);

/// Why an archive could not be made or opened.
#[derive(Debug, thiserror::Error)]
pub enum ArchiveError {
    #[error("not a Ward backup (no archive header)")]
    NotAnArchive,
    #[error("made with another root key ({0}); restore with the root key it was made under")]
    OtherRootKey(String),
    #[error("corrupt at chunk {0}: it fails authentication")]
    Corrupt(u64),
    #[error("truncated: it ends after chunk {0} without its last chunk")]
    Truncated(u64),
    #[error("cannot read or write: {0}")]
    Io(#[from] std::io::Error),
    #[error(transparent)]
    Crypto(#[from] crate::CryptoError),
}

/// What an archive holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ArchiveInfo {
    pub archive_id: Uuid,
    pub root_key_id: String,
    /// Plaintext bytes.
    pub bytes: u64,
    pub chunks: u64,
}

/// Seals everything `input` yields into `output`.
pub fn seal_archive(
    keyring: &Keyring,
    input: &mut impl Read,
    output: &mut impl Write,
) -> Result<ArchiveInfo, ArchiveError> {
    let archive_id = Uuid::new_v4();
    let key = SecretKey::generate()?;
    let wrapped = keyring.wrap(KeyScope::BackupArchive, KEY_EPOCH, &key)?;
    write!(
        output,
        "{MAGIC}\narchive-id: {archive_id}\nroot-key-id: {}\nwrapped-key: {}\n\n",
        wrapped.root_key_id,
        STANDARD.encode(&wrapped.ciphertext)
    )?;
    let (mut current, mut index, mut bytes) = (read_chunk(input)?, 0u64, 0u64);
    loop {
        let next = if current.len() == CHUNK {
            read_chunk(input)?
        } else {
            Vec::new()
        };
        let last = next.is_empty();
        let binding = Binding::ArchiveChunk {
            archive: archive_id,
            index,
            last,
        };
        let sealed = seal::seal(&key, binding, &current)?;
        let len = u32::try_from(sealed.len()).map_err(|_| ArchiveError::Corrupt(index))?;
        output.write_all(&len.to_be_bytes())?;
        output.write_all(&sealed)?;
        bytes += current.len() as u64;
        index += 1;
        if last {
            break;
        }
        current = next;
    }
    output.flush()?;
    Ok(ArchiveInfo {
        archive_id,
        root_key_id: wrapped.root_key_id,
        bytes,
        chunks: index,
    })
}

/// Opens an archive into `output` (pass [`std::io::sink`] to check it only). On an error,
/// what was written to `output` must be discarded.
pub fn open_archive(
    keyring: &Keyring,
    input: &mut impl Read,
    output: &mut impl Write,
) -> Result<ArchiveInfo, ArchiveError> {
    let mut input = BufReader::new(input);
    let (archive_id, wrapped) = read_header(&mut input)?;
    if !keyring.root_key_ids().contains(&wrapped.root_key_id) {
        return Err(ArchiveError::OtherRootKey(wrapped.root_key_id));
    }
    let key = keyring
        .unwrap(KeyScope::BackupArchive, KEY_EPOCH, &wrapped)
        .map_err(|_| ArchiveError::OtherRootKey(wrapped.root_key_id.clone()))?;
    let (mut index, mut bytes) = (0u64, 0u64);
    loop {
        let mut len = [0u8; 4];
        if !read_full(&mut input, &mut len)? {
            return Err(ArchiveError::Truncated(index));
        }
        let len = u32::from_be_bytes(len) as usize;
        if len > MAX_SEALED {
            return Err(ArchiveError::Corrupt(index));
        }
        let mut sealed = vec![0u8; len];
        if !read_full(&mut input, &mut sealed)? {
            return Err(ArchiveError::Truncated(index));
        }
        let open = |last| {
            let binding = Binding::ArchiveChunk {
                archive: archive_id,
                index,
                last,
            };
            seal::open(&key, binding, &sealed)
        };
        let (plain, last) = match open(false) {
            Ok(plain) => (plain, false),
            Err(_) => (open(true).map_err(|_| ArchiveError::Corrupt(index))?, true),
        };
        output.write_all(&plain)?;
        bytes += plain.len() as u64;
        index += 1;
        if last {
            break;
        }
    }
    if input.fill_buf()?.is_empty() {
        output.flush()?;
        Ok(ArchiveInfo {
            archive_id,
            root_key_id: wrapped.root_key_id,
            bytes,
            chunks: index,
        })
    } else {
        Err(ArchiveError::Corrupt(index))
    }
}

fn read_header(input: &mut impl BufRead) -> Result<(Uuid, WrappedKey), ArchiveError> {
    let mut line = String::new();
    let mut next = |input: &mut dyn BufRead| -> Result<String, ArchiveError> {
        line.clear();
        let mut limited = input.take(512);
        limited.read_line(&mut line)?;
        Ok(line.trim_end_matches('\n').to_owned())
    };
    if next(input)? != MAGIC {
        return Err(ArchiveError::NotAnArchive);
    }
    let field = |text: String, name: &str| -> Result<String, ArchiveError> {
        text.strip_prefix(name)
            .and_then(|rest| rest.strip_prefix(": "))
            .map(str::to_owned)
            .ok_or(ArchiveError::NotAnArchive)
    };
    let archive_id = field(next(input)?, "archive-id")?
        .parse()
        .map_err(|_| ArchiveError::NotAnArchive)?;
    let root_key_id = field(next(input)?, "root-key-id")?;
    let ciphertext = STANDARD
        .decode(field(next(input)?, "wrapped-key")?)
        .map_err(|_| ArchiveError::NotAnArchive)?;
    if !next(input)?.is_empty() {
        return Err(ArchiveError::NotAnArchive);
    }
    Ok((
        archive_id,
        WrappedKey {
            root_key_id,
            ciphertext,
        },
    ))
}

fn read_chunk(input: &mut impl Read) -> std::io::Result<Vec<u8>> {
    let mut chunk = Vec::with_capacity(CHUNK);
    input.take(CHUNK as u64).read_to_end(&mut chunk)?;
    Ok(chunk)
}

/// Fills `buf`; false if the input ended first.
fn read_full(input: &mut impl Read, buf: &mut [u8]) -> std::io::Result<bool> {
    match input.read_exact(buf) {
        Ok(()) => Ok(true),
        Err(e) if e.kind() == std::io::ErrorKind::UnexpectedEof => Ok(false),
        Err(e) => Err(e),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::keyring::RootKey;

    fn archive(keyring: &Keyring, data: &[u8]) -> Vec<u8> {
        let mut out = Vec::new();
        seal_archive(keyring, &mut &data[..], &mut out).expect("seal");
        out
    }

    fn open(keyring: &Keyring, archive: &[u8]) -> Result<Vec<u8>, ArchiveError> {
        let mut out = Vec::new();
        open_archive(keyring, &mut &archive[..], &mut out)?;
        Ok(out)
    }

    #[test]
    fn round_trips_and_refuses_damage() {
        let keyring = Keyring::new(RootKey::generate().expect("root"));
        let data: Vec<u8> = (0..(CHUNK * 2 + 100)).map(|i| (i % 251) as u8).collect();
        let sealed = archive(&keyring, &data);
        assert_eq!(open(&keyring, &sealed).expect("open"), data);
        assert_eq!(open(&keyring, &archive(&keyring, b"")).expect("empty"), b"");
        assert_eq!(
            open(&keyring, &archive(&keyring, &data[..CHUNK])).expect("exactly one chunk"),
            &data[..CHUNK]
        );

        let mut flipped = sealed.clone();
        let at = sealed.len() - 10;
        flipped[at] ^= 1;
        assert!(matches!(
            open(&keyring, &flipped),
            Err(ArchiveError::Corrupt(2))
        ));
        let cut = &sealed[..sealed.len() - (100 + 32)];
        assert!(matches!(
            open(&keyring, cut),
            Err(ArchiveError::Truncated(2))
        ));
        let whole_chunks_only = &sealed[..sealed.len() - (100 + 28 + 4)];
        assert!(matches!(
            open(&keyring, whole_chunks_only),
            Err(ArchiveError::Truncated(2))
        ));
        assert!(matches!(
            open(&keyring, b"SQLite format 3\0"),
            Err(ArchiveError::NotAnArchive)
        ));
        let other = Keyring::new(RootKey::generate().expect("root"));
        assert!(matches!(
            open(&other, &sealed),
            Err(ArchiveError::OtherRootKey(_))
        ));
    }
}
