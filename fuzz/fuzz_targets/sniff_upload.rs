//! The upload sniffer (`ward_media::sniff`) on the first bytes of a file, then the whole-file
//! check the upload path hands it to (`ward_media::inspect`) for streamed files, ZIP containers
//! (Office Open XML, OpenDocument, archive bombs) and OLE compound files. Images go on to the
//! strippers, which `strip_image` fuzzes.
//!
//! Holds: sniffing refuses only with "not allowed", and never refuses a type on the allow-list;
//! every type it lets through is on the allow-list; a streamed file is stored byte for byte; a
//! document that passes inspection is one of the allowed document types, stored as uploaded.

#![no_main]

use libfuzzer_sys::fuzz_target;
use ward_media::{inspect, sniff, Handling, Limits, MediaError, Metadata, SNIFF_LEN};

/// Streamed as uploaded (`STREAMED` in crates/ward-media/src/sniff.rs).
const STREAMED: &[&str] = &[
    "application/pdf",
    "audio/mpeg",
    "audio/m4a",
    "audio/ogg",
    "audio/opus",
    "audio/x-wav",
    "audio/aac",
    "audio/x-flac",
    "audio/amr",
    "video/mp4",
    "video/quicktime",
    "video/webm",
    "video/x-m4v",
    "video/x-matroska",
];

/// The images whose metadata is stripped.
const IMAGES: &[&str] = &["image/jpeg", "image/png", "image/webp"];

/// What sniffing takes for a ZIP container, to be classified once whole (`ZIP_FAMILY`).
const ZIP_FAMILY: &[&str] = &[
    "application/zip",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    "application/vnd.oasis.opendocument.text",
    "application/vnd.oasis.opendocument.spreadsheet",
    "application/vnd.oasis.opendocument.presentation",
];

/// The documents a whole-file inspection may accept.
const DOCUMENTS: &[&str] = &[
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    "application/vnd.oasis.opendocument.text",
    "application/vnd.oasis.opendocument.spreadsheet",
    "application/vnd.oasis.opendocument.presentation",
    "application/msword",
    "application/vnd.ms-excel",
    "application/vnd.ms-powerpoint",
];

/// Smaller than the server's defaults so that one input stays quick (and a bomb is found at a
/// size the fuzzer reaches); the checks are the same.
const LIMITS: Limits = Limits {
    max_pixels: 1 << 16,
    max_expanded_bytes: 1 << 24,
    max_ratio: 100,
    max_entries: 256,
};

fuzz_target!(|data: &[u8]| {
    // The upload path sniffs the first SNIFF_LEN bytes, then reads the rest.
    let head = &data[..data.len().min(SNIFF_LEN)];
    let handling = match sniff(head) {
        Ok(handling) => handling,
        Err(MediaError::NotAllowed { detected }) => {
            let detected = detected.as_str();
            assert!(
                !STREAMED.contains(&detected)
                    && !IMAGES.contains(&detected)
                    && !ZIP_FAMILY.contains(&detected),
                "an allowed type was refused: {detected}"
            );
            return;
        }
        Err(other) => panic!("sniffing refuses only as not allowed, not {other:?}"),
    };
    match handling {
        Handling::Image(format) => assert!(IMAGES.contains(&format.media_type())),
        Handling::Stream(media_type) => {
            assert!(
                STREAMED.contains(&media_type),
                "{media_type} is streamed but not on the allow-list"
            );
            let inspected = inspect(handling, data.to_vec(), &LIMITS)
                .unwrap_or_else(|e| panic!("a streamed {media_type} was refused: {e}"));
            assert_eq!(inspected.media_type, media_type);
            assert!(inspected.bytes == data, "a streamed file was changed");
            assert!(inspected.thumbnail.is_none());
            assert!(matches!(inspected.metadata, Metadata::NotStripped { .. }));
        }
        Handling::Archive | Handling::Compound => {
            if let Ok(inspected) = inspect(handling, data.to_vec(), &LIMITS) {
                assert!(
                    DOCUMENTS.contains(&inspected.media_type),
                    "{:?} accepted as {}",
                    handling,
                    inspected.media_type
                );
                assert!(inspected.bytes == data, "a document was changed");
                assert!(inspected.thumbnail.is_none());
                assert!(matches!(inspected.metadata, Metadata::NotStripped { .. }));
            }
        }
    }
});
