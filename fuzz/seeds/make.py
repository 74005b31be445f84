#!/usr/bin/env python3
"""Writes the seed inputs of the fuzz targets (fuzz/seeds/TARGET/): tiny images carrying every
kind of metadata the stripper removes, small Office and OpenDocument containers, and a few
JSON bodies and frames. Everything is made here from scratch (no third-party files), with the
standard library only. Run it from anywhere; it rewrites the seeds it owns."""

import io
import json
import os
import struct
import zipfile
import zlib

HERE = os.path.dirname(os.path.abspath(__file__))


def write(target, name, data):
    directory = os.path.join(HERE, target)
    os.makedirs(directory, exist_ok=True)
    with open(os.path.join(directory, name), "wb") as f:
        f.write(data)


# --- EXIF ------------------------------------------------------------------------------------


def tiff(orientation, gps):
    """A big-endian TIFF block: IFD0 with the orientation (and a GPS IFD pointer), a GPS IFD
    with a latitude."""
    out = bytearray(b"MM\x00\x2a" + struct.pack(">I", 8))
    entries = [(0x0112, 3, 1, struct.pack(">HH", orientation, 0))]
    gps_at = 8 + 2 + 12 * 2 + 4
    if gps:
        entries.append((0x8825, 4, 1, struct.pack(">I", gps_at)))
    out += struct.pack(">H", len(entries))
    for tag, kind, count, value in entries:
        out += struct.pack(">HHI", tag, kind, count) + value
    out += struct.pack(">I", 0)
    if gps:
        out = out.ljust(gps_at, b"\x00")
        rationals_at = gps_at + 2 + 12 * 2 + 4
        out += struct.pack(">H", 2)
        out += struct.pack(">HHI", 0x0001, 2, 2) + b"N\x00\x00\x00"
        out += struct.pack(">HHII", 0x0002, 5, 3, rationals_at)
        out += struct.pack(">I", 0)
        out += struct.pack(">6I", 42, 1, 21, 1, 0, 1)
    return bytes(out)


XMP = (
    b'<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/'
    b'22-rdf-syntax-ns#"><rdf:Description dc:creator="Dr. Example" xmlns:dc="http://purl.org/'
    b'dc/elements/1.1/"/></rdf:RDF></x:xmpmeta>'
)

# --- JPEG ------------------------------------------------------------------------------------

# The standard luminance DC table (ITU T.81 Annex K) and a two-code AC table (EOB, and a
# coefficient of size 1 with no run before it).
DC_BITS = [0, 1, 5, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0, 0]
DC_VALUES = list(range(12))
AC_BITS = [0, 2] + [0] * 14
AC_VALUES = [0x00, 0x01]


def huffman_codes(bits, values):
    codes, code, k = {}, 0, 0
    for length in range(1, 17):
        for _ in range(bits[length - 1]):
            codes[values[k]] = (code, length)
            k += 1
            code += 1
        code <<= 1
    return codes


class MsbBits:
    """Entropy-coded bits, most significant first, with 0xFF stuffed and 1s as padding."""

    def __init__(self):
        self.out, self.acc, self.count = bytearray(), 0, 0

    def put(self, value, length):
        for i in range(length - 1, -1, -1):
            self.acc = (self.acc << 1) | ((value >> i) & 1)
            self.count += 1
            if self.count == 8:
                self.out.append(self.acc)
                if self.acc == 0xFF:
                    self.out.append(0)
                self.acc, self.count = 0, 0

    def finish(self):
        if self.count:
            self.put((1 << (8 - self.count)) - 1, 8 - self.count)
        return bytes(self.out)


def segment(marker, contents):
    return bytes([0xFF, marker]) + struct.pack(">H", len(contents) + 2) + contents


def dc_scan(diffs, dc, ac=None):
    """One scan over 8x8 blocks: each block's DC difference, then (baseline) an EOB."""
    bits = MsbBits()
    for diff in diffs:
        size = abs(diff).bit_length()
        code, length = dc[size]
        bits.put(code, length)
        if size:
            bits.put(diff if diff > 0 else diff + (1 << size) - 1, size)
        if ac is not None:
            bits.put(*ac[0x00])
    return bits.finish()


def eob_scan(blocks, ac):
    bits = MsbBits()
    for _ in range(blocks):
        bits.put(*ac[0x00])
    return bits.finish()


