"""Cleaning untrusted text for feedback: no NULs, control characters or escape codes, bounded."""

from __future__ import annotations

import re

# CSI (ESC [ ... final), OSC (ESC ] ... BEL or ST), and every other escape: ESC, intermediates, a final
# byte (ESC c resets the terminal, ESC ( B picks a character set, ESC 7 saves the cursor).
_ANSI = re.compile(r"\x1b(\[[0-?]*[ -/]*[@-~]|\][^\x07\x1b]*(\x07|\x1b\\)?|[ -/]*[0-~])")
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
# Invisible format characters: zero-width ones, bidi embeddings, overrides and isolates (text that
# displays in another order than it reads: "Trojan Source"), the BOM, interlinear marks, tag characters.
_INVISIBLE = re.compile("[\u200b-\u200f\u202a-\u202e\u2060-\u206f\ufeff\ufff9-\ufffb\U000e0000-\U000e007f]")
# Lone surrogates (from exception messages, surrogate-escaped file names) cannot be written as UTF-8.
_SURROGATE = re.compile("[\ud800-\udfff]")


def clean(text: str) -> str:
    """Drop ANSI escape sequences, control characters other than newline and tab, and invisible
    format characters; replace lone surrogates with U+FFFD so the text is always valid UTF-8."""
    text = _SURROGATE.sub("\ufffd", text.replace("\r\n", "\n"))
    return _INVISIBLE.sub("", _CONTROL.sub("", _ANSI.sub("", text)))


def head_tail(text: str, limit: int) -> str:
    """``text`` if it fits in ``limit`` characters, else its head and tail around a marker."""
    if len(text) <= limit:
        return text
    half = max(limit // 2, 1)
    cut = len(text) - 2 * half
    return f"{text[:half]}\n[... {cut} characters cut ...]\n{text[-half:]}"


def clean_bytes(data: bytes, limit: int) -> str:
    """Decode untrusted bytes, clean them and bound them to ``limit`` characters."""
    return head_tail(clean(data.decode("utf-8", errors="replace")), limit)
