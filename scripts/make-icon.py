#!/usr/bin/env python3
"""Draws gilviz's window icon, a white padlock (the GIL) on a round blue badge, and writes
it as assets/gilviz-icon.png (64 x 64, RGBA), the file the viewer loads at run time.

    scripts/make-icon.py           # write assets/gilviz-icon.png
    scripts/make-icon.py --check   # fail when the file is not what this script draws

Pure Python (zlib for the PNG's compression): run it again after changing the drawing, and
commit the script and the PNG together.
"""
import math
import os
import struct
import sys
import zlib

SIZE = 64
PATH = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "assets", "gilviz-icon.png")
BADGE = (36, 82, 148)
WHITE = (255, 255, 255)


def draw(size):
    """size x size RGBA rows: the disc with a soft edge, the shackle, the body, the keyhole."""
    s = float(size)
    c = s / 2.0
    rows = []
    for y in range(size):
        row = bytearray()
        for x in range(size):
            px, py = x + 0.5, y + 0.5
            coverage = min(max(c - math.hypot(px - c, py - c), 0.0), 1.0)  # the disc's soft edge
            if coverage <= 0.0:
                row += bytes(4)
                continue
            in_body = 0.28 * s < px < 0.72 * s and 0.45 * s < py < 0.78 * s
            ring = math.hypot(px - c, py - 0.45 * s)
            in_shackle = py < 0.47 * s and 0.13 * s < ring < 0.2 * s
            in_keyhole = (math.hypot(px - c, py - 0.58 * s) < 0.05 * s
                          or (abs(px - c) < 0.025 * s and 0.58 * s < py < 0.69 * s))
            colour = WHITE if (in_body and not in_keyhole) or in_shackle else BADGE
            row += bytes(colour) + bytes([int(math.floor(255.0 * coverage + 0.5))])
        rows.append(bytes(row))
    return rows


def check_drawing(rows):
    """What the icon must look like, whatever the drawing becomes."""
    at = lambda x, y: rows[y][4 * x:4 * x + 4]  # noqa: E731
    assert at(0, 0)[3] == 0 and at(SIZE - 1, SIZE - 1)[3] == 0, "the corners are outside the badge"
    assert at(SIZE // 2, 3)[3] == 255 and at(SIZE // 2, 3)[2] > at(SIZE // 2, 3)[0], "the badge is opaque blue"
    assert at(20, 45)[:3] == bytes(WHITE), "the padlock's body is white"
    assert at(SIZE // 2, SIZE * 58 // 100)[:3] != bytes(WHITE), "the keyhole is not white"


def png(rows, size):
    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", size, size, 8, 6, 0, 0, 0)  # 8-bit RGBA
    raw = b"".join(b"\x00" + row for row in rows)  # filter 0 on every row
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(raw, 9)) + chunk(b"IEND", b"")


def pixels_of(data):
    """The header and the filtered rows of a PNG this script wrote (one IDAT chunk)."""
    chunks, at = {}, 8
    while at < len(data):
        length, kind = struct.unpack(">I4s", data[at:at + 8])
        chunks[kind] = data[at + 8:at + 8 + length]
        at += 12 + length
    return chunks.get(b"IHDR"), zlib.decompress(chunks.get(b"IDAT", b"")) if b"IDAT" in chunks else None


def main():
    rows = draw(SIZE)
    check_drawing(rows)
    data = png(rows, SIZE)
    if "--check" in sys.argv[1:]:
        # The pixels, not the bytes: another zlib may compress the same pixels differently.
        with open(PATH, "rb") as f:
            if pixels_of(f.read()) != pixels_of(data):
                sys.exit(f"{os.path.normpath(PATH)} is not what scripts/make-icon.py draws: run it and commit both")
        print("icon: ok")
        return
    with open(PATH, "wb") as f:
        f.write(data)
    print(f"wrote {os.path.normpath(PATH)}")


if __name__ == "__main__":
    main()
