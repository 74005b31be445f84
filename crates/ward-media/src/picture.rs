//! Images: metadata removed without re-encoding (the compressed pixel data is copied as is),
//! the EXIF orientation put back alone, a full decode that proves the file whole, and a
//! thumbnail.

use std::io::Cursor;

use image::ImageReader;
use image::metadata::Orientation;
use img_parts::jpeg::{Jpeg, JpegSegment, markers};
use img_parts::png::Png;
use img_parts::webp::{CHUNK_EXIF, CHUNK_XMP, WebP};
use img_parts::{Bytes, ImageEXIF};

use crate::{ImageFormat, Inspected, Limits, MediaError, Metadata, THUMBNAIL_EDGE};

/// Bytes an image decode may allocate per declared pixel (RGBA at 16 bits a channel).
const ALLOC_PER_PIXEL: u64 = 8;

pub(crate) fn inspect(
    format: ImageFormat,
    bytes: Vec<u8>,
    limits: &Limits,
) -> Result<Inspected, MediaError> {
    let bytes = Bytes::from(bytes);
    let stripped = match format {
        ImageFormat::Jpeg => strip_jpeg(bytes)?,
        ImageFormat::Png => strip_png(bytes)?,
        ImageFormat::WebP => strip_webp(bytes)?,
    };
    let thumbnail = thumbnail(format, &stripped.bytes, stripped.orientation, limits)?;
    Ok(Inspected {
        media_type: format.media_type(),
        bytes: stripped.bytes,
        metadata: Metadata::Stripped {
            removed: stripped.removed,
        },
        thumbnail: Some(thumbnail),
    })
}

/// An image without its metadata.
struct Stripped {
    bytes: Vec<u8>,
    /// The kinds of metadata found and removed, in the order found, each once.
    removed: Vec<String>,
    /// The EXIF orientation, which is written back alone.
    orientation: Option<Orientation>,
}

/// Collects what was removed, once per kind.
#[derive(Default)]
struct Removed(Vec<String>);

impl Removed {
    fn add(&mut self, kind: &str) {
        if !self.0.iter().any(|k| k == kind) {
            self.0.push(kind.to_owned());
        }
    }

    /// Notes a JPEG metadata segment of `kind` that was left out.
    fn add_segment(&mut self, kind: &str, contents: &[u8]) {
        match contents.strip_prefix(EXIF_PREFIX) {
            Some(exif) if kind == "exif" => self.add_exif(exif),
            _ => self.add(kind),
        }
    }

    /// Notes an EXIF block, and whether it carried a location.
    fn add_exif(&mut self, exif: &[u8]) {
        self.add("exif");
        if exif_has_gps(exif) {
            self.add("gps");
        }
    }
}

fn malformed(what: impl std::fmt::Display) -> MediaError {
    MediaError::Malformed(what.to_string())
}

fn strip_jpeg(bytes: Bytes) -> Result<Stripped, MediaError> {
    let mut jpeg = Jpeg::from_bytes(bytes).map_err(|e| malformed(format!("JPEG: {e}")))?;
    let exif = jpeg.exif();
    let orientation = exif.as_deref().and_then(Orientation::from_exif_chunk);
    let mut removed = Removed::default();
    let mut trailing = false;
    for segment in jpeg.segments_mut() {
        if segment.has_entropy() {
            trailing |= clean_scans(segment, &mut removed)?;
        }
    }
    jpeg.segments_mut().retain(|segment| {
        match jpeg_metadata_kind(segment.marker(), segment.contents()) {
            Some(kind) => {
                removed.add_segment(kind, segment.contents());
                false
            }
            None => true,
        }
    });
    if trailing {
        removed.add("trailing data");
    }
    jpeg.set_exif(orientation.and_then(orientation_exif));
    Ok(Stripped {
        bytes: jpeg.encoder().bytes().to_vec(),
        removed: removed.0,
        orientation,
    })
}

const EXIF_PREFIX: &[u8] = b"Exif\0\0";
const XMP_PREFIX: &[u8] = b"http://ns.adobe.com/xap/1.0/";
const ICC_PREFIX: &[u8] = b"ICC_PROFILE\0";

