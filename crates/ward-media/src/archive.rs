//! ZIP containers: Office Open XML and OpenDocument files are allowed, after every entry has
//! been inflated against the limits (an archive bomb is refused) and the entries have shown
//! which kind of document it is. Any other ZIP is refused.

use std::io::{Cursor, Read};

use crate::{Inspected, Limits, MediaError};

const MEBIBYTE: u64 = 1 << 20;

/// Which document an archive is, by the entry that only that kind has.
const OFFICE_MARKERS: &[(&str, &str)] = &[
    (
        "word/document.xml",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ),
    (
        "xl/workbook.xml",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ),
    (
        "ppt/presentation.xml",
        "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    ),
];

/// The OpenDocument types, named by the archive's `mimetype` entry.
const OPENDOCUMENT: &[&str] = &[
    "application/vnd.oasis.opendocument.text",
    "application/vnd.oasis.opendocument.spreadsheet",
    "application/vnd.oasis.opendocument.presentation",
];

pub(crate) fn inspect(bytes: Vec<u8>, limits: &Limits) -> Result<Inspected, MediaError> {
    let media_type = check(&bytes, limits)?;
    Ok(Inspected {
        media_type,
        bytes,
        metadata: crate::not_stripped(media_type),
        thumbnail: None,
    })
}

/// Inflates every entry within the limits and names the document type.
fn check(bytes: &[u8], limits: &Limits) -> Result<&'static str, MediaError> {
    let mut archive = zip::ZipArchive::new(Cursor::new(bytes))
        .map_err(|e| MediaError::Malformed(format!("archive: {e}")))?;
    if archive.len() > limits.max_entries {
        return Err(MediaError::Bomb(format!(
            "the archive has {} entries; at most {} are allowed",
            archive.len(),
            limits.max_entries
        )));
    }
    let mut names = Vec::with_capacity(archive.len());
    let mut opendocument = None;
    let mut expanded = 0u64;
    for index in 0..archive.len() {
        let mut entry = archive
            .by_index(index)
            .map_err(|e| MediaError::Malformed(format!("archive entry: {e}")))?;
        if entry.encrypted() {
            return Err(MediaError::NotAllowed {
                detected: "encrypted archive".to_owned(),
            });
        }
        let name = entry.name().map(|n| n.into_owned()).unwrap_or_default();
        let compressed = entry.compressed_size().max(1);
        let room = limits.max_expanded_bytes - expanded;
        // Read one byte past what the entry may take, so that a size it lies about shows.
        let mut sink = Vec::new();
        let read = (&mut entry)
            .take(room + 1)
            .read_to_end(&mut sink)
            .map_err(|e| MediaError::Malformed(format!("archive entry: {e}")))?
            as u64;
        if read > room {
            return Err(MediaError::Bomb(format!(
                "the archive expands to more than {} bytes",
                limits.max_expanded_bytes
            )));
        }
        if read > MEBIBYTE && read / compressed > limits.max_ratio {
            return Err(MediaError::Bomb(format!(
                "an entry expands {}-fold; at most {}-fold is allowed",
                read / compressed,
                limits.max_ratio
            )));
        }
        expanded += read;
        if name == "mimetype" {
            opendocument = OPENDOCUMENT
                .iter()
                .find(|t| sink.trim_ascii() == t.as_bytes())
                .copied();
        }
        names.push(name);
    }
    let office = OFFICE_MARKERS
        .iter()
        .find(|(marker, _)| names.iter().any(|n| n == marker))
        .map(|(_, media_type)| *media_type);
    let has_content_types = names.iter().any(|n| n == "[Content_Types].xml");
    match (office, opendocument) {
        (Some(media_type), _) if has_content_types => Ok(media_type),
        (_, Some(media_type)) => Ok(media_type),
        _ => Err(MediaError::NotAllowed {
            detected: "application/zip".to_owned(),
        }),
    }
}

#[cfg(test)]
mod tests {
    use std::io::Write;

    use zip::write::SimpleFileOptions;

    use super::*;

    fn zip_of(entries: &[(&str, &[u8])]) -> Vec<u8> {
        let mut writer = zip::ZipWriter::new(Cursor::new(Vec::new()));
        for (name, data) in entries {
            writer
                .start_file(*name, SimpleFileOptions::default())
                .expect("entry");
            writer.write_all(data).expect("write");
        }
        writer.finish().expect("finish").into_inner()
    }

    #[test]
    fn office_and_opendocument_files_are_named_by_their_entries() {
        let docx = zip_of(&[
            ("[Content_Types].xml", b"<Types/>"),
            ("word/document.xml", b"<w:document/>"),
        ]);
        let odt = zip_of(&[
            ("mimetype", b"application/vnd.oasis.opendocument.text"),
            ("content.xml", b"<office:document-content/>"),
        ]);
        let limits = Limits::default();
        assert_eq!(
            check(&docx, &limits),
            Ok("application/vnd.openxmlformats-officedocument.wordprocessingml.document")
        );
        assert_eq!(
            check(&odt, &limits),
            Ok("application/vnd.oasis.opendocument.text")
        );
    }

    #[test]
    fn a_plain_zip_is_refused() {
        let plain = zip_of(&[("notes.txt", b"hello")]);
        assert_eq!(
            check(&plain, &Limits::default()),
            Err(MediaError::NotAllowed {
                detected: "application/zip".to_owned()
            })
        );
    }

    #[test]
    fn archive_bombs_are_refused() {
        let zeros = vec![0u8; 8 << 20];
        let bomb = zip_of(&[
            ("[Content_Types].xml", b"<Types/>"),
            ("word/document.xml", &zeros),
        ]);
        assert!(matches!(
            check(&bomb, &Limits::default()),
            Err(MediaError::Bomb(_))
        ));
        let small_budget = Limits {
            max_expanded_bytes: 1024,
            ..Limits::default()
        };
        let docx = zip_of(&[
            ("[Content_Types].xml", b"<Types/>"),
            ("word/document.xml", &[b'x'; 4096]),
        ]);
        assert!(matches!(
            check(&docx, &small_budget),
            Err(MediaError::Bomb(_))
        ));
    }

    #[test]
    fn a_truncated_archive_is_malformed() {
        let docx = zip_of(&[
            ("[Content_Types].xml", b"<Types/>"),
            ("word/document.xml", b"<w:document/>"),
        ]);
        assert!(matches!(
            check(&docx[..docx.len() / 2], &Limits::default()),
            Err(MediaError::Malformed(_))
        ));
    }
}
