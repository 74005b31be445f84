//! The image metadata strippers (crates/ward-media/src/picture.rs), reached as the upload path
//! reaches them: `ward_media::sniff` on the first bytes, then `ward_media::inspect` on the whole
//! file, which strips, decodes and thumbnails it.
//!
//! Holds, for every image that passes: what is stored is the same kind of image, parses, and
//! carries none of what the stripper promises to remove. JPEG: no EXIF but the orientation
//! alone, no XMP, IPTC, comment, MPF or other application segment (APP0, APP14 and the ICC
//! profile stay), anywhere up to the end of the image (between progressive scans too), and
//! nothing after the end-of-image marker. PNG: no tEXt, zTXt, iTXt or tIME chunk, no EXIF but
//! the orientation alone, nothing after IEND. WebP: no XMP chunk, no EXIF but the orientation
//! alone. The report names each kind removed once, and a thumbnail (a JPEG) is made.

#![no_main]

use img_parts::jpeg::{markers, Jpeg};
use img_parts::png::Png;
use img_parts::webp::{WebP, CHUNK_EXIF, CHUNK_XMP};
use img_parts::Bytes;
use libfuzzer_sys::fuzz_target;
use ward_media::{inspect, sniff, Handling, ImageFormat, Limits, Metadata, SNIFF_LEN};

/// A small pixel budget keeps each decode quick; anything larger is refused as a bomb before
/// any pixel is decoded, which is a path worth reaching too.
const LIMITS: Limits = Limits {
    max_pixels: 1 << 16,
    max_expanded_bytes: 1 << 24,
    max_ratio: 100,
    max_entries: 256,
};

const EXIF_PREFIX: &[u8] = b"Exif\0\0";
const ICC_PREFIX: &[u8] = b"ICC_PROFILE\0";

fuzz_target!(|data: &[u8]| {
    let head = &data[..data.len().min(SNIFF_LEN)];
    let Ok(Handling::Image(format)) = sniff(head) else {
        return;
    };
    let Ok(inspected) = inspect(Handling::Image(format), data.to_vec(), &LIMITS) else {
        return;
    };
    assert_eq!(inspected.media_type, format.media_type());
    let Metadata::Stripped { removed } = &inspected.metadata else {
        panic!("an image was kept unstripped: {:?}", inspected.metadata);
    };
    for (i, kind) in removed.iter().enumerate() {
        assert!(!removed[..i].contains(kind), "{kind} is reported twice");
    }
    if removed.iter().any(|kind| kind == "gps") {
        assert!(
            removed.iter().any(|kind| kind == "exif"),
            "GPS reported without EXIF"
        );
    }
    let thumbnail = inspected
        .thumbnail
        .as_deref()
        .expect("every image gets a thumbnail");
    assert!(
        thumbnail.starts_with(&[0xFF, 0xD8, 0xFF]),
        "the thumbnail is not a JPEG"
    );
    let stored = inspected.bytes.as_slice();
    match format {
        ImageFormat::Jpeg => check_jpeg(stored),
        ImageFormat::Png => check_png(stored),
        ImageFormat::WebP => check_webp(stored),
    }
});

fn check_jpeg(stored: &[u8]) {
    let jpeg = Jpeg::from_bytes(Bytes::copy_from_slice(stored)).expect("the stripped JPEG parses");
    // img-parts parses segments up to the first scan; the scan's entropy-coded data holds the
    // rest of the file (more scans and the tables between them), walked below.
    for segment in jpeg.segments() {
        check_jpeg_segment(
            segment.marker(),
            segment.contents(),
            "before the first scan",
        );
        if segment.has_entropy() {
            let encoded = segment.clone().encoder().bytes();
            check_scans(&encoded[segment.len().min(encoded.len())..]);
        }
    }
}

/// Walks scan data as the stripper does (`end_of_image` in picture.rs): over stuffed bytes, fill
/// bytes and restart markers, over whole segments between progressive scans, to the first
/// end-of-image marker, which must end the file.
fn check_scans(data: &[u8]) {
    let mut i = 0;
    while i + 1 < data.len() {
        if data[i] != 0xFF {
            i += 1;
            continue;
        }
        let marker = data[i + 1];
        match marker {
            0xFF => i += 1,
            0x00 | 0xD0..=0xD7 => i += 2,
            0xD9 => {
                assert!(
                    i + 2 == data.len(),
                    "{} bytes follow the end of the stripped image",
                    data.len() - (i + 2)
                );
                return;
            }
            _ => {
                let Some(len) = data
                    .get(i + 2..i + 4)
                    .map(|len| usize::from(u16::from_be_bytes([len[0], len[1]])))
                else {
                    break;
                };
                if let Some(contents) = data.get(i + 4..i + 2 + len) {
                    check_jpeg_segment(marker, contents, "between scans");
                }
                i += 2 + len;
            }
        }
    }
    panic!("the stripped JPEG has no end-of-image marker");
}

/// The segments the stripper keeps (`jpeg_metadata_kind` in picture.rs gives `None`), and the
/// orientation-only EXIF block it writes back.
fn check_jpeg_segment(marker: u8, contents: &[u8], place: &str) {
    match marker {
        markers::APP1 if contents.starts_with(EXIF_PREFIX) => {
            only_orientation(&contents[EXIF_PREFIX.len()..], "a JPEG");
        }
        markers::APP0 | markers::APP14 => {}
        markers::APP2 if contents.starts_with(ICC_PREFIX) => {}
        markers::APP0..=markers::APP15 => panic!(
            "an APP{} segment is left {place} in a stripped JPEG",
            marker - markers::APP0
        ),
        markers::COM => panic!("a comment is left {place} in a stripped JPEG"),
        _ => {}
    }
}

fn check_png(stored: &[u8]) {
    let png = Png::from_bytes(Bytes::copy_from_slice(stored)).expect("the stripped PNG parses");
    for chunk in png.chunks() {
        match &chunk.kind() {
            b"eXIf" => only_orientation(chunk.contents(), "a PNG"),
            b"tEXt" | b"zTXt" | b"iTXt" => panic!("a text chunk is left in a stripped PNG"),
            b"tIME" => panic!("a tIME chunk is left in a stripped PNG"),
            _ => {}
        }
    }
    assert_eq!(
        png.chunks().last().map(|chunk| chunk.kind()),
        Some(*b"IEND"),
        "the stripped PNG does not end with IEND"
    );
    assert_eq!(
        png.len(),
        stored.len(),
        "bytes follow IEND in a stripped PNG"
    );
}

fn check_webp(stored: &[u8]) {
    let webp = WebP::from_bytes(Bytes::copy_from_slice(stored)).expect("the stripped WebP parses");
    assert!(
        !webp.has_chunk(CHUNK_XMP),
        "an XMP chunk is left in a stripped WebP"
    );
    for chunk in webp.chunks_by_id(CHUNK_EXIF) {
        if let Some(exif) = chunk.content().data() {
            only_orientation(exif, "a WebP");
        }
    }
}

/// An EXIF block (TIFF bytes) left in a stripped image must be the one the stripper writes:
/// the orientation and nothing else (no GPS, camera, time or thumbnail).
fn only_orientation(tiff: &[u8], image: &str) {
    let exif = exif::Reader::new()
        .read_raw(tiff.to_vec())
        .unwrap_or_else(|e| panic!("the EXIF left in {image} is not the stripper's own: {e}"));
    for field in exif.fields() {
        assert!(
            field.tag == exif::Tag::Orientation,
            "EXIF field {} is left in {image}",
            field.tag
        );
    }
}
