"""Cleaning untrusted text: no NULs, control characters, escape codes or invisible tricks; bounded."""

import random
import re

import pytest

from harness.text import clean, clean_bytes, head_tail

UNWANTED = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2060-\u206f\ufeff\ud800-\udfff]")


@pytest.mark.parametrize(
    ("dirty", "want"),
    [
        ("a\x00b", "ab"),
        ("tab\tand\nnewline", "tab\tand\nnewline"),
        ("crlf\r\nline", "crlf\nline"),
        ("over\rwrite", "overwrite"),
        ("bell\x07 back\x08 form\x0c vt\x0b del\x7f c1\x9b", "bell back form vt del c1"),
        ("\x1b[31;1mred\x1b[0m", "red"),
        ("\x1b[2J\x1b[Hclear", "clear"),
        ("\x1b]0;window title\x07after", "after"),
        ("\x1b]8;;http://evil.example\x1b\\link\x1b]8;;\x1b\\", "link"),
        ("\x1bcreset \x1b7save", "reset save"),
        ("\u202eTrojan\u202c \u2066isolate\u2069", "Trojan isolate"),
        ("zero\u200bwidth\u200djoiner \ufeffbom", "zerowidthjoiner bom"),
        ("tag\U000e0041chars", "tagchars"),
        ("lone \ud800 surrogate \udfff", "lone \ufffd surrogate \ufffd"),
        ("unicode stays: é ✓ 𐏿 日本", "unicode stays: é ✓ 𐏿 日本"),
    ],
    ids=repr,
)
def test_clean_strips_what_could_hide_or_fake_text(dirty, want):
    assert clean(dirty) == want


def test_clean_output_is_always_valid_utf8_without_controls():
    rng = random.Random(0)
    alphabet = [chr(c) for c in [*range(0, 0x250), *range(0x2000, 0x2070), 0xD800, 0xDBFF, 0xDC00, 0xDFFF, 0xFEFF,
                                  0xFFFD, 0x1F600, 0xE0041]]
    for _ in range(300):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randrange(200)))
        cleaned = clean(text)
        cleaned.encode("utf-8")  # no lone surrogates left
        assert not UNWANTED.search(cleaned)
        assert "\x1b" not in cleaned


def test_clean_bytes_decodes_invalid_utf8_and_cleans():
    data = b"ok \xff\xfe\x00\xc3\x28 \x1b[5mblink\x1b[0m \xe2\x80\xae rtl \xf0\x9f\x98\x80"
    text = clean_bytes(data, 1000)
    text.encode("utf-8")
    assert "\x00" not in text and "\x1b" not in text and "\u202e" not in text
    assert text.startswith("ok ") and "blink" in text and text.endswith("\U0001F600")


@pytest.mark.parametrize("limit", [1, 2, 10, 101, 3000])
def test_head_tail_bounds_length_and_keeps_both_ends(limit):
    text = "H" * 5000 + "middle" + "T" * 5000
    cut = head_tail(text, limit)
    marker = re.search(r"\n\[\.\.\. (\d+) characters cut \.\.\.\]\n", cut)
    assert marker
    assert len(cut) - len(marker.group(0)) <= max(limit, 2)
    assert cut.startswith("H") and cut.endswith("T")
    assert int(marker.group(1)) == len(text) - (len(cut) - len(marker.group(0)))


def test_head_tail_leaves_short_text_alone():
    assert head_tail("short", 5) == "short"
    assert head_tail("", 0) == ""


def test_clean_bytes_bounds_a_flood():
    flood = (b"\x00\x1b[31mX\x1b[0m" * 10**6) + b"THE END"
    text = clean_bytes(flood, 3000)
    assert len(text) < 3000 + 100
    assert text.startswith("X") and text.endswith("THE END")
