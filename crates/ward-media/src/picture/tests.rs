use image::{DynamicImage, ImageEncoder, RgbImage};
use img_parts::png::PngChunk;

use super::*;

fn gradient() -> DynamicImage {
    DynamicImage::ImageRgb8(RgbImage::from_fn(64, 48, |x, y| {
        image::Rgb([(x * 4) as u8, (y * 5) as u8, 128])
    }))
}

fn encoded(format: image::ImageFormat) -> Vec<u8> {
    let mut out = Cursor::new(Vec::new());
    gradient().write_to(&mut out, format).expect("encode");
    out.into_inner()
}

/// An EXIF block with an orientation and a GPS position.
fn exif_with_gps(orientation: u16) -> Bytes {
    use exif::{Field, In, Rational, Tag, Value};
    let fields = [
        Field {
            tag: Tag::Orientation,
            ifd_num: In::PRIMARY,
            value: Value::Short(vec![orientation]),
        },
        Field {
            tag: Tag::Make,
            ifd_num: In::PRIMARY,
            value: Value::Ascii(vec![b"Ward test camera".to_vec()]),
        },
        Field {
            tag: Tag::GPSLatitudeRef,
            ifd_num: In::PRIMARY,
            value: Value::Ascii(vec![b"N".to_vec()]),
        },
        Field {
            tag: Tag::GPSLatitude,
            ifd_num: In::PRIMARY,
            value: Value::Rational(vec![
                Rational { num: 42, denom: 1 },
                Rational { num: 21, denom: 1 },
                Rational { num: 0, denom: 1 },
            ]),
        },
    ];
    let mut writer = exif::experimental::Writer::new();
    for field in &fields {
        writer.push_field(field);
    }
    let mut out = Cursor::new(Vec::new());
    writer.write(&mut out, false).expect("exif");
    Bytes::from(out.into_inner())
}

fn pixels(format: image::ImageFormat, bytes: &[u8]) -> Vec<u8> {
    image::load_from_memory_with_format(bytes, format)
        .expect("decode")
        .into_rgb8()
        .into_raw()
}

fn removed(inspected: &Inspected) -> Vec<String> {
    match &inspected.metadata {
        Metadata::Stripped { removed } => removed.clone(),
        other => panic!("not stripped: {other:?}"),
    }
}

#[test]
fn jpeg_loses_gps_xmp_comments_and_trailers_but_keeps_pixels_and_orientation() {
    let original = encoded(image::ImageFormat::Jpeg);
    let mut jpeg = Jpeg::from_bytes(Bytes::from(original.clone())).expect("parse");
    jpeg.set_exif(Some(exif_with_gps(6)));
    let mut xmp = XMP_PREFIX.to_vec();
    xmp.extend_from_slice(b"\0<x:xmpmeta>Dr. Example</x:xmpmeta>");
    jpeg.segments_mut().insert(
        1,
        JpegSegment::new_with_contents(markers::APP1, Bytes::from(xmp)),
    );
    jpeg.segments_mut().insert(
        1,
        JpegSegment::new_with_contents(markers::COM, Bytes::from_static(b"patient Smith")),
    );
    let mut dirty = jpeg.encoder().bytes().to_vec();
    dirty.extend_from_slice(b"\xFF\xD8 a trailing preview with its own metadata");

    let inspected = inspect(ImageFormat::Jpeg, dirty.clone(), &Limits::default()).expect("inspect");

    assert_eq!(
        removed(&inspected),
        ["comment", "xmp", "exif", "gps", "trailing data"]
    );
    let clean = &inspected.bytes;
    let exif = Jpeg::from_bytes(Bytes::from(clean.clone()))
        .expect("parse")
        .exif()
        .expect("orientation is kept");
    assert!(!exif_has_gps(&exif));
    assert_eq!(
        Orientation::from_exif_chunk(&exif),
        Some(Orientation::Rotate90)
    );
    for needle in [
        &b"Ward test camera"[..],
        b"Dr. Example",
        b"patient Smith",
        b"trailing",
    ] {
        assert!(!clean.windows(needle.len()).any(|w| w == needle));
    }
    assert_eq!(
        pixels(image::ImageFormat::Jpeg, clean),
        pixels(image::ImageFormat::Jpeg, &original)
    );
    let thumbnail = image::load_from_memory(inspected.thumbnail.as_deref().expect("thumbnail"))
        .expect("thumbnail decodes");
    assert!(thumbnail.height() > thumbnail.width(), "turned upright");
}

#[test]
fn png_loses_text_and_exif_but_keeps_pixels() {
    let original = encoded(image::ImageFormat::Png);
    let mut png = Png::from_bytes(Bytes::from(original.clone())).expect("parse");
    png.set_exif(Some(exif_with_gps(1)));
    png.chunks_mut().insert(
        1,
        PngChunk::new(*b"tEXt", Bytes::from_static(b"Author\0Dr. Example")),
    );
    let dirty = png.encoder().bytes().to_vec();

    let inspected = inspect(ImageFormat::Png, dirty, &Limits::default()).expect("inspect");

    assert_eq!(removed(&inspected), ["text", "exif", "gps"]);
    let clean = Png::from_bytes(Bytes::from(inspected.bytes.clone())).expect("parse");
    assert!(clean.exif().is_none(), "orientation 1 needs no EXIF");
    assert_eq!(
        pixels(image::ImageFormat::Png, &inspected.bytes),
        pixels(image::ImageFormat::Png, &original)
    );
}

