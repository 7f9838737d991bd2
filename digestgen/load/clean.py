"""Text cleaning at the edge: characters no page, feed or search index may carry.

Control characters other than tab and newline, and Unicode non-characters (U+FFFE, U+FFFF,
U+FDD0..U+FDEF and their kin in every plane), cannot be written in XML (so not in a feed) and
never mean anything in an article. The loader refuses a file holding one, naming its line; the
importer removes them from raw pages, which often carry them.
"""
from __future__ import annotations

import re

FORBIDDEN = re.compile(
    "[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ufdd0-\ufdef\ud800-\udfff"
    + "".join(f"{chr(plane * 0x10000 + 0xFFFE)}{chr(plane * 0x10000 + 0xFFFF)}" for plane in range(17))
    + "]")
"""Control characters (C0 but tab, newline and carriage return; DEL; C1), surrogates and non-characters."""


_IN_BMP = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ufdd0-\ufdef\ud800-\udfff\ufffe\uffff]")
"""The forbidden characters of the Basic Multilingual Plane: a class the regular expression engine
looks up by table, where :data:`FORBIDDEN`'s characters beyond it are tried one by one on every
character of the text (five times slower on an article)."""
_BEYOND_BMP = re.compile("[\U00010000-\U0010ffff]")


def find_forbidden(text: str) -> tuple[int, int, str] | None:
    """``(line, column, character)`` of the first forbidden character in ``text`` (1-based), or None."""
    m = _IN_BMP.search(text)
    if _BEYOND_BMP.search(text):  # rare in Chinese news: then the whole class, from the start
        m = FORBIDDEN.search(text, 0, m.start() + 1 if m else len(text))
    if m is None:
        return None
    start = text.rfind("\n", 0, m.start()) + 1
    return text.count("\n", 0, m.start()) + 1, m.start() - start + 1, m.group()


def strip_forbidden(text: str) -> str:
    """``text`` without forbidden characters (a carriage return not before a newline becomes one)."""
    return FORBIDDEN.sub("", text.replace("\r\n", "\n").replace("\r", "\n"))


def describe(char: str) -> str:
    """``U+0007`` for a character, the way editors name invisible ones."""
    return f"U+{ord(char):04X}"
