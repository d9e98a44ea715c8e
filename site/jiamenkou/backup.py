"""Backups of the whole site: the database as portable JSON Lines, the media files, and a
manifest of checksums (``manage.py backup DIR``, ``manage.py restore DIR``; docs/backup.md).

The database dump is Django's ``dumpdata`` with natural foreign keys and every primary
key kept: content types and permissions are left out and looked up by name on restore,
where migrations have created them with ids of their own, so a dump made on PostgreSQL
restores on SQLite and the other way round. Search index tables and sessions are left out;
the index is rebuilt after a restore. On PostgreSQL a ``pg_dump`` custom-format file is
added when ``pg_dump`` is installed, for restoring with PostgreSQL's own tools.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
from dataclasses import dataclass, field
from datetime import UTC, datetime, time
from io import StringIO
from pathlib import Path, PurePosixPath

import django
import wagtail
from django.apps import apps
from django.contrib.contenttypes.models import ContentType
from django.core import serializers
from django.core.cache import cache
from django.core.files import File
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.core.management.color import no_style
from django.core.serializers import jsonl
from django.core.serializers.json import DjangoJSONEncoder
from django.db import DEFAULT_DB_ALIAS, connections, router, transaction
from django.db.migrations.loader import MigrationLoader

FORMAT = "jiamenkou-backup"
FORMAT_VERSION = 1
MANIFEST = "manifest.json"
DATABASE_DUMP = "database.jsonl"
PG_DUMP = "database.pgdump"
MEDIA_DIR = "media"

#: Not dumped. Content types and permissions are created by ``migrate`` on every database
#: and found by natural key; sessions would only log people back in; the search indexes
#: (the residents' search and Wagtail's admin search) are rebuilt from the content.
SKIPPED_MODELS = [
    "contenttypes.ContentType",
    "auth.Permission",
    "sessions.Session",
    "search.SearchEntry",
    "search.IndexVersion",
    "wagtailsearch.IndexEntry",
    "wagtailsearch.SQLiteFTSIndexEntry",
]
#: Tables a restore leaves as ``migrate`` made them (besides django_migrations, which
#: Django never lists as a model table).
KEPT_TABLES_MODELS = ["contenttypes.ContentType", "auth.Permission"]
CHUNK = 1024 * 1024


class BackupError(Exception):
    """A backup or restore that cannot go ahead; the message is for people (Chinese)."""


@dataclass
class BackupResult:
    directory: Path
    files: int
    media_files: int
    pg_dump: bool
    warnings: list[str] = field(default_factory=list)


@dataclass
class RestoreResult:
    objects: int
    media_files: int
    search: dict


# -- shared helpers ---------------------------------------------------------------------------


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as stream:
        while chunk := stream.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def database_migrations(using: str = DEFAULT_DB_ALIAS) -> dict[str, list[str]]:
    """The latest applied migration of each app in the database (several when an app's
    applied migrations end in more than one branch)."""
    loader = MigrationLoader(connections[using], ignore_no_migrations=True)
    # Apps the code no longer has are no part of what a restore can bring back.
    applied = {key for key in loader.applied_migrations if key[0] in loader.migrated_apps}
    latest: dict[str, list[str]] = {}
    for key in applied:
        node = loader.graph.node_map.get(key)
        # Migrations a squashed one replaces, or whose files are gone, are not in the graph.
        if node is not None and not any(
            child.key in applied and child.key[0] == key[0] for child in node.children
        ):
            latest.setdefault(key[0], []).append(key[1])
    return {app: sorted(names) for app, names in sorted(latest.items())}


def code_migrations(using: str = DEFAULT_DB_ALIAS) -> dict[str, list[str]]:
    """The latest migration of each app in this checkout of the code."""
    loader = MigrationLoader(connections[using], ignore_no_migrations=True, load=True)
    latest: dict[str, list[str]] = {}
    for app, name in loader.graph.leaf_nodes():
        latest.setdefault(app, []).append(name)
    return {app: sorted(names) for app, names in sorted(latest.items())}


def migration_differences(have: dict, want: dict) -> list[str]:
    return [
        f"{app}：{'、'.join(have.get(app, [])) or '无'} ≠ {'、'.join(want.get(app, [])) or '无'}"
        for app in sorted(set(have) | set(want))
        if have.get(app, []) != want.get(app, [])
    ]


def content_counts(using: str = DEFAULT_DB_ALIAS) -> dict[str, int]:
    """What a freshly migrated database does not have: user accounts, pages besides the
    tree's root and Wagtail's welcome page, images and documents."""
    from django.contrib.auth import get_user_model
    from wagtail.documents import get_document_model
    from wagtail.images import get_image_model
    from wagtail.models import Page

    plain_page = ContentType.objects.db_manager(using).get_for_model(Page)
    counts = {
        "用户账号": get_user_model()._base_manager.using(using).count(),
        "页面": Page._base_manager.using(using)
        .filter(depth__gt=1)
        .exclude(content_type=plain_page)
        .count(),
        "图片": get_image_model()._base_manager.using(using).count(),
        "文档": get_document_model()._base_manager.using(using).count(),
    }
    return {name: count for name, count in counts.items() if count}


def media_names(storage=default_storage, directory: str = "") -> list[str]:
    """Every file in the media storage, by its storage name (POSIX, relative)."""
    try:
        directories, files = storage.listdir(directory)
    except FileNotFoundError:
        return []
    names = [str(PurePosixPath(directory, name)) if directory else name for name in files]
    for child in directories:
        names.extend(media_names(storage, f"{directory}/{child}" if directory else child))
    return sorted(names)


def safe_relative(name: str) -> PurePosixPath:
    """A manifest's file name, refused when it could point outside the backup."""
    path = PurePosixPath(name)
    if path.is_absolute() or ".." in path.parts or not path.parts or "\\" in name:
        raise BackupError(f"清单中的文件名不安全，拒绝恢复：{name}")
    return path


