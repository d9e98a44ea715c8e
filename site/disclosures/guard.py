"""Privacy guard: a disclosure holding an unmasked resident ID or mobile number cannot be
saved (the committee's review page shows drafts to residents) or published.

``DisclosurePage.clean()`` calls :func:`check_personal_numbers`, so every path that saves or
publishes (the admin form, the workflow's publish, imports, the demo) is refused. It reads
the title, text blocks, table cells and captions, finance rows, the correction note, and the
attached PDF, xlsx and docx files (and the uploaded finance sheet). Messages say where, and show
the number masked only. :func:`mask_page_numbers` masks what the site may change; attached
files the editor must replace. Scanned PDFs without a text layer pass (no OCR here); a file
that cannot be read (damaged, locked with a password, or an old xls/doc) is refused, since
it cannot be checked. Images and other kinds of file are not read.
"""

from __future__ import annotations

import hashlib
import html
import io
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from django.core.cache import cache
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.utils.html import strip_tags
from wagtail.blocks import StreamBlockValidationError, StructBlockValidationError
from wagtail.rich_text import RichText

from jiamenkou.privacy import Found, find_personal_numbers, mask_name, mask_personal_numbers

KIND_NAMES = {"id": "身份证号", "mobile": "手机号"}
BLOCK_NAMES = {"text": "文字", "table": "表格", "attachment": "附件", "figure": "图片"}
# Bump when the way files are read changes, so cached findings are read again.
CACHE_VERSION = 2
CACHE_SECONDS = 60 * 60 * 24 * 30


@dataclass(frozen=True)
class Problem:
    """One unmasked number: the form field it belongs to, the place in words, what it is,
    and whether the site can mask it (attached files it cannot)."""

    field: str
    place: str
    found: Found
    in_file: bool = False
    block: int | None = None

    @property
    def message(self) -> str:
        what = KIND_NAMES[self.found.kind]
        if self.in_file:
            return (
                f"{self.place}含有未遮盖的{what}（{self.found.masked}），"
                "请在文件中遮盖后重新上传（网站不能改动附件，“自动遮盖”只处理正文和表格）。"
            )
        return f"{self.place}含有未遮盖的{what}（{self.found.masked}），请遮盖后再保存。"


class UnreadableFile(Exception):
    """An attached file whose text cannot be read, so it cannot be checked."""


# -- what is where -------------------------------------------------------------------------


def text_of_html(source: str) -> str:
    """The text a rich-text block shows (tags dropped, entities decoded)."""
    return html.unescape(strip_tags(source or ""))


def table_rows(table_value) -> list[list[str]]:
    """A TableBlock value's rows of cell strings ("" for empty cells)."""
    rows = (table_value or {}).get("data") or []
    return [["" if cell is None else str(cell) for cell in row or []] for row in rows]


def block_place(index: int, block_type: str) -> str:
    return f"正文第{index + 1}块{BLOCK_NAMES.get(block_type, '')}"


def page_texts(page) -> Iterator[tuple[str, str, int | None, str]]:
    """(field, place, block index, text) for every text the site shows and can mask."""
    yield "title", "标题", None, page.title or ""
    for index, block in enumerate(page.body or []):
        place = block_place(index, block.block_type)
        value = block.value
        if block.block_type == "text":
            yield "body", place, index, text_of_html(getattr(value, "source", str(value)))
        elif block.block_type == "table":
            yield "body", f"{place}标题", index, value.get("caption") or ""
            for r, row in enumerate(table_rows(value.get("table"))):
                for c, cell in enumerate(row):
                    yield "body", f"{place} 第{r + 1}行第{c + 1}列", index, cell
        elif block.block_type in ("attachment", "figure"):
            yield "body", f"{place}说明", index, value.get("caption") or ""
    for n, row in enumerate(page.finance_rows.all(), start=1):
        yield NON_FIELD_ERRORS, f"收支明细第{n}行摘要", None, row.item or ""
        yield NON_FIELD_ERRORS, f"收支明细第{n}行凭证号", None, row.voucher or ""
    yield "correction_note", "更正说明", None, page.correction_note or ""


