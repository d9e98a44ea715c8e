"""``python manage.py catch_up_search_index``: index again what changed lately.

Run by a timer (deploy/systemd/jiamenkou-search-catch-up.timer): a save while the search
cluster could not be reached stands, but its index update was lost; this puts it right
once the cluster answers again. Cheap when nothing changed.
"""

from datetime import timedelta

from django.core.management.base import BaseCommand
from django.utils import timezone

from search.backends import get_search_backend
from search.catchup import catch_up


class Command(BaseCommand):
    help = "把最近修改过的服务事项、活动和页面重新写入搜索索引（搜索集群中断后补录）。"

    def add_arguments(self, parser):
        parser.add_argument(
            "--hours",
            type=float,
            default=25,
            help="补录多少小时内修改的内容（默认 25：每晚全量重建之间的全部修改）",
        )

    def handle(self, *args, hours=25, **options):
        counts = catch_up(get_search_backend(), timezone.now() - timedelta(hours=hours))
        self.stdout.write(
            self.style.SUCCESS(
                f"已补录 {hours:g} 小时内修改的内容：{counts['services']} 项服务，"
                f"{counts['activities']} 个活动，{counts['pages']} 个页面。"
            )
        )