# -- backup -----------------------------------------------------------------------------------


def backup(directory: Path, *, using: str = DEFAULT_DB_ALIAS, pg_dump: bool = True):
    """Write a backup into ``directory``, which must be new or empty."""
    directory = Path(directory)
    if directory.exists() and (not directory.is_dir() or any(directory.iterdir())):
        raise BackupError(
            f"备份目录不是空的，为免混入旧文件，拒绝写入：{directory}（请每次使用新的目录，"
            "例如按日期命名）"
        )
    directory.mkdir(parents=True, exist_ok=True)
    connection = connections[using]
    warnings = []

    outermost = not connection.in_atomic_block
    with transaction.atomic(using=using):
        if connection.vendor == "postgresql" and outermost:
            # Every table read from one snapshot, however long the dump takes.
            with connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY")
        migrations = database_migrations(using)
        write_database_dump(directory / DATABASE_DUMP, using)

    wrote_pg_dump = False
    if pg_dump and connection.vendor == "postgresql":
        problem = run_pg_dump(connection, directory / PG_DUMP)
        if problem:
            warnings.append(problem)
        else:
            wrote_pg_dump = True

    names = media_names()
    for name in names:
        target = directory / MEDIA_DIR / safe_relative(name)
        target.parent.mkdir(parents=True, exist_ok=True)
        with default_storage.open(name, "rb") as source, target.open("wb") as copy:
            shutil.copyfileobj(source, copy, CHUNK)

    files = {}
    for path in sorted(directory.rglob("*")):
        if path.is_file():
            files[path.relative_to(directory).as_posix()] = {
                "sha256": sha256_of(path),
                "size": path.stat().st_size,
            }
    storage_class = f"{type(default_storage).__module__}.{type(default_storage).__qualname__}"
    manifest = {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "created_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "django": django.get_version(),
        "wagtail": wagtail.__version__,
        "database": {
            "vendor": connection.vendor,
            "dump": DATABASE_DUMP,
            "pg_dump": PG_DUMP if wrote_pg_dump else None,
        },
        "migrations": migrations,
        "media": {"storage": storage_class, "files": len(names)},
        "files": files,
    }
    (directory / MANIFEST).write_text(
        json.dumps(manifest, ensure_ascii=False, indent=2) + "\n", encoding="utf-8"
    )
    return BackupResult(directory, len(files) + 1, len(names), wrote_pg_dump, warnings)


