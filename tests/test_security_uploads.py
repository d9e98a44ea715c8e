"""Uploads are checked (jiamenkou/security/uploads.py and Wagtail's image and document
fields): size limits, images that really are images, decompression bombs and zip bombs
refused in Chinese, damaged PDFs and workbooks refused without a server error. Every file
is really made, in a temporary folder."""

import io
import os
import re
import tempfile
import zipfile
from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import TestCase
from django.urls import reverse
from openpyxl import Workbook
from PIL import Image as PILImage
from wagtail.documents import get_document_model
from wagtail.images import get_image_model

from catalog.excel.problems import ExcelImportError
from catalog.excel.rows import read_sheet_rows
from disclosures.finance import FinanceSheetError, read_finance_sheet
from disclosures.guard import UnreadableFile, file_findings
from jiamenkou.security.uploads import MAX_SHEET_ROWS

MB = 1024 * 1024


def page_text(response) -> str:
    return re.sub(r"\s+", " ", response.content.decode())


def workbook_bytes(rows=(("姓名", "积分"), ("张晓明", 20))) -> bytes:
    book = Workbook()
    for row in rows:
        book.active.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def rewritten(xlsx: bytes, member: str, change) -> bytes:
    """The workbook with one member's XML changed by ``change``."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(xlsx)) as source, zipfile.ZipFile(out, "w") as target:
        for item in source.infolist():
            data = source.read(item)
            target.writestr(item, change(data) if item.filename == member else data)
    return out.getvalue()


def zip_bomb() -> bytes:
    """A real workbook plus 300 MB of zeros that pack to a few hundred kilobytes."""
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(workbook_bytes())) as source,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target,
    ):
        for item in source.infolist():
            target.writestr(item, source.read(item))
        with target.open("xl/media/padding.bin", "w") as padding:
            chunk = bytes(MB)
            for _ in range(300):
                padding.write(chunk)
    return out.getvalue()


def millions_of_rows() -> bytes:
    """A small workbook whose sheet declares 5,000,000 rows."""
    return rewritten(
        workbook_bytes(),
        "xl/worksheets/sheet1.xml",
        lambda xml: re.sub(rb'<dimension ref="[^"]*"', b'<dimension ref="A1:B5000000"', xml),
    )


class AdminUploadTestCase(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.admin = get_user_model().objects.create_superuser(
            "zhao.admin", "zhao@example.gov.cn", "Zhao-admin-2026"
        )

    def setUp(self):
        self.client.force_login(self.admin)
        self.folder = Path(tempfile.mkdtemp(prefix="jiamenkou-uploads-"))

    def assertSays(self, response, text):
        # (not assertIn: a failure would print the whole admin page)
        self.assertTrue(text in page_text(response), f"the page does not say “{text}”")

    def made(self, name: str, data: bytes | None = None, image=None) -> SimpleUploadedFile:
        path = self.folder / name
        if image is not None:
            image.save(path, format="PNG")
        else:
            path.write_bytes(data)
        return SimpleUploadedFile(name, path.read_bytes())


class ImageUploadTests(AdminUploadTestCase):
    def upload(self, file):
        return self.client.post(reverse("wagtailimages:add"), {"title": "照片", "file": file})

    def test_a_real_small_image_is_accepted(self):
        photo = self.made("活动照片.png", image=PILImage.new("RGB", (640, 480), "orange"))
        self.assertEqual(self.upload(photo).status_code, 302)
        self.assertEqual(get_image_model().objects.count(), 1)

    def test_a_decompression_bomb_is_refused_in_chinese(self):
        # 20000 × 20000 = 400 million pixels in a PNG of about 50 KB.
        bomb = self.made("bomb.png", image=PILImage.new("1", (20_000, 20_000)))
        self.assertLess(bomb.size, MB)
        answer = self.upload(bomb)
        self.assertEqual(answer.status_code, 200)
        self.assertSays(answer, "文件包含像素过多")
        self.assertSays(answer, "像素数量上限为 40000000")
        self.assertFalse(get_image_model().objects.exists())

    def test_a_file_named_jpg_that_is_no_image_is_refused(self):
        answer = self.upload(self.made("photo.jpg", "这不是图片".encode() * 100))
        self.assertSays(answer, "请上传有效图片。您上传的该文件不是图片或者图片已经损坏。")
        self.assertFalse(get_image_model().objects.exists())

    def test_an_image_over_10_mb_is_refused(self):
        noise = PILImage.frombytes("RGB", (2000, 2000), os.urandom(2000 * 2000 * 3))
        big = self.made("big.png", image=noise)
        self.assertGreater(big.size, 10 * MB)
        answer = self.upload(big)
        self.assertSays(answer, "文件过大")
        self.assertSays(answer, "文件大小上限为 10.0 MB")
        self.assertFalse(get_image_model().objects.exists())


class DocumentUploadTests(AdminUploadTestCase):
    def test_a_document_over_20_mb_is_refused(self):
        big = self.made("财务报表.pdf", b"%PDF-1.7\n" + bytes(21 * MB))
        answer = self.client.post(reverse("wagtaildocs:add"), {"title": "报表", "file": big})
        self.assertSays(answer, "文件过大")
        self.assertSays(answer, "文件大小上限为 20.0 MB")
        self.assertFalse(get_document_model().objects.exists())


class DocumentContentTests(AdminUploadTestCase):
    def upload(self, file):
        return self.client.post(reverse("wagtaildocs:add"), {"title": "附件", "file": file})

    def test_a_pdf_that_is_no_pdf_is_refused(self):
        fake = self.made("公示.pdf", b"<html><script>alert(1)</script></html>")
        self.assertSays(self.upload(fake), "文件“公示.pdf”不是 PDF 文件")
        self.assertFalse(get_document_model().objects.exists())

    def test_an_office_file_that_unpacks_to_a_bomb_is_refused(self):
        self.assertSays(self.upload(self.made("名单.xlsx", zip_bomb())), "解压后超过100 MB")
        self.assertSays(self.upload(self.made("说明.docx", b"not a zip")), "内容与扩展名不符")
        self.assertFalse(get_document_model().objects.exists())

    def test_real_documents_are_accepted(self):
        pdf = io.BytesIO()
        PILImage.new("RGB", (100, 100), "white").save(pdf, format="PDF")
        self.assertEqual(self.upload(self.made("公示.pdf", pdf.getvalue())).status_code, 302)
        self.assertEqual(self.upload(self.made("名单.xlsx", workbook_bytes())).status_code, 302)
        self.assertEqual(self.upload(self.made("说明.txt", "说明".encode())).status_code, 302)
        self.assertEqual(get_document_model().objects.count(), 3)


class ServiceImportTests(AdminUploadTestCase):
    def upload(self, name, data):
        return self.client.post(reverse("catalog_excel:index"), {"file": self.made(name, data)})

    def test_a_zip_bomb_is_refused_naming_the_file(self):
        answer = self.upload("服务目录.xlsx", zip_bomb())
        self.assertEqual(answer.status_code, 200)
        self.assertSays(answer, "服务目录.xlsx")
        self.assertSays(answer, "解压后超过100 MB，无法读取")

    def test_a_sheet_declaring_millions_of_rows_is_refused(self):
        answer = self.upload("服务目录.xlsx", millions_of_rows())
        self.assertSays(answer, f"工作表有5,000,000行，超过{MAX_SHEET_ROWS:,}行的上限")

    def test_a_file_that_is_not_a_workbook_is_refused(self):
        answer = self.upload("服务目录.xlsx", b"name,phone\n" * 100)
        self.assertSays(answer, "无法读取文件：请上传用Excel或WPS保存的.xlsx文件")


class ParsedFileTests(TestCase):
    """The other places that parse uploads: the points and programme imports, the
    finance sheet, the disclosure guard."""

    def test_the_sheet_imports_refuse_bombs_and_broken_files_in_chinese(self):
        for data, message in [
            (zip_bomb(), "解压后超过100 MB"),
            (millions_of_rows(), "工作表有5,000,000行"),
            (b"not a zip", "无法读取这个文件"),
        ]:
            upload = SimpleUploadedFile("积分导入.xlsx", data)
            with self.subTest(message), self.assertRaises(ExcelImportError) as refused:
                read_sheet_rows(upload, sheet_title="积分", required=["姓名"], max_rows=500)
            self.assertIn(message, refused.exception.problems[0].message)
            if "无法读取" not in message:
                self.assertIn("积分导入.xlsx", refused.exception.problems[0].message)

    def test_the_finance_sheet_refuses_a_bomb(self):
        with self.assertRaises(FinanceSheetError) as refused:
            read_finance_sheet(zip_bomb())
        self.assertIn("解压后超过100 MB", str(refused.exception.problems[0]))

    def test_the_guard_cannot_read_broken_or_bombed_files_and_says_so(self):
        broken_pdf = b"%PDF-1.7\n1 0 obj << /Type /Catalog /Pages 2 0 R >>\nendobj\n%%EOF"
        for name, data in [
            ("公示.pdf", broken_pdf),
            ("名单.xlsx", zip_bomb()),
            ("名单.xlsx", millions_of_rows()),
            ("名单.xlsx", b"PK\x03\x04 truncated"),
        ]:
            with self.subTest(name), self.assertRaises(UnreadableFile):
                file_findings(name, data)