def jpeg(metadata, progressive):
    dc = huffman_codes(DC_BITS, DC_VALUES)
    ac = huffman_codes(AC_BITS, AC_VALUES)
    diffs = [40, -25, 12, -3]  # four blocks of a 16x16 grey picture
    out = bytearray(b"\xff\xd8")
    out += segment(0xE0, b"JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00")
    if metadata:
        out += segment(0xE1, b"Exif\x00\x00" + tiff(6, gps=True))
        out += segment(0xE1, b"http://ns.adobe.com/xap/1.0/\x00" + XMP)
        iptc = b"\x1c\x02\x78" + struct.pack(">H", 8) + b"Jane Doe"
        photoshop = b"Photoshop 3.0\x00" + b"8BIM\x04\x04\x00\x00" + struct.pack(">I", len(iptc))
        out += segment(0xED, photoshop + iptc)
        out += segment(0xE2, b"MPF\x00MM\x00\x2a\x00\x00\x00\x08\x00\x00\x00\x00\x00\x00")
        out += segment(0xFE, b"Jane Doe, MRN 00123456")
    else:
        out += segment(0xE1, b"Exif\x00\x00" + tiff(6, gps=False))
    out += segment(0xDB, b"\x00" + bytes([1] * 64))
    sof = 0xC2 if progressive else 0xC0
    out += segment(sof, b"\x08" + struct.pack(">HH", 16, 16) + b"\x01\x01\x11\x00")
    out += segment(0xC4, b"\x00" + bytes(DC_BITS) + bytes(DC_VALUES))
    out += segment(0xC4, b"\x10" + bytes(AC_BITS) + bytes(AC_VALUES))
    if progressive:
        # A DC scan, then an AC scan of every block's coefficients 1 to 63 (all zero).
        out += segment(0xDA, b"\x01\x01\x00\x00\x00\x00")
        out += dc_scan(diffs, dc)
        out += segment(0xDA, b"\x01\x01\x00\x01\x3f\x00")
        out += eob_scan(len(diffs), ac)
    else:
        out += segment(0xDA, b"\x01\x01\x00\x00\x3f\x00")
        out += dc_scan(diffs, dc, ac)
    out += b"\xff\xd9"
    if metadata:
        out += b"trailing vendor data Exif\x00\x00"
    return bytes(out)


# --- PNG -------------------------------------------------------------------------------------


def chunk(kind, contents):
    return (
        struct.pack(">I", len(contents))
        + kind
        + contents
        + struct.pack(">I", zlib.crc32(kind + contents) & 0xFFFFFFFF)
    )


def png():
    width = height = 16
    rows = b"".join(
        b"\x00" + bytes(v for x in range(width) for v in (x * 16, y * 16, 128))
        for y in range(height)
    )
    out = b"\x89PNG\r\n\x1a\n"
    out += chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
    out += chunk(b"tEXt", b"Comment\x00Jane Doe, MRN 00123456")
    out += chunk(b"tIME", struct.pack(">HBBBBB", 2026, 1, 2, 3, 4, 5))
    out += chunk(b"eXIf", tiff(6, gps=True))
    out += chunk(b"IDAT", zlib.compress(rows, 9))
    out += chunk(b"IEND", b"")
    return out


# --- WebP ------------------------------------------------------------------------------------


