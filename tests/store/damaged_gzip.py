"""The damaged gzip files the recording readers are tried on: cut in the header, the middle and
the trailer, junk or zeros after the end, a second member (whole or cut), the magic alone, a bad
CRC. Each reader's test adds its own flipped bytes."""

from __future__ import annotations

import gzip


def damaged_gzips(sample: bytes) -> tuple[bytes, dict[str, bytes]]:
    """The sample's gzip, and the damaged copies of it by file name (the whole one among them)."""
    gz = gzip.compress(sample, compresslevel=5, mtime=0)
    crc = bytearray(gz)
    crc[-6] ^= 1
    return gz, {
        "whole.gz": gz,
        "cut_header.gz": gz[:5],
        "cut_early.gz": gz[: len(gz) // 7],
        "cut_middle.gz": gz[: len(gz) // 2],
        "cut_trailer.gz": gz[:-3],  # the CRC and length cut
        "junk_after.gz": gz + b"not gzip at all",
        "zeros_after.gz": gz + b"\0" * 100,  # padding gzip allows
        "two_members.gz": gz + gzip.compress(b"1 {}\n2 {}\n", mtime=0),
        "member_then_cut.gz": gz + gzip.compress(sample[:50_000], mtime=0)[:-100],
        "magic_only.gz": b"\x1f\x8b",
        "bad_crc.gz": bytes(crc),
    }