/// The kind of metadata a JPEG segment holds, or `None` for a segment the image needs: APP0
/// (JFIF), the ICC colour profile in APP2, APP14 (Adobe colour transform) and every
/// non-application segment.
fn jpeg_metadata_kind(marker: u8, contents: &[u8]) -> Option<&'static str> {
    match marker {
        markers::APP1 if contents.starts_with(EXIF_PREFIX) => Some("exif"),
        markers::APP1 if contents.starts_with(XMP_PREFIX) => Some("xmp"),
        markers::APP2 if contents.starts_with(ICC_PREFIX) => None,
        markers::APP2 => Some("mpf"),
        markers::APP13 => Some("iptc"),
        markers::COM => Some("comment"),
        markers::APP0 | markers::APP14 => None,
        m if (markers::APP0..=markers::APP15).contains(&m) => Some("application data"),
        _ => None,
    }
}

/// Cleans the entropy-coded data of a scan segment, which (as parsed) runs to the end of the
/// file: metadata segments between progressive scans are left out like those before the first
/// scan, and whatever was appended after the end-of-image marker (multi-picture previews,
/// vendor trailers, each of which may carry its own EXIF) is dropped. True if something
/// followed the end of the image; an image with no end-of-image marker is truncated.
fn clean_scans(segment: &mut JpegSegment, removed: &mut Removed) -> Result<bool, MediaError> {
    let entropy = segment_entropy(segment);
    let (clean, trailing) = without_metadata_to_end_of_image(&entropy, removed)
        .ok_or_else(|| malformed("JPEG: truncated (no end of image)"))?;
    if clean.len() != entropy.len() {
        let contents = segment.contents().clone();
        *segment = JpegSegment::new_with_entropy(segment.marker(), contents, Bytes::from(clean));
    }
    Ok(trailing)
}

/// The entropy-coded bytes of a scan segment (everything after its header, as parsed).
fn segment_entropy(segment: &JpegSegment) -> Bytes {
    let encoded = segment.clone().encoder().bytes();
    encoded.slice(segment.len().min(encoded.len())..)
}

/// Scan data up to and including its end-of-image marker, without the metadata segments
/// between the scans (noted in `removed`), and whether anything followed that marker. The walk
/// steps over whole segments (tables, more scan headers) so that no byte inside one is taken
/// for a marker. `None` if there is no end-of-image marker or a segment runs past the end.
fn without_metadata_to_end_of_image(data: &[u8], removed: &mut Removed) -> Option<(Vec<u8>, bool)> {
    let mut clean = Vec::with_capacity(data.len());
    let mut copied_to = 0;
    let mut i = 0;
    while i + 1 < data.len() {
        if data[i] != 0xFF {
            i += 1;
            continue;
        }
        let marker = data[i + 1];
        match marker {
            // A fill byte; a stuffed zero or a restart marker: still entropy-coded data.
            0xFF => i += 1,
            0x00 | 0xD0..=0xD7 => i += 2,
            0xD9 => {
                let end = i + 2;
                clean.extend_from_slice(&data[copied_to..end]);
                return Some((clean, end < data.len()));
            }
            _ => {
                let len = usize::from(u16::from_be_bytes([*data.get(i + 2)?, *data.get(i + 3)?]));
                let end = i + 2 + len;
                let contents = data.get(i + 4..end)?;
                if let Some(kind) = jpeg_metadata_kind(marker, contents) {
                    removed.add_segment(kind, contents);
                    clean.extend_from_slice(&data[copied_to..i]);
                    copied_to = end;
                }
                i = end;
            }
        }
    }
    None
}

fn strip_png(bytes: Bytes) -> Result<Stripped, MediaError> {
    let mut png = Png::from_bytes(bytes).map_err(|e| malformed(format!("PNG: {e}")))?;
    if png.chunks().last().map(|c| c.kind()) != Some(*b"IEND") {
        return Err(malformed("PNG: truncated (no IEND chunk)"));
    }
    let exif = png.exif();
    let orientation = exif.as_deref().and_then(Orientation::from_exif_chunk);
    let mut removed = Removed::default();
    png.chunks_mut().retain(|chunk| {
        let kind = match &chunk.kind() {
            b"eXIf" => {
                removed.add_exif(chunk.contents());
                return false;
            }
            b"tEXt" | b"zTXt" | b"iTXt" => "text",
            b"tIME" => "time",
            _ => return true,
        };
        removed.add(kind);
        false
    });
    png.set_exif(orientation.and_then(orientation_exif));
    Ok(Stripped {
        bytes: png.encoder().bytes().to_vec(),
        removed: removed.0,
        orientation,
    })
}

