"""``python manage.py rebuild_search_index``: index every service and page afresh."""

import time

from django.core.management.base import BaseCommand

from search.backends import get_search_backend
from search.indexing import rebuild_index


class Command(BaseCommand):
    help = "重建站内搜索索引（服务事项、活动和页面），显示进度条。"

    def add_arguments(self, parser):
        parser.add_argument(
            "--no-progress", action="store_true", help="不显示进度条（例如在日志里运行时）"
        )

    def handle(self, *args, no_progress=False, **options):
        backend = get_search_backend()
        started = time.perf_counter()
        counts = rebuild_index(progress=not no_progress, stream=self.stderr._out)
        seconds = time.perf_counter() - started
        self.stdout.write(
            self.style.SUCCESS(
                f"搜索索引已重建（{backend.name}）：{counts['services']} 项服务，"
                f"{counts['activities']} 个活动，{counts['pages']} 个页面，用时 {seconds:.1f} 秒。"
            )
        )
