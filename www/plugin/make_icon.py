#!/usr/bin/env python3
"""Draws the WHM menu icon of the plugin: www/plugin/transfer_console.png, 48x48 RGBA.

A rounded blue square with two white arrows (one to the right above one to the left: a transfer).
Only the standard library (zlib, struct), so it runs anywhere; the PNG is committed beside this
script and `make plugin` copies it. Run `python3 www/plugin/make_icon.py` after changing the drawing.
"""
import os
import struct
import zlib

SIZE = 48
SS = 4  # supersampling per axis, for smooth edges
BG = (31, 95, 191)  # blue
FG = (255, 255, 255)


def inside_rounded_square(x, y, r=9.0, lo=1.0, hi=47.0):
    """Is the point inside the square [lo, hi]² with corners rounded by radius r?"""
    if not (lo <= x <= hi and lo <= y <= hi):
        return False
    cx = min(max(x, lo + r), hi - r)
    cy = min(max(y, lo + r), hi - r)
    return (x - cx) ** 2 + (y - cy) ** 2 <= r * r


def inside_arrow(x, y, y_mid, to_right):
    """A horizontal arrow: a shaft 4 px thick from 11 to 31 and a head 12 px tall at the tip (37 or 11)."""
    if not to_right:
        x = 48.0 - x  # mirror
    shaft = 11.0 <= x <= 29.0 and abs(y - y_mid) <= 2.0
    # head: triangle with its base at x = 27 (height 14) and its tip at x = 38
    head = 27.0 <= x <= 38.0 and abs(y - y_mid) <= 7.0 * (38.0 - x) / 11.0
    return shaft or head


def pixel(px, py):
    cover_bg = cover_fg = 0
    for sy in range(SS):
        for sx in range(SS):
            x = px + (sx + 0.5) / SS
            y = py + (sy + 0.5) / SS
            if inside_rounded_square(x, y):
                cover_bg += 1
                if inside_arrow(x, y, 17.0, True) or inside_arrow(x, y, 31.0, False):
                    cover_fg += 1
    n = SS * SS
    if cover_bg == 0:
        return (0, 0, 0, 0)
    t = cover_fg / cover_bg
    rgb = tuple(round(b + (f - b) * t) for b, f in zip(BG, FG))
    return rgb + (round(255 * cover_bg / n),)


def png(width, height, rows):
    def chunk(kind, data):
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body) & 0xFFFFFFFF)

    raw = b"".join(b"\x00" + bytes(v for p in row for v in p) for row in rows)
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 6, 0, 0, 0)  # 8-bit RGBA
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(raw, 9)) + chunk(b"IEND", b"")


def main():
    rows = [[pixel(x, y) for x in range(SIZE)] for y in range(SIZE)]
    out = os.path.join(os.path.dirname(os.path.abspath(__file__)), "transfer_console.png")
    with open(out, "wb") as f:
        f.write(png(SIZE, SIZE, rows))
    print(out)


if __name__ == "__main__":
    main()
