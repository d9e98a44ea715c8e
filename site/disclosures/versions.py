"""Published versions and their fingerprints; a change after publication needs a
correction note (更正说明).

Every publication of a disclosure whose content changed stores a PublishedVersion
(numbered 1, 2 …) with a copy of the revision's content and a fingerprint: the SHA-256 of
a canonical text of what residents read (see :func:`canonical_content`). The page prints
the short fingerprint, so a copy on the physical board can be checked against the site.

The correction note is part of the fingerprint (it is printed with the version). To decide
whether a note is needed, :func:`check_correction_note` fingerprints the page as edited but
with the latest version's note and compares that with the stored fingerprint: writing the
note is not itself "a change", and a file replaced under the same document (Wagtail allows
it) counts as a change.
"""

from __future__ import annotations

import hashlib
import json
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.db.models import Max
from django.utils import timezone, translation

from disclosures.guard import BLOCK_NAMES, table_rows, text_of_html


def file_sha256(file_field) -> str:
    """The SHA-256 of a stored file's bytes ("" when the file is gone)."""
    digest = hashlib.sha256()
    try:
        with file_field.open("rb") as handle:
            for chunk in iter(lambda: handle.read(1 << 20), b""):
                digest.update(chunk)
    except (OSError, ValueError):
        return ""
    return digest.hexdigest()


def money(value) -> str:
    return "" if value is None else f"{Decimal(value):.2f}"


def block_content(block) -> dict:
    """One body block as residents read it: text without markup, tables cell by cell
    (names in full: a changed name is a change even where the page masks it), files and
    images by the SHA-256 of their bytes."""
    value = block.value
    kind = BLOCK_NAMES.get(block.block_type, block.block_type)
    if block.block_type == "text":
        text = text_of_html(getattr(value, "source", str(value)))
        return {"块": kind, "文字": " ".join(text.split())}
    if block.block_type == "table":
        return {
            "块": kind,
            "标题": value.get("caption") or "",
            "遮盖姓名": bool(value.get("mask_names")),
            "单元格": table_rows(value.get("table")),
        }
    if block.block_type == "attachment":
        document = value.get("document")
        return {
            "块": kind,
            "说明": value.get("caption") or "",
            "文件": document.filename if document else "",
            "SHA-256": file_sha256(document.file) if document else "",
        }
    if block.block_type == "figure":
        image = value.get("image")
        return {
            "块": kind,
            "说明": value.get("caption") or "",
            "SHA-256": file_sha256(image.file) if image else "",
        }
    return {"块": kind}


def canonical_content(page, *, note: str | None = None) -> dict:
    """What the fingerprint covers, in a form that does not depend on the database
    (no ids, no timestamps): heading facts, the body, finance rows, the correction note
    (``note`` in place of the page's own when given)."""
    with translation.override("zh-hans"):
        kind = str(page.get_kind_display())
    content = {
        "标题": page.title or "",
        "公开类型": kind,
        "期间": page.period.label,
        "公示期": [str(page.posting_from), str(page.posting_until)],
        "正文": [block_content(block) for block in page.body or []],
        "期初余额": money(page.opening_balance),
        "收支明细": [
            [str(row.date), row.item, money(row.income), money(row.expenditure), row.voucher]
            for row in page.finance_rows.all()
        ],
    }
    if page.finance_source_id:
        content["收支表原件"] = file_sha256(page.finance_source.file)
    content["更正说明"] = (page.correction_note if note is None else note) or ""
    return content


def fingerprint(page, *, note: str | None = None) -> str:
    """SHA-256 hex of the canonical content: same content, same fingerprint, on any
    server and database."""
    text = json.dumps(
        canonical_content(page, note=note),
        ensure_ascii=False,
        sort_keys=True,
        separators=(",", ":"),
    )
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def short_fingerprint(hex_digest: str) -> str:
    """The first 16 hex digits in groups of four, for print: "3F9A 21C4 7B0D 88E1"."""
    head = (hex_digest or "")[:16].upper()
    return " ".join(head[i : i + 4] for i in range(0, len(head), 4))


def versions_of(page) -> list:
    """The published versions of a disclosure, first to latest."""
    from disclosures.models import PublishedVersion

    if not page.pk:
        return []
    return list(PublishedVersion.objects.filter(page_id=page.pk).order_by("number"))


def latest_version(page):
    from disclosures.models import PublishedVersion

    if not page.pk:
        return None
    return PublishedVersion.objects.filter(page_id=page.pk).order_by("-number").first()


def version_page(version):
    """The disclosure as it was in ``version`` (an unsaved page object to render)."""
    return version.page.specific.with_content_json(version.content)


def check_correction_note(page) -> None:
    """Raise ValidationError when a published disclosure changes without a new note.

    Runs on every clean, drafts included: a change to a published disclosure carries its
    note before it goes to the committee's review."""
    latest = latest_version(page)
    if latest is None:
        return
    if fingerprint(page, note=latest.correction_note) == latest.fingerprint:
        return
    note = (page.correction_note or "").strip()
    if note and note != (latest.correction_note or "").strip():
        return
    day = timezone.localtime(latest.published_at).date()
    raise ValidationError(
        {
            "correction_note": (
                f"该公开事项已于{day.year}年{day.month}月{day.day}日发布，"
                "修改后必须填写新的更正说明（写明改了什么、为什么改），"
                "说明会和日期一起显示在页面上。"
            )
        }
    )


def record_published_version(page, revision, user=None):
    """Store the version just published (called on Wagtail's page_published signal).
    Publishing unchanged content again stores nothing and returns the latest version.

    Wagtail's signal does not say who published; without ``user`` the revision's author
    is recorded (in a workflow that is who submitted it)."""
    from disclosures.models import PublishedVersion

    digest = fingerprint(page)
    with transaction.atomic():
        latest = (
            PublishedVersion.objects.select_for_update()
            .filter(page_id=page.pk)
            .order_by("-number")
            .first()
        )
        if latest is not None and latest.fingerprint == digest:
            return latest
        number = (
            PublishedVersion.objects.filter(page_id=page.pk).aggregate(top=Max("number"))["top"]
            or 0
        ) + 1
        return PublishedVersion.objects.create(
            page_id=page.pk,
            number=number,
            revision=revision,
            content=json.loads(json.dumps(revision.content, cls=DjangoJSONEncoder)),
            fingerprint=digest,
            correction_note=page.correction_note or "",
            published_at=timezone.now(),
            published_by=user or getattr(revision, "user", None),
        )