def page_documents(page) -> Iterator[tuple[str, str, int | None, object]]:
    """(field, place, block index, document) for the attached files and the finance sheet."""
    for index, block in enumerate(page.body or []):
        if block.block_type == "attachment" and block.value.get("document"):
            document = block.value["document"]
            yield (
                "body",
                f"{block_place(index, 'attachment')}“{document.filename}”",
                index,
                document,
            )
    if page.finance_source_id:
        document = page.finance_source
        yield NON_FIELD_ERRORS, f"收支表原件“{document.filename}”", None, document


# -- reading attached files ----------------------------------------------------------------


# Old binary Office and WPS formats: nothing here reads them, so they cannot be checked.
UNCHECKABLE = (".xls", ".doc", ".et", ".wps", ".dps", ".ppt")


def file_texts(filename: str, data: bytes) -> list[tuple[str, str]]:
    """(place within the file, text) of a PDF (per page), xlsx (per cell), docx, csv or
    txt; images and other kinds of file give nothing. Raises UnreadableFile when a file
    cannot be opened, or is of an old Office format that cannot be read."""
    name = filename.lower()
    if name.endswith(".pdf"):
        return pdf_texts(data)
    if name.endswith((".xlsx", ".xlsm")):
        return xlsx_texts(data)
    if name.endswith(".docx"):
        return docx_texts(data)
    if name.endswith((".csv", ".txt")):
        return [("", data.decode("utf-8", errors="replace"))]
    if name.endswith(UNCHECKABLE):
        raise UnreadableFile("old office format")
    return []


def docx_texts(data: bytes) -> list[tuple[str, str]]:
    import re
    import zipfile

    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            xml = archive.read("word/document.xml").decode("utf-8", errors="replace")
    except (zipfile.BadZipFile, KeyError) as error:
        raise UnreadableFile(str(error)) from error
    # Word splits a number over runs (<w:t>1380013</w:t>…<w:t>8000</w:t>): join the runs,
    # keep paragraphs apart.
    return [("", html.unescape(re.sub(r"<[^>]+>", "", xml.replace("</w:p>", "\n"))))]


def pdf_texts(data: bytes) -> list[tuple[str, str]]:
    from jiamenkou.security.uploads import open_pdf

    try:
        reader = open_pdf(data)  # at most MAX_PDF_PAGES pages
        if reader.is_encrypted and not reader.decrypt(""):
            raise UnreadableFile("encrypted")
        return [(f"第{n}页", page.extract_text() or "") for n, page in enumerate(reader.pages, 1)]
    except Exception as error:  # damaged PDFs fail in many ways; none may stop the check
        raise UnreadableFile(str(error)) from error


def xlsx_texts(data: bytes) -> list[tuple[str, str]]:
    from openpyxl.utils import get_column_letter

    from jiamenkou.security.uploads import UnsafeFile, open_workbook

    try:
        workbook = open_workbook(data)  # no zip bomb, no sheet of millions of rows
    except UnsafeFile as error:
        raise UnreadableFile(error.message) from error
    texts = []
    try:
        for sheet in workbook.worksheets:
            for r, row in enumerate(sheet.iter_rows(values_only=True), start=1):
                for c, value in enumerate(row, start=1):
                    if value is None:
                        continue
                    if isinstance(value, float) and value.is_integer():
                        value = int(value)  # a number typed without quotes: 13800138000.0
                    texts.append((f"工作表“{sheet.title}” {get_column_letter(c)}{r}", str(value)))
    except Exception as error:  # a sheet damaged past its first rows
        raise UnreadableFile(str(error)) from error
    finally:
        workbook.close()
    return texts


def file_findings(filename: str, data: bytes) -> list[tuple[str, Found]]:
    """(place within the file, found number) for a file's content, cached by the content's
    SHA-256 so saving a page again does not parse its big PDFs again. Raises UnreadableFile."""
    key = f"disclosures:guard:{CACHE_VERSION}:{hashlib.sha256(data).hexdigest()}"
    cached = cache.get(key)
    if cached is None:
        try:
            cached = [
                (place, found)
                for place, text in file_texts(filename, data)
                for found in find_personal_numbers(text)
            ]
        except UnreadableFile:
            cached = "unreadable"
        cache.set(key, cached, CACHE_SECONDS)
    if cached == "unreadable":
        raise UnreadableFile(filename)
    return [(place, Found(*found)) for place, found in cached]