fn strip_webp(bytes: Bytes) -> Result<Stripped, MediaError> {
    let mut webp = WebP::from_bytes(bytes).map_err(|e| malformed(format!("WebP: {e}")))?;
    let exif = webp.exif();
    let orientation = exif.as_deref().and_then(Orientation::from_exif_chunk);
    let mut removed = Removed::default();
    if let Some(exif) = &exif {
        removed.add_exif(exif);
    }
    if webp.has_chunk(CHUNK_XMP) {
        removed.add("xmp");
        webp.remove_chunks_by_id(CHUNK_XMP);
    }
    webp.remove_chunks_by_id(CHUNK_EXIF);
    // Setting the EXIF also brings the VP8X flags in line with the chunks that are left.
    webp.set_exif(orientation.and_then(orientation_exif));
    Ok(Stripped {
        bytes: webp.encoder().bytes().to_vec(),
        removed: removed.0,
        orientation,
    })
}

/// Whether an EXIF block (TIFF bytes) has any GPS field.
fn exif_has_gps(tiff: &[u8]) -> bool {
    exif::Reader::new()
        .continue_on_error(true)
        .read_raw(tiff.to_vec())
        .or_else(|e| e.distill_partial_result(|_| {}))
        .is_ok_and(|exif| {
            exif.fields().any(|f| {
                f.tag.context() == exif::Context::Gps || f.tag == exif::Tag::GPSInfoIFDPointer
            })
        })
}

/// An EXIF block holding nothing but the orientation, or `None` for the default one.
fn orientation_exif(orientation: Orientation) -> Option<Bytes> {
    let value = orientation.to_exif();
    if value == 1 {
        return None;
    }
    let field = exif::Field {
        tag: exif::Tag::Orientation,
        ifd_num: exif::In::PRIMARY,
        value: exif::Value::Short(vec![u16::from(value)]),
    };
    let mut writer = exif::experimental::Writer::new();
    writer.push_field(&field);
    let mut out = Cursor::new(Vec::new());
    writer.write(&mut out, false).ok()?;
    Some(Bytes::from(out.into_inner()))
}

/// Decodes the whole image (refusing one that declares more than the pixel limit before any
/// pixel is decoded) and scales it to a JPEG thumbnail, turned upright.
fn thumbnail(
    format: ImageFormat,
    bytes: &[u8],
    orientation: Option<Orientation>,
    limits: &Limits,
) -> Result<Vec<u8>, MediaError> {
    let format = match format {
        ImageFormat::Jpeg => image::ImageFormat::Jpeg,
        ImageFormat::Png => image::ImageFormat::Png,
        ImageFormat::WebP => image::ImageFormat::WebP,
    };
    let (width, height) = ImageReader::with_format(Cursor::new(bytes), format)
        .into_dimensions()
        .map_err(malformed)?;
    let pixels = u64::from(width) * u64::from(height);
    if pixels > limits.max_pixels {
        return Err(MediaError::Bomb(format!(
            "the image declares {width}×{height} pixels; at most {} are allowed",
            limits.max_pixels
        )));
    }
    let mut reader = ImageReader::with_format(Cursor::new(bytes), format);
    let mut decode_limits = image::Limits::default();
    decode_limits.max_alloc = Some(limits.max_pixels.saturating_mul(ALLOC_PER_PIXEL));
    reader.limits(decode_limits);
    let mut picture = reader.decode().map_err(malformed)?;
    if let Some(orientation) = orientation {
        picture.apply_orientation(orientation);
    }
    let small = picture
        .thumbnail(THUMBNAIL_EDGE, THUMBNAIL_EDGE)
        .into_rgb8();
    let mut out = Cursor::new(Vec::new());
    small
        .write_to(&mut out, image::ImageFormat::Jpeg)
        .map_err(malformed)?;
    Ok(out.into_inner())
}

#[cfg(test)]
mod tests;
