"""``python manage.py backup DIR``: the database, the media files and a manifest of
checksums in a new directory (docs/backup.md)."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from jiamenkou.backup import BackupError, backup


class Command(BaseCommand):
    help = (
        "把数据库（可移植的 JSON Lines，PostgreSQL 上另加 pg_dump 文件）、媒体文件和校验清单"
        "备份到一个新的（或空的）目录。"
    )

    def add_arguments(self, parser):
        parser.add_argument("directory", type=Path, help="备份目录（不存在则创建；必须是空的）")
        parser.add_argument(
            "--no-pg-dump", action="store_true", help="在 PostgreSQL 上也不写 pg_dump 文件"
        )
        parser.add_argument("--database", default="default", help="数据库别名（默认 default）")

    def handle(self, *args, directory, no_pg_dump=False, database="default", **options):
        try:
            result = backup(directory, pg_dump=not no_pg_dump, using=database)
        except BackupError as error:
            raise CommandError(str(error)) from error
        for warning in result.warnings:
            self.stderr.write(self.style.WARNING(warning))
        self.stdout.write(
            self.style.SUCCESS(
                f"备份已写入 {result.directory}：{result.files} 个文件，"
                f"其中媒体文件 {result.media_files} 个"
                + ("，另有 pg_dump 文件" if result.pg_dump else "")
                + "。"
            )
        )