def read_document(document) -> bytes:
    with document.file.open("rb") as handle:
        return handle.read()


def document_problems(field, place, block, document) -> tuple[list[Problem], list[str]]:
    """The numbers in one attached document, or the message that it cannot be read."""
    try:
        findings = file_findings(document.filename, read_document(document))
    except UnreadableFile:
        return [], [
            f"无法读取{place}的文字，无法检查其中是否有身份证号、手机号："
            "请上传可复制文字、未加密的 PDF、xlsx 或 docx 文件（旧的 xls、doc 请另存为新格式）。"
        ]
    except OSError:
        return [], [f"{place}的文件找不到了，请重新上传。"]
    problems = [
        Problem(field, f"{place}{inner}", found, in_file=True, block=block)
        for inner, found in findings
    ]
    return problems, []


# -- the guard -----------------------------------------------------------------------------


def find_problems(page) -> tuple[list[Problem], list[tuple[str, int | None, str]]]:
    """Every unmasked number on ``page``, and (field, block, message) for files that
    could not be read."""
    problems = [
        Problem(field, place, found, block=block)
        for field, place, block, text in page_texts(page)
        for found in find_personal_numbers(text)
    ]
    unreadable = [("body", index, message) for index, message in unmasked_name_tables(page)]
    for field, place, block, document in page_documents(page):
        found, messages = document_problems(field, place, block, document)
        problems += found
        unreadable += [(field, block, message) for message in messages]
    return problems, unreadable


def unmasked_name_tables(page) -> Iterator[tuple[int, str]]:
    """Tables set to mask names in which no column is headed as a name column: their names
    would show in full, so they are refused too."""
    from disclosures.blocks import NAME_HEADERS

    names = "”“".join(NAME_HEADERS)
    for index, block in enumerate(page.body or []):
        masks = block.block_type == "table" and block.value.get("mask_names")
        if masks and not name_columns(table_rows(block.value.get("table"))):
            place = block_place(index, "table")
            yield (
                index,
                (
                    f"{place}勾选了遮盖姓名，但第一行没有“{names}”这样的列标题，"
                    "网站找不到姓名列：请把姓名列的标题改为其中之一。"
                ),
            )


def check_personal_numbers(page) -> None:
    """Raise ValidationError naming where an unmasked number is. Errors go on the fields
    "title", "body" (against the block, so the admin marks it), "correction_note", and
    the form as a whole for finance rows and the finance sheet (formsets have no field)."""
    problems, unreadable = find_problems(page)
    if not problems and not unreadable:
        return
    messages: dict[str, list[str]] = {}
    body_blocks: dict[int, list[str]] = {}
    for problem in problems:
        if problem.field == "body" and problem.block is not None:
            body_blocks.setdefault(problem.block, []).append(problem.message)
        else:
            messages.setdefault(problem.field, []).append(problem.message)
    for field, block, message in unreadable:
        if field == "body" and block is not None:
            body_blocks.setdefault(block, []).append(message)
        else:
            messages.setdefault(field, []).append(message)
    errors: dict[str, object] = {field: list(texts) for field, texts in messages.items()}
    if body_blocks:
        errors["body"] = body_error(page, body_blocks)
    raise ValidationError(errors)


class BodyNumbersError(StreamBlockValidationError):
    """The body's problems against their blocks (the admin marks each block), with the
    messages themselves as the error's text for every other reader (imports, the shell)."""

    def __init__(self, block_errors, texts):
        super().__init__(block_errors=block_errors)
        self.message = "；".join(texts)


def body_error(page, body_blocks: dict[int, list[str]]) -> BodyNumbersError:
    block_errors = {}
    for index, texts in body_blocks.items():
        if page.body[index].block_type == "text":
            block_errors[index] = ValidationError(texts)
        else:
            block_errors[index] = StructBlockValidationError(non_block_errors=texts)
    texts = [text for index in sorted(body_blocks) for text in body_blocks[index]]
    return BodyNumbersError(block_errors, texts)