class LsbBits:
    def __init__(self):
        self.value, self.count = 0, 0

    def put(self, value, length):
        self.value |= (value & ((1 << length) - 1)) << self.count
        self.count += length

    def finish(self):
        return self.value.to_bytes((self.count + 7) // 8, "little")


def vp8l(width, height, argb):
    """A lossless bitstream of one colour: five single-symbol prefix codes, so that no pixel
    takes a bit."""
    bits = LsbBits()
    bits.put(width - 1, 14)
    bits.put(height - 1, 14)
    bits.put(0, 1)  # alpha is not used
    bits.put(0, 3)  # version 0
    bits.put(0, 1)  # no transform
    bits.put(0, 1)  # no colour cache
    bits.put(0, 1)  # no meta prefix codes
    alpha, red, green, blue = argb
    for symbol in (green, red, blue, alpha, 0):
        bits.put(1, 1)  # a simple code
        bits.put(0, 1)  # of one symbol
        bits.put(1, 1)  # written in 8 bits
        bits.put(symbol, 8)
    return b"\x2f" + bits.finish()


def riff_chunk(kind, contents):
    padding = b"\x00" if len(contents) % 2 else b""
    return kind + struct.pack("<I", len(contents)) + contents + padding


def webp(extended):
    width = height = 16
    image = riff_chunk(b"VP8L", vp8l(width, height, (0xFF, 0x20, 0x80, 0xC0)))
    if extended:
        flags = 0x08 | 0x04  # EXIF and XMP
        canvas = struct.pack("<I", width - 1)[:3] + struct.pack("<I", height - 1)[:3]
        body = riff_chunk(b"VP8X", bytes([flags, 0, 0, 0]) + canvas)
        body += image
        body += riff_chunk(b"EXIF", tiff(6, gps=True))
        body += riff_chunk(b"XMP ", XMP)
    else:
        body = image
    return b"RIFF" + struct.pack("<I", 4 + len(body)) + b"WEBP" + body


# --- Documents -------------------------------------------------------------------------------


def docx():
    data = io.BytesIO()
    with zipfile.ZipFile(data, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr(
            "[Content_Types].xml",
            '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/'
            '2006/content-types"/>',
        )
        z.writestr("word/document.xml", "<w:document>Handover notes</w:document>")
    return data.getvalue()


def odt():
    data = io.BytesIO()
    with zipfile.ZipFile(data, "w") as z:
        z.writestr(
            zipfile.ZipInfo("mimetype"),
            "application/vnd.oasis.opendocument.text",
            compress_type=zipfile.ZIP_STORED,
        )
        z.writestr(
            "content.xml",
            "<office:document-content>Handover notes</office:document-content>",
            compress_type=zipfile.ZIP_DEFLATED,
        )
    return data.getvalue()


# --- JSON ------------------------------------------------------------------------------------

ID_A = "0190a5e4-7c6b-7def-8a4b-3c2d1e0f9a8b"
ID_B = "0190a5e4-7c6b-7def-8a4b-3c2d1e0f9a8c"

SEND = {
    "client_id": ID_A,
    "body": "aspirin qd, call 555-123-4567",
    "priority": "urgent",
    "confirm_findings": True,
    "attachments": [ID_B],
    "send_at": "2026-01-02T03:04:05.123456+01:00",
    "lifespan_secs": 3600,
}

PROBLEM = {
    "type": "urn:ward:problem:safety-review",
    "title": "Review the safety findings, then confirm or edit",
    "status": 422,
    "detail": "the body has safety findings",
    "field": "body",
    "findings": [
        {
            "check": "abbreviation",
            "code": "qd",
            "start": 8,
            "end": 10,
            "advice": "Write \"daily\".",
            "blocking": False,
        }
    ],
}


def body(selector, value):
    return bytes([selector]) + json.dumps(value, separators=(",", ":")).encode()


def main():
    write("strip_image", "metadata.jpg", jpeg(metadata=True, progressive=False))
    write("strip_image", "progressive.jpg", jpeg(metadata=False, progressive=True))
    write("strip_image", "metadata.png", png())
    write("strip_image", "plain.webp", webp(extended=False))
    write("strip_image", "metadata.webp", webp(extended=True))

    write("sniff_upload", "document.docx", docx())
    write("sniff_upload", "document.odt", odt())

    # problem_json: the first byte picks the type (see fuzz_targets/problem_json.rs).
    write("problem_json", "send_message", body(9, SEND))
    write(
        "problem_json",
        "create_patient",
        body(
            5,
            {
                "mrn": "A-100234",
                "family_name": "Doe",
                "given_name": "Jane",
                "birth_date": "1962-03-14",
                "user_id": None,
                "care_team": [ID_A],
            },
        ),
    )
    write(
        "problem_json",
        "policy",
        body(
            20,
            {
                "session": {"idle_timeout_secs": 900, "absolute_lifetime_secs": 43200},
                "login": {
                    "max_failures_per_account": 5,
                    "max_failures_per_address": 20,
                    "window_secs": 900,
                },
                "mfa_required_roles": ["admin"],
                "safety": {"block_identifiers": True, "block_order_text": False},
                "retention": {"direct": 31536000, "patient": None},
            },
        ),
    )
    write(
        "problem_json",
        "checkpoint",
        body(
            21,
            {
                "seq": 42,
                "head_hash": "00" * 32,
                "signed_at": "2026-01-02T03:04:05Z",
                "public_key": "11" * 32,
                "signature": "22" * 64,
            },
        ),
    )
    write("problem_json", "problem", body(22, PROBLEM))

    # ws_frame: an even first byte is a client frame, an odd one a server frame.
    write("ws_frame", "send", body(0, {"type": "send", "conversation_id": ID_B, "message": SEND}))
    write("ws_frame", "auth", body(0, {"type": "auth", "token": "ward_token", "cursor": "12"}))
    write("ws_frame", "ack", body(0, {"type": "ack", "cursor": "42"}))
    write(
        "ws_frame",
        "send_failed",
        body(1, {"type": "send.failed", "client_id": ID_A, "problem": PROBLEM}),
    )
    write(
        "ws_frame",
        "acknowledged",
        body(
            1,
            {
                "type": "message.acknowledged",
                "cursor": "43",
                "conversation_id": ID_B,
                "message_id": ID_A,
                "user_id": ID_B,
                "at": "2026-01-02T03:04:05Z",
            },
        ),
    )


if __name__ == "__main__":
    main()
