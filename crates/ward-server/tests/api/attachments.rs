//! Attachments over the API: type sniffed from the bytes, images stripped of metadata (checked
//! with exiftool) with their pixels intact, contents sealed at rest, downloads only for
//! members and audited, and every refusal leaving nothing stored.

use std::io::{Cursor, Write};
use std::path::Path;
use std::process::Command;

use uuid::Uuid;
use ward_client::Client;
use ward_proto::ProblemType;
use ward_proto::audit::AuditQuery;
use ward_proto::messaging::{AttachmentView, SendMessageRequest};
use ward_store::StoreConfig;

use crate::audit::compliance_officer;
use crate::messaging::{group, id_of, text};
use crate::{TestServer, api_test, assert_problem};

/// A photo as a phone takes it: GPS position, orientation, camera owner, via exiftool.
fn photo_with_location(dir: &Path) -> Vec<u8> {
    let picture = image::RgbImage::from_fn(120, 80, |x, y| {
        image::Rgb([(x * 2) as u8, (y * 3) as u8, ((x + y) % 256) as u8])
    });
    let path = dir.join("photo.jpg");
    picture.save(&path).expect("write jpeg");
    let tagged = Command::new("exiftool")
        .args([
            "-q",
            "-overwrite_original",
            "-GPSLatitude=42.3601",
            "-GPSLatitudeRef=N",
            "-GPSLongitude=71.0589",
            "-GPSLongitudeRef=W",
            "-Orientation#=6",
            "-Artist=Dr Example",
            "-XMP-dc:Creator=Dr Example",
        ])
        .arg(&path)
        .status()
        .expect("exiftool is installed (.ci/run installs it)");
    assert!(tagged.success());
    let bytes = std::fs::read(&path).expect("read jpeg");
    assert!(
        exif_tags(dir, &bytes).keys().any(|k| k.starts_with("GPS")),
        "set up GPS"
    );
    bytes
}

/// Every tag exiftool finds in `bytes`, by name.
fn exif_tags(dir: &Path, bytes: &[u8]) -> serde_json::Map<String, serde_json::Value> {
    let path = dir.join(format!("{}.bin", Uuid::new_v4()));
    std::fs::write(&path, bytes).expect("write");
    let out = Command::new("exiftool")
        .args(["-j", "-n", "-G0:1", "-a"])
        .arg(&path)
        .output()
        .expect("exiftool");
    let parsed: serde_json::Value = serde_json::from_slice(&out.stdout).expect("exiftool json");
    parsed[0]
        .as_object()
        .expect("one file")
        .iter()
        .map(|(k, v)| (k.rsplit(':').next().unwrap_or(k).to_owned(), v.clone()))
        .collect()
}

fn pixels(bytes: &[u8]) -> Vec<u8> {
    image::load_from_memory(bytes)
        .expect("decode")
        .into_rgb8()
        .into_raw()
}

/// A small PDF whose text is `marker`, padded to span several chunks.
fn pdf_with(marker: &str, padding: usize) -> Vec<u8> {
    let mut pdf =
        format!("%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\n% {marker}\n").into_bytes();
    pdf.extend(std::iter::repeat_n(b'%', padding));
    pdf.extend_from_slice(b"\n%%EOF\n");
    pdf
}

fn docx_with(entries: &[(&str, &[u8])]) -> Vec<u8> {
    let mut writer = zip::ZipWriter::new(Cursor::new(Vec::new()));
    for (name, data) in entries {
        writer
            .start_file(*name, zip::write::SimpleFileOptions::default())
            .expect("entry");
        writer.write_all(data).expect("write");
    }
    writer.finish().expect("zip").into_inner()
}

#[derive(Debug, Clone, Copy)]
enum Table {
    Attachments,
    Chunks,
}

