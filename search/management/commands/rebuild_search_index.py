"""``python manage.py rebuild_search_index``: index every service, activity and page afresh.

On Elasticsearch the new index is built beside the one residents search and swapped in
when it is complete (search.backends.elasticsearch.SearchBackend.rebuilding); edits saved
meanwhile, which went to the old index, are indexed again afterwards. The database
backend rebuilds in place.
"""

import contextlib
import time

from django.core.management.base import BaseCommand
from django.utils import timezone

from search.backends import get_search_backend
from search.catchup import catch_up
from search.indexing import rebuild_index


class Command(BaseCommand):
    help = "重建站内搜索索引（服务事项、活动和页面），显示进度条；Elasticsearch 上不停止搜索。"

    def add_arguments(self, parser):
        parser.add_argument(
            "--no-progress", action="store_true", help="不显示进度条（例如在日志里运行时）"
        )

    def handle(self, *args, no_progress=False, **options):
        backend = get_search_backend()
        started = time.perf_counter()
        began = timezone.now()
        # Backends that can build beside the live index do (Elasticsearch); others in place.
        rebuilding = getattr(backend, "rebuilding", contextlib.nullcontext)
        with rebuilding():
            counts = rebuild_index(progress=not no_progress, stream=self.stderr._out)
        caught = catch_up(backend, began) if backend.name == "elasticsearch" else {}
        seconds = time.perf_counter() - started
        self.stdout.write(
            self.style.SUCCESS(
                f"搜索索引已重建（{backend.name}）：{counts['services']} 项服务，"
                f"{counts['activities']} 个活动，{counts['pages']} 个页面，用时 {seconds:.1f} 秒。"
            )
        )
        if sum(caught.values()):
            self.stdout.write(
                f"重建期间修改的内容已补录：{caught['services']} 项服务，"
                f"{caught['activities']} 个活动，{caught['pages']} 个页面。"
            )
