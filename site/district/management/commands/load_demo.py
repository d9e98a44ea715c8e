import os

from django.conf import settings
from django.core.management.base import BaseCommand
from django.db import transaction
from django.test.utils import override_settings
from django.utils.module_loading import import_string


class Command(BaseCommand):
    help = "创建或更新演示数据（可重复运行）：settings.DEMO_LOADERS 中各应用的演示内容，依次载入。"

    def add_arguments(self, parser):
        parser.add_argument(
            "--password",
            default=os.environ.get("DEMO_PASSWORD"),
            help="演示账号密码（默认随机生成；也可用环境变量 DEMO_PASSWORD 指定）",
        )

    @transaction.atomic
    def handle(self, *args, password=None, **options):
        # Demo content goes through the real paths (the disclosures' review workflow), which
        # notify the demo accounts by e-mail: that mail is kept in memory, not sent or printed.
        with override_settings(EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend"):
            for dotted_path in settings.DEMO_LOADERS:
                for line in import_string(dotted_path)(password):
                    self.stdout.write(line)
        self.stdout.write(self.style.SUCCESS("演示数据已就绪。"))
