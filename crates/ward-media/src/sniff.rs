//! Naming a file's type from its bytes, against the allow-list.

use crate::{Inspected, MediaError};

/// How many leading bytes [`sniff`] wants (fewer only when the file is shorter).
pub const SNIFF_LEN: usize = 8192;

/// The images whose metadata Ward strips.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ImageFormat {
    Jpeg,
    Png,
    WebP,
}

impl ImageFormat {
    pub fn media_type(self) -> &'static str {
        match self {
            Self::Jpeg => "image/jpeg",
            Self::Png => "image/png",
            Self::WebP => "image/webp",
        }
    }
}

/// What to do with an allowed file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Handling {
    /// An image: buffer it whole, strip metadata, thumbnail.
    Image(ImageFormat),
    /// A ZIP container (Office Open XML, OpenDocument): buffer it whole, check for a bomb and
    /// classify it by its entries.
    Archive,
    /// An OLE compound file (Word, Excel or PowerPoint 97-2003): buffer it whole to classify.
    Compound,
    /// Stored as uploaded, streamed chunk by chunk.
    Stream(&'static str),
}

/// Audio and video that clinicians send (voice notes, clips) and browsers play.
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

/// The ZIP-based types; which one a file is comes from its entries, not from this guess.
const ZIP_FAMILY: &[&str] = &[
    "application/zip",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    "application/vnd.oasis.opendocument.text",
    "application/vnd.oasis.opendocument.spreadsheet",
    "application/vnd.oasis.opendocument.presentation",
];

const OLE_SIGNATURE: [u8; 8] = [0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1];

/// Names the type of a file from its first bytes (up to [`SNIFF_LEN`]) and says how to handle
/// it, or refuses it. A generic ZIP is let through here only to be classified (or refused)
/// once whole.
pub fn sniff(head: &[u8]) -> Result<Handling, MediaError> {
    if head.starts_with(&OLE_SIGNATURE) {
        return Ok(Handling::Compound);
    }
    let detected = infer::get(head).map(|t| t.mime_type());
    match detected {
        Some("image/jpeg") => Ok(Handling::Image(ImageFormat::Jpeg)),
        Some("image/png") => Ok(Handling::Image(ImageFormat::Png)),
        Some("image/webp") => Ok(Handling::Image(ImageFormat::WebP)),
        Some(t) if ZIP_FAMILY.contains(&t) => Ok(Handling::Archive),
        Some(t) => match STREAMED.iter().find(|allowed| **allowed == t) {
            Some(allowed) => Ok(Handling::Stream(allowed)),
            None => Err(MediaError::NotAllowed {
                detected: t.to_owned(),
            }),
        },
        None => Err(MediaError::NotAllowed {
            detected: "unrecognised".to_owned(),
        }),
    }
}

/// Classifies a whole OLE compound file: only the Office 97-2003 formats are allowed.
pub(crate) fn compound(bytes: Vec<u8>) -> Result<Inspected, MediaError> {
    let media_type = match infer::get(&bytes).map(|t| t.mime_type()) {
        Some("application/msword") => "application/msword",
        Some("application/vnd.ms-excel") => "application/vnd.ms-excel",
        Some("application/vnd.ms-powerpoint") => "application/vnd.ms-powerpoint",
        _ => {
            return Err(MediaError::NotAllowed {
                detected: "OLE compound file that is not a Word, Excel or PowerPoint document"
                    .to_owned(),
            });
        }
    };
    Ok(Inspected {
        media_type,
        bytes,
        metadata: crate::not_stripped(media_type),
        thumbnail: None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn allowed_types_are_recognised_from_their_bytes() {
        let cases: &[(&[u8], Handling)] = &[
            (
                b"\xFF\xD8\xFF\xE0\x00\x10JFIF\x00",
                Handling::Image(ImageFormat::Jpeg),
            ),
            (
                b"\x89PNG\r\n\x1a\n\x00\x00\x00\x0dIHDR",
                Handling::Image(ImageFormat::Png),
            ),
            (
                b"RIFF\x24\x00\x00\x00WEBPVP8 ",
                Handling::Image(ImageFormat::WebP),
            ),
            (
                b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n",
                Handling::Stream("application/pdf"),
            ),
            (
                b"ID3\x04\x00\x00\x00\x00\x00\x00",
                Handling::Stream("audio/mpeg"),
            ),
            (
                b"\x00\x00\x00\x18ftypmp42\x00\x00\x00\x00mp42isom",
                Handling::Stream("video/mp4"),
            ),
            (b"PK\x03\x04\x14\x00\x00\x00\x08\x00", Handling::Archive),
            (&OLE_SIGNATURE, Handling::Compound),
        ];
        for (head, expected) in cases {
            assert_eq!(sniff(head).as_ref(), Ok(expected), "{head:?}");
        }
    }

    #[test]
    fn refused_types_name_what_was_detected() {
        let mut elf = b"\x7FELF\x02\x01\x01".to_vec();
        elf.resize(64, 0);
        let cases: &[(&[u8], &str)] = &[
            (&elf, "application/x-executable"),
            (
                b"MZ\x90\x00\x03\x00\x00\x00\x04\x00",
                "application/vnd.microsoft.portable-executable",
            ),
            (b"GIF89a\x01\x00\x01\x00", "image/gif"),
            (b"\x1f\x8b\x08\x00\x00\x00\x00\x00", "application/gzip"),
            (b"just some text, which cannot be sniffed", "unrecognised"),
            (b"", "unrecognised"),
        ];
        for (head, detected) in cases {
            match sniff(head) {
                Err(MediaError::NotAllowed { detected: got }) => assert_eq!(got, *detected),
                other => panic!("{head:?} gave {other:?}"),
            }
        }
    }

    #[test]
    fn a_compound_file_that_is_not_office_is_refused() {
        let mut bytes = OLE_SIGNATURE.to_vec();
        bytes.resize(2048, 0);
        assert!(matches!(
            compound(bytes),
            Err(MediaError::NotAllowed { .. })
        ));
    }
}