/// Rows in a table of the server's database (to check that refusals leave nothing).
async fn count_rows(server: &TestServer, table: Table) -> i64 {
    let sql = match table {
        Table::Attachments => "SELECT COUNT(*) FROM attachments",
        Table::Chunks => "SELECT COUNT(*) FROM attachment_chunks",
    };
    match server.config.store() {
        StoreConfig::Sqlite { path, .. } => {
            let url = format!("sqlite://{}?mode=ro", path.display());
            let pool = sqlx::SqlitePool::connect(&url).await.expect("sqlite");
            let n: (i64,) = sqlx::query_as(sql).fetch_one(&pool).await.expect("count");
            pool.close().await;
            n.0
        }
        StoreConfig::Postgres { url, .. } => {
            let pool = sqlx::PgPool::connect(&url).await.expect("postgres");
            let n: (i64,) = sqlx::query_as(sql).fetch_one(&pool).await.expect("count");
            pool.close().await;
            n.0
        }
    }
}

/// Whether `needle` appears in any file under `dir`.
fn appears_in(dir: &Path, needle: &[u8]) -> bool {
    std::fs::read_dir(dir)
        .expect("data dir")
        .flatten()
        .any(|entry| {
            let path = entry.path();
            if path.is_dir() {
                return appears_in(&path, needle);
            }
            std::fs::read(&path).is_ok_and(|bytes| bytes.windows(needle.len()).any(|w| w == needle))
        })
}

async fn send_with(
    client: &Client,
    conversation: Uuid,
    body: &str,
    ids: &[Uuid],
) -> Result<(ward_proto::messaging::MessageView, bool), ward_client::ClientError> {
    let req = SendMessageRequest {
        attachments: ids.to_vec(),
        ..text(body)
    };
    client.send_message(conversation, &req).await
}

api_test!(
    a_photo_loses_its_location_but_keeps_its_pixels,
    |server: TestServer| async move {
        let scratch = tempfile::tempdir().expect("scratch");
        let (admin, _) = server.admin().await;
        let nurse = server.user(&admin, "nurse.reyes", "nurse").await;
        let doctor = server.user(&admin, "dr.okafor", "physician").await;
        let outsider = server.user(&admin, "nurse.lee", "nurse").await;
        let channel = group(&nurse, &[id_of(&doctor).await]).await;
        let photo = photo_with_location(scratch.path());

        let uploaded = nurse
            .upload_attachment(channel, Some("wound – day 3.jpg"), photo.clone())
            .await
            .expect("upload");
        assert_eq!(uploaded.media_type, "image/jpeg");
        assert!(uploaded.metadata.stripped);
        for kind in ["exif", "gps", "xmp"] {
            assert!(
                uploaded.metadata.removed.contains(&kind.to_owned()),
                "{uploaded:?}"
            );
        }
        assert!(uploaded.thumbnail);
        // Not sent yet: only the uploader can fetch it.
        assert_problem(
            doctor.download_attachment(uploaded.id).await,
            ProblemType::NotFound,
        );

        let (sent, _) = send_with(&nurse, channel, "wound photo, day 3", &[uploaded.id])
            .await
            .expect("send");
        assert_eq!(sent.attachments, vec![uploaded.clone()]);
        let listed = doctor.list_messages(channel, 0, 10).await.expect("list");
        let seen: &AttachmentView = &listed.messages[0].attachments[0];
        assert_eq!(seen.name.as_deref(), Some("wound – day 3.jpg"));

        let download = doctor.download_attachment(seen.id).await.expect("download");
        let header = |name: &str| {
            download
                .headers
                .get(name)
                .and_then(|v| v.to_str().ok())
                .unwrap_or_default()
                .to_owned()
        };
        assert_eq!(header("content-type"), "image/jpeg");
        assert_eq!(header("x-content-type-options"), "nosniff");
        assert!(
            header("content-disposition").starts_with("attachment;"),
            "{}",
            header("content-disposition")
        );
        assert!(
            header("content-disposition")
                .contains("filename*=UTF-8''wound%20%E2%80%93%20day%203%2Ejpg")
        );
        assert_eq!(download.bytes.len() as u64, uploaded.size);

        let tags = exif_tags(scratch.path(), &download.bytes);
        let leaked: Vec<_> = tags
            .keys()
            .filter(|k| k.starts_with("GPS") || *k == "Artist" || *k == "Creator")
            .collect();
        assert!(leaked.is_empty(), "left in the file: {leaked:?}");
        assert_eq!(
            tags.get("Orientation"),
            Some(&serde_json::json!(6)),
            "{tags:?}"
        );
        assert_eq!(pixels(&download.bytes), pixels(&photo), "same pixels");

        let thumbnail = doctor
            .attachment_thumbnail(seen.id)
            .await
            .expect("thumbnail");
        let small = image::load_from_memory(&thumbnail.bytes).expect("thumbnail decodes");
        assert!(
            small.height() > small.width(),
            "turned upright like the photo"
        );

        assert_problem(
            outsider.download_attachment(seen.id).await,
            ProblemType::NotFound,
        );
        assert_problem(
            outsider.attachment_thumbnail(seen.id).await,
            ProblemType::NotFound,
        );

        // At rest the file is sealed: not even a run of its compressed pixels is in the clear.
        if server.config.database_url.is_none() {
            let scan = &photo[photo.len() - 400..photo.len() - 300];
            assert!(
                appears_in(scratch.path(), scan),
                "the probe finds plaintext"
            );
            assert!(!appears_in(&server.config.data_dir, scan));
        }

        let compliance = compliance_officer(&server, &admin).await;
        let downloads = compliance
            .search_audit(&AuditQuery {
                target: Some(seen.id),
                action: Some("attachment.download".into()),
                ..AuditQuery::default()
            })
            .await
            .expect("audit")
            .events;
        let outcomes: Vec<_> = downloads.iter().map(|e| e.outcome.as_str()).collect();
        assert_eq!(
            outcomes.iter().filter(|o| **o == "success").count(),
            2,
            "{outcomes:?}"
        );
        assert!(outcomes.contains(&"denied"), "{outcomes:?}");
        server
    }
);

