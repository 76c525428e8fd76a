"""A Markdown report as the text a reader sees: no markup in its passages and quotes.

Indexed as written, "## Kosovo" was a heading with its hashes, an editor's
"<!-- Sample report … -->" note opened the first passage, and "**142** officers" or
"[the strategy](https://…)" stood in an answer as typed. The text keeps every word a reader
sees: a heading's words on their own line, a link's and an image's words without the
address, emphasis and code without their marks, list items as "- " lines; an HTML comment,
a code fence's ``` line and a heading's underline go.
"""

from __future__ import annotations

import re

__all__ = ["markdown_as_text"]

_COMMENT = re.compile(r"<!--.*?(?:-->|\Z)", re.DOTALL)
_ATX_HEADING = re.compile(r"^ {0,3}#{1,6}(?:[ \t]+(.*?))??(?:[ \t]+#+)?[ \t]*$", re.MULTILINE)
_UNDERLINE = re.compile(r"^ {0,3}(?:=+|-{2,}|\*{3,}|_{3,})[ \t]*$", re.MULTILINE)  # and rules
_FENCE = re.compile(r"^ {0,3}(?:```|~~~).*$", re.MULTILINE)
_IMAGE = re.compile(r"!\[([^\]\n]*)\]\([^)\n]*\)")
_LINK = re.compile(r"\[([^\]\n]+)\]\((?:[^()\s]|\([^()\s]*\))*(?:\s+\"[^\"\n]*\")?\)")
_REFERENCE_LINK = re.compile(r"\[([^\]\n]+)\]\[[^\]\n]*\]")
_LINK_DEFINITION = re.compile(r"^ {0,3}\[[^\]\n]+\]:[ \t]+\S+.*$", re.MULTILINE)
_STRONG = re.compile(r"(\*\*|__)(?=\S)(.+?)(?<=\S)\1")
_EMPHASIS = re.compile(r"(?<![\w*])\*(?=\S)([^*\n]+?)(?<=\S)\*(?![\w*])")
_UNDERSCORE_EMPHASIS = re.compile(r"(?<![\w_])_(?=\S)([^_\n]+?)(?<=\S)_(?![\w_])")
_CODE = re.compile(r"`+([^`\n]+?)`+")
_BULLET = re.compile(r"^([ \t]*)[*+][ \t]+", re.MULTILINE)
_QUOTE = re.compile(r"^ {0,3}>[ \t]?", re.MULTILINE)


def markdown_as_text(text: str) -> str:
    """``text`` (Markdown) as plain text, line for line where a line holds words."""
    text = _COMMENT.sub("", text)
    text = _FENCE.sub("", text)
    text = _ATX_HEADING.sub(lambda m: m.group(1) or "", text)
    text = _UNDERLINE.sub("", text)
    text = _LINK_DEFINITION.sub("", text)
    text = _IMAGE.sub(r"\1", text)
    text = _LINK.sub(r"\1", text)
    text = _REFERENCE_LINK.sub(r"\1", text)
    text = _CODE.sub(r"\1", text)
    text = _STRONG.sub(r"\2", text)
    text = _EMPHASIS.sub(r"\1", text)
    text = _UNDERSCORE_EMPHASIS.sub(r"\1", text)
    text = _QUOTE.sub("", text)
    return _BULLET.sub(r"\1- ", text)
