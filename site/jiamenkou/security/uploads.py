"""Opening uploaded files safely.

Images are Wagtail's (settings: WAGTAILIMAGES_MAX_UPLOAD_SIZE, WAGTAILIMAGES_MAX_IMAGE_PIXELS:
Willow and Pillow read the header, a decompression bomb is refused before it is decoded)
and documents' size is WAGTAILDOCS_MAX_UPLOAD_SIZE. What the site itself parses is checked
here before a parser sees it:

- xlsx (the catalog's and the programme's imports, the points import, the finance sheet,
  the disclosure guard): a zip whose members together unpack to at most
  MAX_WORKBOOK_BYTES, whose sheets declare at most MAX_SHEET_ROWS rows; openpyxl then
  reads in read-only mode where the caller can.
- PDF (the disclosure guard, pypdf): at most MAX_PDF_PAGES pages; pypdf itself caps what
  one stream may inflate to.
- Documents uploaded to the library (``documents.CheckedDocumentForm``, Wagtail's document
  form base): a .pdf must be a PDF, and office files and zips must be zips that unpack to at
  most MAX_WORKBOOK_BYTES (an .xlsx also within MAX_SHEET_ROWS), so what residents
  download is what its name says and nothing parsed later is a bomb.

Each refusal is an :class:`UnsafeFile` with a Chinese message naming the file when its
name is known; callers turn it into their own form or import error.
"""

from __future__ import annotations

import io
import re
import zipfile

#: What an xlsx may unpack to in all: a 20,000-row service sheet is about 10 MB of XML.
MAX_WORKBOOK_BYTES = 100 * 1024 * 1024
#: Rows a sheet may declare (its <dimension>): more than any import or disclosure needs.
MAX_SHEET_ROWS = 200_000
MAX_PDF_PAGES = 2_000
_DIMENSION = re.compile(rb'<(?:\w+:)?dimension[^>]*\sref="(?:[A-Z]+\d+:)?[A-Z]+(\d+)"')


class UnsafeFile(ValueError):
    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


class NotAWorkbook(UnsafeFile):
    """Not a zip at all: callers with their own wording for that may use it instead."""


def _named(filename: str) -> str:
    return f"文件“{filename}”" if filename else "这个文件"


def _as_file(source):
    if isinstance(source, bytes | bytearray | memoryview):
        return io.BytesIO(source)
    if hasattr(source, "seek"):
        source.seek(0)
    return source


def check_workbook(source, filename: str = "") -> None:
    """Refuses an xlsx that is not a zip, unpacks to more than MAX_WORKBOOK_BYTES or has a
    sheet declaring more than MAX_SHEET_ROWS rows. Reads only the zip's directory and the
    first few kilobytes of each sheet."""
    name = _named(filename)
    file = _as_file(source)
    try:
        with zipfile.ZipFile(file) as archive:
            members = archive.infolist()
            if sum(member.file_size for member in members) > MAX_WORKBOOK_BYTES:
                raise UnsafeFile(
                    f"{name}解压后超过{MAX_WORKBOOK_BYTES // 1024 // 1024} MB，无法读取："
                    "请删去多余的工作表和空行后另存为 .xlsx 再上传。"
                )
            for member in members:
                if member.filename.startswith("xl/worksheets/") and member.filename.endswith(
                    ".xml"
                ):
                    with archive.open(member) as sheet:
                        found = _DIMENSION.search(sheet.read(4096))
                    if found and int(found.group(1)) > MAX_SHEET_ROWS:
                        raise UnsafeFile(
                            f"{name}的工作表有{int(found.group(1)):,}行，超过{MAX_SHEET_ROWS:,}行的上限："
                            "请删去多余的空行，或分成几个文件上传。"
                        )
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError) as error:
        raise NotAWorkbook(
            f"{name}不是有效的 .xlsx 文件，无法读取：请在 Excel 或 WPS 中另存为 .xlsx 后再上传。"
        ) from error
    finally:
        if hasattr(file, "seek"):
            file.seek(0)


def open_workbook(source, filename: str = "", *, read_only: bool = True):
    """openpyxl's workbook of a checked xlsx (values, not formulas); UnsafeFile when it
    cannot be opened, whatever openpyxl raises."""
    from openpyxl import load_workbook

    check_workbook(source, filename)
    try:
        return load_workbook(_as_file(source), read_only=read_only, data_only=True)
    except Exception as error:  # openpyxl raises many kinds for a damaged file
        raise UnsafeFile(
            f"{_named(filename)}已损坏或不是 .xlsx 文件，无法读取：请在 Excel 或 WPS 中另存为 .xlsx 后再上传。"
        ) from error


def open_pdf(data: bytes, filename: str = ""):
    """pypdf's reader of a PDF with at most MAX_PDF_PAGES pages; UnsafeFile otherwise."""
    from pypdf import PdfReader

    name = _named(filename)
    try:
        reader = PdfReader(io.BytesIO(data))
        pages = len(reader.pages)
    except Exception as error:  # damaged PDFs fail in many ways
        raise UnsafeFile(f"{name}已损坏或不是 PDF 文件，无法读取。") from error
    if pages > MAX_PDF_PAGES:
        raise UnsafeFile(f"{name}有{pages}页，超过{MAX_PDF_PAGES}页的上限，无法检查。")
    return reader


#: Document extensions that are zip archives (Office Open XML, OpenDocument, zip itself).
ZIPPED_EXTENSIONS = (".docx", ".xlsx", ".pptx", ".odt", ".zip")


def check_document(file, filename: str) -> None:
    """Refuses a document whose content is not what its extension says, or a zip bomb."""
    name = filename.lower()
    file.seek(0)
    head = file.read(5)
    file.seek(0)
    if name.endswith(".pdf") and head != b"%PDF-":
        raise UnsafeFile(
            f"{_named(filename)}不是 PDF 文件，请上传真正的 PDF（可在 WPS 或 Word 中“另存为 PDF”）。"
        )
    if name.endswith(ZIPPED_EXTENSIONS):
        try:
            check_workbook(file, filename)
        except NotAWorkbook:
            raise UnsafeFile(
                f"{_named(filename)}已损坏，或内容与扩展名不符，无法上传：请用原来的程序重新保存后再上传。"
            ) from None
