"""``python manage.py restore DIR``: a backup made by ``manage.py backup`` back into the
database and the media storage (docs/backup.md)."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from jiamenkou.backup import BackupError, restore


class Command(BaseCommand):
    help = (
        "从 manage.py backup 写的目录恢复数据库和媒体文件：先核对每个文件的校验和与迁移版本，"
        "只恢复到空数据库（加 --replace 则先清空），最后重建搜索索引。"
    )

    def add_arguments(self, parser):
        parser.add_argument("directory", type=Path, help="备份目录")
        parser.add_argument(
            "--replace",
            action="store_true",
            help="目标数据库已有内容时，先清空再恢复（会删除其中全部数据）",
        )
        parser.add_argument("--database", default="default", help="数据库别名（默认 default）")

    def handle(self, *args, directory, replace=False, database="default", **options):
        try:
            result = restore(directory, replace=replace, using=database)
        except BackupError as error:
            raise CommandError(str(error)) from error
        search = result.search
        self.stdout.write(
            self.style.SUCCESS(
                f"已从 {directory} 恢复 {result.objects} 条数据记录和 {result.media_files} 个"
                f"媒体文件；搜索索引已重建（{search['services']} 项服务，"
                f"{search['activities']} 个活动，{search['pages']} 个页面）。"
            )
        )