class PreciseJSONEncoder(DjangoJSONEncoder):
    """Django's encoder keeps milliseconds only; a backup keeps every microsecond, or
    entries written within the same millisecond would come back tied."""

    def default(self, o):
        if isinstance(o, datetime | time):
            return o.isoformat()
        return super().default(o)


class BackupSerializer(jsonl.Serializer):
    """JSON Lines naming content types and permissions by natural key, and everything else
    by primary key: Wagtail gives pages, sites and collections natural keys too, but a log
    entry may point at a page deleted long ago, which has no natural key to give."""

    def handle_fk_field(self, obj, field):
        self.use_natural_foreign_keys = field.related_model in natural_key_models()
        super().handle_fk_field(obj, field)

    def handle_m2m_field(self, obj, field):
        self.use_natural_foreign_keys = field.related_model in natural_key_models()
        super().handle_m2m_field(obj, field)


def natural_key_models() -> set:
    return {apps.get_model(label) for label in KEPT_TABLES_MODELS}


def dumped_models(using: str = DEFAULT_DB_ALIAS) -> list:
    """Every model the dump holds, ordered so that what others name by natural key comes
    first (as ``dumpdata`` orders them)."""
    app_list = [(config, None) for config in apps.get_app_configs() if config.models_module]
    skipped = {label.lower() for label in SKIPPED_MODELS}
    return [
        model
        for model in serializers.sort_dependencies(app_list, allow_cycles=True)
        if not model._meta.proxy
        and router.allow_migrate_model(using, model)
        and model._meta.label_lower not in skipped
    ]


def write_database_dump(path: Path, using: str = DEFAULT_DB_ALIAS) -> None:
    """Every row of every dumped model as JSON Lines, with its primary key."""
    with path.open("w", encoding="utf-8") as stream:
        for model in dumped_models(using):
            rows = model._base_manager.using(using).order_by(model._meta.pk.name)
            BackupSerializer().serialize(
                rows.iterator(chunk_size=2000), stream=stream, cls=PreciseJSONEncoder
            )


def run_pg_dump(connection, target: Path) -> str | None:
    """PostgreSQL's own dump beside the JSON one; a warning (not a failure) when it fails."""
    executable = shutil.which("pg_dump")
    if executable is None:
        return "未找到 pg_dump，只写入了 JSON 数据库备份。"
    params = connection.get_connection_params()
    command = [
        executable,
        "--format=custom",
        "--no-owner",
        "--no-privileges",
        "--file",
        str(target),
    ]
    for option, key in (("--host", "host"), ("--port", "port"), ("--username", "user")):
        if params.get(key):
            command += [option, str(params[key])]
    command.append(params.get("dbname") or connection.settings_dict["NAME"])
    env = {**os.environ}
    if params.get("password"):
        env["PGPASSWORD"] = str(params["password"])
    result = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        target.unlink(missing_ok=True)
        return f"pg_dump 失败，只写入了 JSON 数据库备份：{result.stderr.strip()[:500]}"
    return None


# -- restore ----------------------------------------------------------------------------------


def read_manifest(directory: Path) -> dict:
    path = Path(directory) / MANIFEST
    if not path.is_file():
        raise BackupError(f"这不是一个备份目录：找不到 {path}")
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise BackupError(f"备份清单无法读取：{path}（{error}）") from error
    if manifest.get("format") != FORMAT or manifest.get("format_version") != FORMAT_VERSION:
        raise BackupError(f"备份清单的格式不是本程序能恢复的版本：{path}")
    return manifest


def verify(directory: Path, manifest: dict) -> None:
    """Every file the manifest lists is there with its size and SHA-256."""
    directory = Path(directory)
    files = manifest.get("files") or {}
    if manifest["database"]["dump"] not in files:
        raise BackupError(f"备份清单中没有数据库文件：{directory / MANIFEST}")
    for name, expected in files.items():
        path = directory / safe_relative(name)
        if not path.is_file():
            raise BackupError(f"备份文件缺失，未做任何更改：{path}")
        if path.stat().st_size != expected["size"] or sha256_of(path) != expected["sha256"]:
            raise BackupError(f"备份文件已损坏或被改动（SHA-256 与清单不符），未做任何更改：{path}")


