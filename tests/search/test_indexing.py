"""The index follows imports, publishing and deletion; the rebuild command shows progress."""

from io import StringIO

from django.core.management import call_command
from django.test import TestCase

from catalog.hsds import import_services
from search.backends import get_search_backend
from search.catalog import search_catalog
from search.models import SearchEntry
from tests.catalog.hsds_data import demo_catalog, self_contained
from tests.district.builders import build_home, build_notice, build_notice_index


def found_pages(text: str) -> list[str]:
    result, _ = search_catalog({"q": text}, log=False, with_pages=True)
    return [page.title for page in result.pages]


class BulkImportTests(TestCase):
    def test_an_hsds_import_is_searchable_once_committed(self):
        with self.captureOnCommitCallbacks(execute=True):
            import_services(
                self_contained(demo_catalog(), "老年人优待证办理", "高龄老年人津贴申领")
            )
        indexed = set(SearchEntry.objects.values_list("title", flat=True))
        self.assertLessEqual({"老年人优待证办理", "高龄老年人津贴申领"}, indexed)
        result, _ = search_catalog({"q": "lnz"}, log=False)
        self.assertEqual(result.hits[0].service.name, "老年人优待证办理")


class PageIndexTests(TestCase):
    def setUp(self):
        self.index = build_notice_index(build_home())

    def test_publishing_unpublishing_and_deleting_a_notice(self):
        with self.captureOnCommitCallbacks(execute=True):
            notice = build_notice(
                self.index, number=7, title="冬季义诊通知", summary="社区医生坐诊"
            )
        self.assertEqual(found_pages("义诊"), ["冬季义诊通知"])
        self.assertEqual(found_pages("坐诊"), ["冬季义诊通知"])  # the summary is read too
        with self.captureOnCommitCallbacks(execute=True):
            notice.unpublish()
        self.assertEqual(found_pages("义诊"), [])
        with self.captureOnCommitCallbacks(execute=True):
            notice.save_revision().publish()
        self.assertEqual(found_pages("义诊"), ["冬季义诊通知"])
        with self.captureOnCommitCallbacks(execute=True):
            notice.delete()
        self.assertEqual(found_pages("义诊"), [])
        self.assertFalse(SearchEntry.objects.filter(source="page").exists())


class RebuildCommandTests(TestCase):
    def test_rebuild_reports_what_it_indexed_with_a_progress_bar(self):
        import_services(demo_catalog())  # no commit in a TestCase: nothing indexed yet
        self.assertEqual(get_search_backend().document_count("service"), 0)
        out, err = StringIO(), StringIO()
        call_command("rebuild_search_index", stdout=out, stderr=err)
        self.assertIn("搜索索引已重建", out.getvalue())
        self.assertIn("100%", err.getvalue())
        self.assertEqual(get_search_backend().document_count("service"), 199)
        out = StringIO()
        call_command("rebuild_search_index", "--no-progress", stdout=out, stderr=StringIO())
        self.assertIn("199 项服务", out.getvalue())
