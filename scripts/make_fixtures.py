"""Write the tiny test fixtures in tests/data/ (see tests/data/README.md for what each tests).

    .venv/bin/python scripts/make_fixtures.py [--out DIR]

Every fixture is byte-for-byte reproducible except the two encrypted PDFs: pypdf draws a
fresh file key and document ID each time it encrypts, so regenerating them changes their
bytes (not their content or passwords).
"""

from __future__ import annotations

import argparse
import io
import random
import sys
from collections.abc import Callable
from pathlib import Path

from minipdf import pdf_bytes, write_image_pdf, write_pdf

DATA_DIR = Path(__file__).resolve().parent.parent / "tests" / "data"

REPORT_TITLE = "Sample Mission Report"
REPORT_HEADER = "OSCE Mission in Kosovo — Sample Mission Report (test fixture)"
FOOTER = "Page {page} of {pages}"

_REPORT_PAGES: list[str | list[str]] = [
    """# Sample Mission Report

This short report is a test fixture. It describes a fictional two-day workshop on hate crime
for police officers, held by the OSCE Mission in Kosovo in March 2024.

The workshop opened in Prishtinë and ended with a field visit to Obilić, where the officers
reviewed a recent case together with the local prosecutor.

Twenty-two officers attended. This paragraph runs across the page break: on the second day
the participants discussed bias indicators, the recording of motives in incident reports and
the""",
    # Page 2 is given as explicit lines, so that "train-" ends one line and "ing" starts the next.
    [
        "support that victims need during their first interview, before returning to the",
        "classroom for a final exercise on a case from Mitrovicë/Mitrovica.",
        "",
        "Several officers asked the Mission for a longer train-",
        "ing course on recording standards, to be held in the autumn.",
    ],
    """# Conclusions

The Mission will repeat the workshop in Pejë/Peć and Gjilan/Gnjilane in 2025. This third page
exists so that the fixture has a last page with its own header and footer.""",
]

_SHORT_TEXT = (
    "The training in Ferizaj/Uroševac reached 40 police officers and 12 prosecutors.\n\n"
    "Participants practised recording bias indicators in incident reports."
)

_LATIN1_TEXT = (
    "The workshop in Prishtinë brought together police officers from Graçanicë and "
    "Ferizaj. Over coffee in a café near the station, participants agreed that every "
    "résumé of a case must record the victim's own account, in the language they prefer."
)

_NOTES_MD = """# Field notes

The monitoring team visited two police stations in March and found that both had received
the new pocket cards on bias indicators.

Station commanders asked for a refresher session in the autumn, after the summer rotation of
patrol officers.
"""

_INJECTION_TEXT = (
    "Training report with unusual characters\n\n"
    "The training for 30 police officers took place on 12 May 2024. "
    "One slide quoted a message that read <script>alert('x')</script> to show how online "
    "threats are hidden in web pages. "
    "Another example was an image tag, <img src=x onerror=alert(1)>, sent by e-mail. "
    "Participants were asked not to open links such as [click](javascript:alert(1)) and to "
    "report them. The trainer called this **bold** advice.\n\n"
    "The log of the projector contained a bell character \x07 and a colour code "
    "\x1b[31m that should never be shown to a user. The training ended at 16:00.\n"
)


def report_multipage(path: Path) -> None:
    """Three pages with header, footer, a paragraph across a page break and a hyphenated word."""
    write_pdf(path, _REPORT_PAGES, title=REPORT_TITLE, header=REPORT_HEADER, footer=FOOTER)


def image_only(path: Path) -> None:
    """One page with a grey image and no text at all."""
    write_image_pdf(path, title="Image only")


def password(path: Path) -> None:
    """One text page encrypted with AES-256, user password "secret"."""
    _write_encrypted(path, user_password="secret")


def empty_password(path: Path) -> None:
    """One text page encrypted with an empty user password (owner password "owner")."""
    _write_encrypted(path, user_password="")


def _write_encrypted(path: Path, user_password: str) -> None:
    from pypdf import PdfReader, PdfWriter  # only these two fixtures need pypdf

    plain = pdf_bytes([_SHORT_TEXT], title="Encrypted sample", footer=FOOTER)
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(plain)))
    writer.encrypt(user_password=user_password, owner_password="owner", algorithm="AES-256")
    with path.open("wb") as handle:
        writer.write(handle)


def corrupt(path: Path) -> None:
    """A PDF header and a catalog object, then seeded garbage: truncated beyond repair."""
    garbage = random.Random(7).randbytes(400)
    head = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n"
    path.write_bytes(head + garbage)


def random_bytes(path: Path) -> None:
    """4 KB of seeded random bytes with a .pdf name."""
    path.write_bytes(random.Random(20240601).randbytes(4096))


def empty(path: Path) -> None:
    """A zero-byte file."""
    path.write_bytes(b"")


def zero_pages(path: Path) -> None:
    """A valid PDF whose page tree is empty."""
    write_pdf(path, [], title="Zero pages")


def latin1(path: Path) -> None:
    """A paragraph in cp1252 (é, ë, ç as single bytes), so it is not valid UTF-8."""
    path.write_bytes(_LATIN1_TEXT.encode("cp1252"))


def notes(path: Path) -> None:
    """A short Markdown note: a heading and two paragraphs."""
    path.write_text(_NOTES_MD, encoding="utf-8")


def injection(path: Path) -> None:
    """Normal sentences carrying HTML, a javascript: link, Markdown and control characters."""
    path.write_text(_INJECTION_TEXT, encoding="utf-8")


FIXTURES: dict[str, Callable[[Path], None]] = {
    "report_multipage.pdf": report_multipage,
    "image_only.pdf": image_only,
    "password.pdf": password,
    "empty_password.pdf": empty_password,
    "corrupt.pdf": corrupt,
    "random_bytes.pdf": random_bytes,
    "empty.pdf": empty,
    "zero_pages.pdf": zero_pages,
    "latin1.txt": latin1,
    "notes.md": notes,
    "injection.txt": injection,
}


def build_fixtures(out_dir: Path = DATA_DIR) -> list[Path]:
    """Write every fixture into `out_dir` and return their paths."""
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for name, make in FIXTURES.items():
        make(out_dir / name)
        written.append(out_dir / name)
    return written


def main(argv: list[str] | None = None) -> int:
    """Command line: write the fixtures and list them."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=DATA_DIR, help="output folder")
    args = parser.parse_args(argv)
    for path in build_fixtures(args.out):
        print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