def check_migrations(manifest: dict, using: str = DEFAULT_DB_ALIAS) -> None:
    code = code_migrations(using)
    differences = migration_differences(manifest["migrations"], code)
    if differences:
        raise BackupError(
            "备份时的数据库结构与当前代码的迁移不一致（备份 ≠ 代码）："
            + "；".join(differences)
            + "。请检出与备份时相同版本的代码再恢复；恢复后再切换到新版本并运行 "
            "manage.py migrate。"
        )
    differences = migration_differences(database_migrations(using), code)
    if differences:
        raise BackupError(
            "目标数据库尚未迁移到当前代码的版本（数据库 ≠ 代码）："
            + "；".join(differences)
            + "。请先运行 manage.py migrate，再恢复。"
        )


def restore(directory: Path, *, replace: bool = False, using: str = DEFAULT_DB_ALIAS, stdout=None):
    """Restore a backup into this site's database and media storage.

    Nothing changes unless every check passes: checksums, migration state, and an empty
    database (or ``replace``). The database is restored in one transaction."""
    directory = Path(directory)
    manifest = read_manifest(directory)
    verify(directory, manifest)
    check_migrations(manifest, using)
    if not replace:
        found = content_counts(using)
        if found:
            described = "、".join(f"{count} 个{name}" for name, count in found.items())
            raise BackupError(
                f"目标数据库已有内容（{described}），未做任何更改。确认要用备份替换其中全部"
                "数据时，请加 --replace。"
            )

    connection = connections[using]
    # The dump names content types by natural key: look them up afresh, not in a cache
    # of ids that may predate a flush of this database.
    ContentType.objects.clear_cache()
    with transaction.atomic(using=using):
        empty_tables(connection)
        call_command(
            "loaddata",
            str(directory / manifest["database"]["dump"]),
            database=using,
            verbosity=0,
            stdout=stdout or StringIO(),
        )
        reset_sequences(connection)
    objects = sum(
        1 for line in (directory / manifest["database"]["dump"]).open("rb") if line.strip()
    )

    media_prefix = PurePosixPath(MEDIA_DIR)
    media = [name for name in manifest["files"] if PurePosixPath(name).parts[0] == MEDIA_DIR]
    for name in media:
        storage_name = str(safe_relative(name).relative_to(media_prefix))
        if default_storage.exists(storage_name):
            default_storage.delete(storage_name)
        with (directory / name).open("rb") as source:
            saved = default_storage.save(storage_name, File(source, name=storage_name))
        if saved != storage_name:
            raise BackupError(f"媒体文件无法按原名写入存储：{storage_name}（存储给出 {saved}）")

    # Wagtail caches site roots and renditions by database id.
    cache.clear()
    from search.indexing import rebuild_index

    search = rebuild_index(progress=False)
    # Wagtail's own index behind the admin's search.
    call_command("update_index", verbosity=0, stdout=StringIO())
    return RestoreResult(objects=objects, media_files=len(media), search=search)


def empty_tables(connection) -> None:
    """Delete every row the dump may bring, keeping the content types and permissions
    ``migrate`` made (the dump refers to them by name)."""
    kept = {apps.get_model(label)._meta.db_table for label in KEPT_TABLES_MODELS}
    tables = [
        table
        for table in connection.introspection.django_table_names(
            only_existing=True, include_views=False
        )
        if table not in kept
    ]
    statements = connection.ops.sql_flush(no_style(), tables, reset_sequences=True)
    if connection.vendor == "postgresql":
        # PostgreSQL refuses to TRUNCATE a table with foreign key checks still pending
        # from earlier writes in the same transaction: run them now (and defer again).
        connection.check_constraints()
    connection.ops.execute_sql_flush(statements)


def reset_sequences(connection) -> None:
    """Next ids after the restored ones (PostgreSQL; SQLite follows its rows by itself)."""
    models = [model for model in apps.get_models(include_auto_created=True) if model._meta.managed]
    statements = connection.ops.sequence_reset_sql(no_style(), models)
    if statements:
        with connection.cursor() as cursor:
            for statement in statements:
                cursor.execute(statement)
