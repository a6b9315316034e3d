"""File sizes for people: bytes under 1 KB (never "0 KB"), decimal units like the upload limit,
a decimal comma in Vietnamese."""

from __future__ import annotations

import pytest

from forms.values import file_size


@pytest.mark.parametrize(("size", "vi", "en"), [
    (0, "0 B", "0 B"), (30, "30 B", "30 B"), (999, "999 B", "999 B"),
    (1000, "1 KB", "1 KB"), (1500, "1,5 KB", "1.5 KB"), (9_960, "10 KB", "10 KB"), (12_345, "12 KB", "12 KB"),
    (999_600, "1 MB", "1 MB"), (1_500_000, "1,5 MB", "1.5 MB"), (10_000_000, "10 MB", "10 MB"),
    (123_456_789, "123 MB", "123 MB"),
])
def test_sizes_read_in_bytes_kb_and_mb(size: int, vi: str, en: str) -> None:
    assert file_size(size) == vi and file_size(size, "en") == en
