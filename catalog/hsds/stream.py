"""Streaming JSON: the records of an HSDS file, one at a time, without loading it whole."""

import codecs
import json
import re
from collections.abc import Iterator
from itertools import chain
from pathlib import Path

from catalog.hsds.problems import HsdsImportError, Problem


def parse_json(raw: bytes | str) -> list:
    """The file's records, or HsdsImportError when it is not a JSON array."""
    try:
        data = json.loads(raw)
    except (ValueError, UnicodeDecodeError) as error:
        position = (
            f"（第{error.lineno}行第{error.colno}列）"
            if isinstance(error, json.JSONDecodeError)
            else ""
        )
        raise HsdsImportError([Problem("$", f"文件不是有效的JSON{position}。")]) from error
    if not isinstance(data, list):
        raise HsdsImportError([Problem("$", "文件内容应为服务记录组成的JSON数组。")])
    return data


# -- streaming a big file ---------------------------------------------------------------

_JSON_SPACE = " \t\n\r"
_SKIP_SPACE = re.compile(r"[ \t\n\r]*")
_DECODER = json.JSONDecoder()


def _not_json(lineno: int | None = None, colno: int | None = None) -> HsdsImportError:
    position = f"（第{lineno}行第{colno}列）" if lineno is not None else ""
    return HsdsImportError([Problem("$", f"文件不是有效的JSON{position}。")])


class _OtherLayout(Exception):
    """Valid JSON may be laid out otherwise than one record per line: parse it whole."""


def iter_records(path: str | Path) -> Iterator:
    """The records of a JSON array file, one at a time.

    A file written one record per line (``[``, then one record per line ending in a
    comma, then ``]``: the demo catalog, ``export_hsds`` and the benchmark generator
    write it so) is read line by line, so a 1.5 GB file never sits in memory whole. A
    syntax error is reported as ``parse_json`` reports it, at the same line and column
    (a UTF-8 file is checked up to its first error only). Any other layout is handed to
    ``parse_json`` whole, and so is a file that changes layout midway (the records
    already read are not read again). The file is opened at once (``OSError`` here);
    records and ``HsdsImportError`` come while iterating.
    """
    file = open(path, "rb")  # noqa: SIM115 - closed by the generator
    return _stream_records(file)


def _stream_records(file) -> Iterator:
    with file:
        yielded = 0
        try:
            for record in _records_by_line(file):
                yield record
                yielded += 1
        except _OtherLayout:
            file.seek(0)
            records = parse_json(file.read())
            # The records read so far are the array's first ones; go on from there.
            del records[:yielded]
            records.reverse()
            while records:
                yield records.pop()


def _records_by_line(file) -> Iterator:
    first = file.readline()
    if first.startswith(codecs.BOM_UTF8):
        first = first[len(codecs.BOM_UTF8) :]
    if first.strip(_JSON_SPACE.encode()) != b"[":
        raise _OtherLayout
    lineno, line = 1, first.decode("utf-8", "surrogatepass")
    expecting = "first"  # first: a record or "]"; value: a record; comma: "," or "]"
    for raw in file:
        lineno += 1
        line = _decode(raw)
        start = _SKIP_SPACE.match(line).end()
        if start == len(line):
            continue
        char = line[start]
        if char == "]" and expecting != "value":
            _expect_only_space(file, line, start + 1, lineno)
            return
        if expecting == "comma":
            if char == ",":
                raise _OtherLayout  # the comma leads the next line
            raise _not_json(lineno, start + 1)  # Expecting ',' delimiter
        if char == "]":
            raise _not_json(lineno, start + 1)  # a comma before "]"
        try:
            record, end = _DECODER.raw_decode(line, start)
        except json.JSONDecodeError as error:
            if error.pos < len(line.rstrip(_JSON_SPACE)):
                raise _not_json(lineno, error.pos + 1) from error
            # The record goes on past this line: another layout, or the file ends here.
            rest = _space_to_end(file, line)
            try:
                _DECODER.raw_decode(rest, start)
            except json.JSONDecodeError as at_end:
                lines_before = rest.count("\n", 0, at_end.pos)
                colno = at_end.pos - rest.rfind("\n", 0, at_end.pos)
                raise _not_json(lineno + lines_before, colno) from at_end
            raise _not_json(*_end_position(rest, lineno)) from error
        after = _SKIP_SPACE.match(line, end).end()
        if after == len(line):
            expecting = "comma"
        elif line[after] == ",":
            if _SKIP_SPACE.match(line, after + 1).end() != len(line):
                raise _OtherLayout  # several records on one line
            expecting = "value"
        elif line[after] == "]":
            yield record
            _expect_only_space(file, line, after + 1, lineno)
            return
        else:
            raise _not_json(lineno, after + 1)  # Expecting ',' delimiter
        yield record
    # The file ended before the closing "]".
    raise _not_json(*_end_position(line, lineno))


def _decode(raw: bytes) -> str:
    try:
        return raw.decode("utf-8", "surrogatepass")
    except UnicodeDecodeError as error:
        raise _not_json() from error


def _expect_only_space(file, line: str, start: int, lineno: int) -> None:
    """After the closing "]" only white space may follow (else json's "Extra data")."""
    for text in chain([line], map(_decode, file)):
        position = _SKIP_SPACE.match(text, start).end()
        if position != len(text):
            raise _not_json(lineno, position + 1)
        start, lineno = 0, lineno + 1


def _space_to_end(file, line: str) -> str:
    """``line`` and the rest of the file, when the rest is only white space."""
    rest = [line]
    for raw in file:
        text = _decode(raw)
        if _SKIP_SPACE.match(text).end() != len(text):
            raise _OtherLayout
        rest.append(text)
    return "".join(rest)


def _end_position(text: str, lineno: int) -> tuple[int, int]:
    """Line and column just past ``text``, whose first line is line ``lineno``."""
    newlines = text.count("\n")
    return lineno + newlines, len(text) - text.rfind("\n")