api_test!(
    documents_stream_through_and_are_sent_once_by_their_uploader,
    |server: TestServer| async move {
        let (admin, _) = server.admin().await;
        let nurse = server.user(&admin, "nurse.reyes", "nurse").await;
        let doctor = server.user(&admin, "dr.okafor", "physician").await;
        let channel = group(&nurse, &[id_of(&doctor).await]).await;
        let other = group(&nurse, &[id_of(&doctor).await]).await;

        let marker = format!("discharge-summary-{}", Uuid::new_v4());
        let pdf = pdf_with(&marker, 700 * 1024);
        let upload = nurse
            .upload_attachment(channel, Some("discharge.pdf"), pdf.clone())
            .await
            .expect("upload");
        assert_eq!(upload.media_type, "application/pdf");
        assert_eq!(upload.size, pdf.len() as u64);
        assert!(!upload.metadata.stripped);
        assert!(upload.metadata.note.is_some());
        assert!(!upload.thumbnail);

        // Someone else's upload, or an upload to another conversation, cannot be sent.
        assert_problem(
            send_with(&doctor, channel, "forwarding", &[upload.id]).await,
            ProblemType::Validation,
        );
        assert_problem(
            send_with(&nurse, other, "wrong thread", &[upload.id]).await,
            ProblemType::Validation,
        );
        // With an attachment, the body may be empty; a retry returns the first message.
        let req = SendMessageRequest {
            attachments: vec![upload.id],
            ..text("")
        };
        let (first, created) = nurse.send_message(channel, &req).await.expect("send");
        assert!(created);
        let (again, created) = nurse.send_message(channel, &req).await.expect("retry");
        assert!(!created);
        assert_eq!(again.id, first.id);
        assert_problem(
            send_with(&nurse, channel, "once more", &[upload.id]).await,
            ProblemType::Validation,
        );

        let download = doctor
            .download_attachment(upload.id)
            .await
            .expect("download");
        assert_eq!(download.bytes, pdf, "three chunks back in order");
        if server.config.database_url.is_none() {
            assert!(!appears_in(&server.config.data_dir, marker.as_bytes()));
        }
        assert_eq!(count_rows(&server, Table::Chunks).await, 3);
        server
    }
);