def personal_number_messages(page) -> list[str]:
    """Every message :func:`check_personal_numbers` would give, as plain text (for the
    admin form's own checks and for reports)."""
    problems, unreadable = find_problems(page)
    return [problem.message for problem in problems] + [message for *_, message in unreadable]


def finance_row_messages(rows: Iterable) -> list[str]:
    """Messages for finance rows given as objects or dicts with ``item`` and ``voucher``
    (the admin form's formset rows are not on the page until it is saved)."""
    messages = []
    for n, row in enumerate(rows, start=1):
        for attribute, label in (("item", "摘要"), ("voucher", "凭证号")):
            text = row.get(attribute) if isinstance(row, dict) else getattr(row, attribute, "")
            for found in find_personal_numbers(text or ""):
                messages.append(Problem(NON_FIELD_ERRORS, f"收支明细第{n}行{label}", found).message)
    return messages


def uploaded_file_messages(label: str, filename: str, data: bytes) -> list[str]:
    """Messages for a file not yet saved as a document (the finance sheet upload);
    ``label`` names it, e.g. "上传的收支表"."""
    place = f"{label}“{filename}”"
    try:
        findings = file_findings(filename, data)
    except UnreadableFile:
        return [f"无法读取{place}的文字，无法检查其中是否有身份证号、手机号。"]
    return [
        Problem(NON_FIELD_ERRORS, f"{place}{inner}", found, in_file=True).message
        for inner, found in findings
    ]


# -- masking -------------------------------------------------------------------------------


def mask_body(body) -> None:
    """Mask numbers in place in a StreamValue's text blocks, tables and captions."""
    for block in body or []:
        value = block.value
        if block.block_type == "text":
            source = getattr(value, "source", str(value))
            masked = mask_personal_numbers(source)
            if masked != source:
                block.value = RichText(masked)
        elif block.block_type in ("table", "attachment", "figure"):
            if value.get("caption"):
                value["caption"] = mask_personal_numbers(value["caption"])
            if block.block_type == "table" and value.get("table"):
                rows = value["table"].get("data") or []
                value["table"]["data"] = [
                    [mask_personal_numbers(cell) if isinstance(cell, str) else cell for cell in row]
                    for row in rows
                ]


def mask_page_numbers(page) -> None:
    """Mask ID and mobile numbers in place in what the site can change: the title, text
    blocks, tables and captions, finance rows and the correction note. Attached files are
    left as they are (the guard still refuses them: the editor must replace the file)."""
    page.title = mask_personal_numbers(page.title)
    mask_body(page.body)
    for row in page.finance_rows.all():
        row.item = mask_personal_numbers(row.item)
        row.voucher = mask_personal_numbers(row.voucher)
    page.correction_note = mask_personal_numbers(page.correction_note)


# -- showing tables ------------------------------------------------------------------------


def name_columns(rows: list[list[str]]) -> set[int]:
    """The columns whose title in the first row is one of NAME_HEADERS."""
    from disclosures.blocks import NAME_HEADERS

    return {c for c, title in enumerate(rows[0] if rows else []) if title.strip() in NAME_HEADERS}


def display_table(value) -> dict:
    """What a table block shows: {"caption", "header" (list or None), "rows"}, with the
    cells of name columns (disclosures.blocks.NAME_HEADERS) masked as 张*明 when the
    block's ``mask_names`` is on. Names stay stored in full for the editors."""
    table = value.get("table") or {}
    rows = table_rows(table)
    has_header = bool(table.get("first_row_is_table_header")) and bool(rows)
    header = rows[0] if has_header else None
    body_rows = rows[1:] if has_header else rows
    # The first row names the columns even when it is not marked as the header row.
    columns = name_columns(rows) if value.get("mask_names") else set()
    if columns:
        first = 0 if has_header else 1
        body_rows = body_rows[:first] + [
            [mask_name(cell) if c in columns else cell for c, cell in enumerate(row)]
            for row in body_rows[first:]
        ]
    return {"caption": value.get("caption") or "", "header": header, "rows": body_rows}
