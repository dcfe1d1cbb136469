"""A file of another kind (a PDF, an image, an archive, a database) given as a sheet is
refused naming what it is.  Before, one without NUL bytes in its first kilobytes (a PDF) was
read as CSV text: the error blamed a code page, or the app's column step listed its first
line ("%PDF-1.4 ...") as the columns found."""

from __future__ import annotations

from pathlib import Path

import pytest

import hubframe as hf
from hubframe.cli import main
from hubframe.errors import InputError

FILES = {
    "a PDF document": b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog >>\nendobj\n",
    "a PNG image": b"\x89PNG\r\n\x1a\n" + b"IHDR" * 8,
    "a JPEG image": b"\xff\xd8\xff\xe0\x00\x10JFIF" + b"x" * 40,
    "a GIF image": b"GIF89a" + b"x" * 40,
    "a gzip archive": b"\x1f\x8b\x08\x00" + b"x" * 40,
    "a 7-Zip archive": b"7z\xbc\xaf\x27\x1c" + b"x" * 40,
    "a RAR archive": b"Rar!\x1a\x07\x00" + b"x" * 40,
    "an SQLite database": b"SQLite format 3\x00" + b"x" * 40,
    "an RTF document": b"{\\rtf1\\ansi Deal ID,Contact ID\\par 2040000001,1019360001}",
}


@pytest.mark.parametrize("kind", list(FILES))
@pytest.mark.parametrize("suffix", [".csv", ".pdf", ""])
def test_a_file_of_another_kind_is_refused_naming_it(
    kind: str, suffix: str, tmp_path: Path
) -> None:
    path = tmp_path / f"upload{suffix}"
    path.write_bytes(FILES[kind])
    for source in (path, FILES[kind]):
        with pytest.raises(InputError) as caught:
            hf.read_pairs(source)
        assert f"is {kind}" in str(caught.value) and "not a sheet" in str(caught.value)
    with pytest.raises(InputError, match="not a sheet"):
        hf.read_limits(path)


def test_the_command_line_says_what_the_file_is(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "pairs.pdf"
    path.write_bytes(FILES["a PDF document"])
    assert main(["associate", str(path), "--sandbox", "--dry-run", "--no-progress"]) != 0
    said = capsys.readouterr().err
    assert "is a PDF document, not a sheet" in said, said
    assert "Windows-1252" not in said


def test_text_that_merely_starts_like_one_is_read() -> None:
    """A CSV whose first header starts with "GIF8" or "Rar" letters is still a CSV."""
    frame = hf.read_pairs(b"Deal ID,Contact ID,GIF8 notes\n2040000001,1019360001,x\n")
    assert len(frame) == 1
    frame = hf.read_pairs(b"GIF8 notes,Deal ID,Contact ID\nx,2040000001,1019360001\n")
    assert frame["from_id"].tolist() == ["2040000001"]
