import os

from django.conf import settings
from django.core.management.base import BaseCommand

from district.demo.loader import load_demo


class Command(BaseCommand):
    help = (
        "创建或更新演示数据：海河东区的街道、服务中心、功能室、通知公告和编辑账号（可重复运行）。"
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--password",
            default=os.environ.get("DEMO_PASSWORD"),
            help="演示账号密码（默认随机生成；也可用环境变量 DEMO_PASSWORD 指定）",
        )

    def handle(self, *args, password=None, **options):
        passwords = load_demo(password)
        admin_url = settings.WAGTAILADMIN_BASE_URL.rstrip("/") + "/admin/"
        self.stdout.write(self.style.SUCCESS("演示数据已就绪：海河东区（2个街道、9个服务中心）。"))
        self.stdout.write(f"管理后台：{admin_url}")
        for username, user_password in passwords.items():
            self.stdout.write(f"  账号 {username}  密码 {user_password}")
