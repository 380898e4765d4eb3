"""Cleaning untrusted text for feedback: no NULs, control characters or escape codes, bounded."""

from __future__ import annotations

import re

_ANSI = re.compile(r"\x1b(\[[0-?]*[ -/]*[@-~]|\][^\x07\x1b]*(\x07|\x1b\\)?|[@-Z\\-_])")
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def clean(text: str) -> str:
    """Drop ANSI escape sequences and control characters other than newline and tab."""
    return _CONTROL.sub("", _ANSI.sub("", text.replace("\r\n", "\n")))


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
