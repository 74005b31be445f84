//! Ward's checks on uploaded files, as pure functions over bytes (no I/O, no keys):
//!
//! - [`sniff`] names the type from the first bytes and holds it against an allow-list; the
//!   client's Content-Type and file name are never consulted.
//! - [`inspect`] handles the types that must be looked at whole before they are stored: images
//!   lose their EXIF, XMP, IPTC and comments without being re-encoded (orientation is kept)
//!   and get a thumbnail; Office and OpenDocument files are checked for archive bombs.
//! - Everything else on the allow-list (PDF, audio, video) streams through unchanged and is
//!   reported as [`Metadata::NotStripped`].

mod archive;
mod picture;
mod sniff;

use serde::{Deserialize, Serialize};

pub use sniff::{Handling, ImageFormat, SNIFF_LEN, sniff};

/// What was done about a file's embedded metadata. Reported to the uploader and kept with the
/// attachment, so nobody has to guess.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum Metadata {
    /// Metadata was removed; `removed` names the kinds found and dropped (empty if none).
    Stripped { removed: Vec<String> },
    /// The file is stored as uploaded; `reason` says why.
    NotStripped { reason: String },
}

/// Bounds on what inspection will take on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Most pixels (width × height) an image may declare; more is a decompression bomb.
    pub max_pixels: u64,
    /// Most bytes an archive's entries may expand to, together.
    pub max_expanded_bytes: u64,
    /// Highest expansion ratio of one entry larger than a mebibyte.
    pub max_ratio: u64,
    /// Most entries an archive may hold.
    pub max_entries: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            max_pixels: 50_000_000,
            max_expanded_bytes: 1 << 30,
            max_ratio: 100,
            max_entries: 10_000,
        }
    }
}

/// A file checked whole, ready to be stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Inspected {
    /// The sniffed media type.
    pub media_type: &'static str,
    /// The bytes to store (for images: without their metadata).
    pub bytes: Vec<u8>,
    pub metadata: Metadata,
    /// A JPEG of at most [`THUMBNAIL_EDGE`] pixels a side, for images.
    pub thumbnail: Option<Vec<u8>>,
}

/// The longest side of a thumbnail, in pixels.
pub const THUMBNAIL_EDGE: u32 = 320;

/// Why a file is refused. The messages name the problem, never the file's contents.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum MediaError {
    /// The bytes are not of a type on the allow-list.
    #[error("files of this type are not accepted (detected: {detected})")]
    NotAllowed { detected: String },
    /// The bytes claim an allowed type but do not parse as it (truncated, corrupt).
    #[error("the file is malformed: {0}")]
    Malformed(String),
    /// The file would expand far beyond its size (archive bomb, decompression bomb image).
    #[error("the file expands beyond the allowed limits: {0}")]
    Bomb(String),
}

/// Checks and cleans a whole file that [`sniff`] said needs inspection.
///
/// Images are parsed, stripped, decoded (which proves they are well formed) and thumbnailed;
/// archives are opened, bounded and classified. This decodes pixels and inflates entries, so
/// callers run it off the async runtime.
pub fn inspect(
    handling: Handling,
    bytes: Vec<u8>,
    limits: &Limits,
) -> Result<Inspected, MediaError> {
    match handling {
        Handling::Image(format) => picture::inspect(format, bytes, limits),
        Handling::Archive => archive::inspect(bytes, limits),
        Handling::Compound => sniff::compound(bytes),
        Handling::Stream(media_type) => Ok(Inspected {
            media_type,
            bytes,
            metadata: not_stripped(media_type),
            thumbnail: None,
        }),
    }
}

/// The metadata report for a type stored as uploaded.
pub fn not_stripped(media_type: &str) -> Metadata {
    let reason = match media_type.split('/').next() {
        Some("audio" | "video") => {
            "audio and video metadata is not stripped: this server has no remuxing tool"
        }
        _ if media_type == "application/pdf" => "PDF document information is not stripped",
        _ => "document properties are not stripped",
    };
    Metadata::NotStripped {
        reason: reason.to_owned(),
    }
}