api_test!(
    refused_files_leave_nothing_behind,
    |server: TestServer| async move {
        let (admin, _) = server.admin().await;
        let nurse = server.user(&admin, "nurse.reyes", "nurse").await;
        let channel = group(&nurse, &[]).await;

        let mut executable = b"\x7FELF\x02\x01\x01\x00".to_vec();
        executable.resize(4096, 0x90);
        assert_problem(
            nurse
                .upload_attachment(channel, Some("scan.jpg"), executable)
                .await,
            ProblemType::UnsupportedMediaType,
        );
        let mut jpeg = Vec::new();
        image::RgbImage::from_pixel(64, 64, image::Rgb([200, 10, 10]))
            .write_to(&mut Cursor::new(&mut jpeg), image::ImageFormat::Jpeg)
            .expect("jpeg");
        assert_problem(
            nurse
                .upload_attachment(channel, None, jpeg[..jpeg.len() / 2].to_vec())
                .await,
            ProblemType::InvalidFile,
        );
        let mut png = Vec::new();
        image::RgbImage::from_pixel(8, 8, image::Rgb([1, 2, 3]))
            .write_to(&mut Cursor::new(&mut png), image::ImageFormat::Png)
            .expect("png");
        // The same PNG claiming 100,000 × 100,000 pixels (its header CRC fixed up).
        png[16..24].copy_from_slice(&[0, 1, 0x86, 0xA0, 0, 1, 0x86, 0xA0]);
        let crc = crc32fast::hash(&png[12..29]);
        png[29..33].copy_from_slice(&crc.to_be_bytes());
        assert_problem(
            nurse.upload_attachment(channel, None, png).await,
            ProblemType::InvalidFile,
        );
        let zeros = vec![0u8; 16 << 20];
        let bomb = docx_with(&[
            ("[Content_Types].xml", b"<Types/>"),
            ("word/document.xml", &zeros),
        ]);
        assert_problem(
            nurse.upload_attachment(channel, None, bomb).await,
            ProblemType::InvalidFile,
        );
        let plain_zip = docx_with(&[("notes.txt", b"hello")]);
        assert_problem(
            nurse.upload_attachment(channel, None, plain_zip).await,
            ProblemType::UnsupportedMediaType,
        );
        assert_problem(
            nurse
                .upload_attachment(channel, Some("a/b.pdf"), pdf_with("x", 10))
                .await,
            ProblemType::Validation,
        );
        assert_eq!(count_rows(&server, Table::Attachments).await, 0);

        // Over the size limit, partway through a streamed upload: its chunks are removed.
        let mut server = server;
        server.config.attachment_max_bytes = 1024 * 1024;
        let server = server.restart().await;
        let nurse = server
            .anon()
            .sign_in("nurse.reyes", crate::PASSWORD, "test device")
            .await
            .expect("sign in");
        assert_problem(
            nurse
                .upload_attachment(channel, None, pdf_with("big", 3 << 20))
                .await,
            ProblemType::PayloadTooLarge,
        );
        assert_eq!(count_rows(&server, Table::Chunks).await, 0);
        assert_eq!(count_rows(&server, Table::Attachments).await, 0);

        // The server keeps serving: a good file still goes in.
        let fine = nurse
            .upload_attachment(channel, None, pdf_with("fine", 10))
            .await
            .expect("upload after refusals");
        assert_eq!(fine.media_type, "application/pdf");
        server
    }
);