#[test]
fn webp_loses_exif_and_xmp_but_keeps_pixels() {
    let picture = gradient().into_rgb8();
    let mut original = Vec::new();
    image::codecs::webp::WebPEncoder::new_lossless(&mut original)
        .write_image(&picture, 64, 48, image::ExtendedColorType::Rgb8)
        .expect("encode");
    let mut webp = WebP::from_bytes(Bytes::from(original.clone())).expect("parse");
    webp.chunks_mut().push(img_parts::riff::RiffChunk::new(
        CHUNK_XMP,
        img_parts::riff::RiffContent::Data(Bytes::from_static(
            b"<x:xmpmeta>Dr. Example</x:xmpmeta>",
        )),
    ));
    webp.set_exif(Some(exif_with_gps(1)));
    let dirty = webp.encoder().bytes().to_vec();
    assert!(dirty.windows(11).any(|w| w == b"Dr. Example"));

    let inspected = inspect(ImageFormat::WebP, dirty, &Limits::default()).expect("inspect");

    assert_eq!(removed(&inspected), ["exif", "gps", "xmp"]);
    assert!(!inspected.bytes.windows(11).any(|w| w == b"Dr. Example"));
    assert!(
        WebP::from_bytes(Bytes::from(inspected.bytes.clone()))
            .expect("parse")
            .exif()
            .is_none()
    );
    assert_eq!(
        pixels(image::ImageFormat::WebP, &inspected.bytes),
        pixels(image::ImageFormat::WebP, &original)
    );
}

#[test]
fn a_truncated_image_is_malformed() {
    for format in [ImageFormat::Jpeg, ImageFormat::Png] {
        let whole = encoded(match format {
            ImageFormat::Jpeg => image::ImageFormat::Jpeg,
            _ => image::ImageFormat::Png,
        });
        let half = whole[..whole.len() / 2].to_vec();
        assert!(
            matches!(
                inspect(format, half, &Limits::default()),
                Err(MediaError::Malformed(_))
            ),
            "{format:?}"
        );
    }
}

#[test]
fn an_image_declaring_too_many_pixels_is_a_bomb() {
    let mut png = Png::from_bytes(Bytes::from(encoded(image::ImageFormat::Png))).expect("parse");
    let ihdr = png.chunks()[0].contents().to_vec();
    let mut huge = 100_000u32.to_be_bytes().to_vec();
    huge.extend_from_slice(&100_000u32.to_be_bytes());
    huge.extend_from_slice(&ihdr[8..]);
    png.chunks_mut()[0] = PngChunk::new(*b"IHDR", Bytes::from(huge));
    let bomb = png.encoder().bytes().to_vec();
    assert!(matches!(
        inspect(ImageFormat::Png, bomb, &Limits::default()),
        Err(MediaError::Bomb(_))
    ));
}

#[test]
fn end_of_image_skips_over_tables_between_scans() {
    // Scan data, then a table segment whose payload contains FF D9, then the real end.
    let data = [
        0x12, 0xFF, 0x00, 0xFF, 0xC4, 0x00, 0x04, 0xFF, 0xD9, 0x34, 0xFF, 0xD9, 0xAA,
    ];
    let mut removed = Removed::default();
    assert_eq!(
        without_metadata_to_end_of_image(&data, &mut removed),
        Some((data[..12].to_vec(), true))
    );
    assert_eq!(
        without_metadata_to_end_of_image(&data[..9], &mut removed),
        None
    );
    assert!(removed.0.is_empty());
}

/// Found by the `strip_image` fuzz target: segments after the first scan were kept whole.
#[test]
fn metadata_between_scans_is_removed_too() {
    let original = encoded(image::ImageFormat::Jpeg);
    let end = original.len() - 2;
    assert_eq!(&original[end..], [0xFF, 0xD9]);
    let mut dirty = original[..end].to_vec();
    for (marker, contents) in [
        (markers::APP13, &b"Photoshop 3.0\08BIM Jane Doe"[..]),
        (markers::COM, b"Jane Doe, MRN 00123450"),
        (markers::APP1, b"Exif\0\0 Jane Doe"),
    ] {
        dirty.extend_from_slice(&[0xFF, marker]);
        let len = u16::try_from(contents.len() + 2).expect("short");
        dirty.extend_from_slice(&len.to_be_bytes());
        dirty.extend_from_slice(contents);
    }
    dirty.extend_from_slice(&[0xFF, 0xD9]);

    let inspected = inspect(ImageFormat::Jpeg, dirty, &Limits::default()).expect("inspect");

    assert_eq!(removed(&inspected), ["iptc", "comment", "exif"]);
    let clean = &inspected.bytes;
    assert!(!clean.windows(8).any(|w| w == b"Jane Doe"));
    assert_eq!(
        pixels(image::ImageFormat::Jpeg, clean),
        pixels(image::ImageFormat::Jpeg, &original)
    );
}
