"""``manage.py check``: the Elasticsearch settings a cluster needs.

Errors anywhere (an index prefix Elasticsearch refuses, shards or replicas out of range);
in production (``DJANGO_ENV=production``) also warnings for what works on the first day
and hurts later: no replica (a lost node loses the index until it is rebuilt), the
default prefix (two sites on one cluster would write into each other's indexes), and
Wagtail's admin search without a prefix of its own. Nothing here talks to the cluster.
"""

from __future__ import annotations

from django.conf import settings
from django.core.checks import Error, Tags, Warning, register

from search.backends import backend_settings

ELASTICSEARCH_BACKEND = "search.backends.elasticsearch"
WAGTAIL_ELASTICSEARCH = "elasticsearch"  # any of Wagtail's Elasticsearch backends


def _count(params: dict, key: str, default: int, minimum: int) -> int | None:
    try:
        value = int(params.get(key, default))
    except (TypeError, ValueError):
        return None
    return value if value >= minimum else None


@register(Tags.compatibility)
def elasticsearch_settings(app_configs=None, **kwargs) -> list:
    params = backend_settings()
    if params.get("BACKEND") != ELASTICSEARCH_BACKEND:
        return []
    from search.backends.elasticsearch import DEFAULT_PREFIX, INDEX_NAME

    messages = []
    prefix = params.get("INDEX_PREFIX") or DEFAULT_PREFIX
    if not INDEX_NAME.match(prefix):
        messages.append(
            Error(
                f"Elasticsearch 索引名前缀“{prefix}”不合法：只能用小写字母、数字、“-”“_”“.”，"
                "且以字母或数字开头。",
                hint="修改环境变量 ELASTICSEARCH_INDEX，例如 jiamenkou-haihedong。",
                id="search.E001",
            )
        )
    replicas = _count(params, "REPLICAS", 0, 0)
    shards = _count(params, "SHARDS", 1, 1)
    if replicas is None or shards is None:
        messages.append(
            Error(
                "Elasticsearch 的分片数必须是不小于 1 的整数，副本数必须是不小于 0 的整数。",
                hint="检查环境变量 ELASTICSEARCH_SHARDS 与 ELASTICSEARCH_REPLICAS。",
                id="search.E002",
            )
        )
    if getattr(settings, "DJANGO_ENV", "") != "production":
        return messages
    if replicas == 0:
        messages.append(
            Warning(
                "生产环境的 Elasticsearch 索引没有副本（ELASTICSEARCH_REPLICAS=0）："
                "一个节点坏了，搜索就不可用，直到重建索引。",
                hint=(
                    "集群有两个以上节点时设置 ELASTICSEARCH_REPLICAS=1 并重建索引"
                    "（manage.py rebuild_search_index）；只有一个节点时副本无处存放，"
                    "可在环境变量 SILENCED_SYSTEM_CHECKS 中加入 search.W001。"
                ),
                id="search.W001",
            )
        )
    if prefix == DEFAULT_PREFIX:
        messages.append(
            Warning(
                f"Elasticsearch 索引名前缀仍是默认的“{DEFAULT_PREFIX}”：若有其他站点"
                "（如另一个区、测试站）共用这个集群，会互相覆盖索引。",
                hint="为本站设置自己的 ELASTICSEARCH_INDEX，例如 jiamenkou-haihedong。",
                id="search.W002",
            )
        )
    wagtail = getattr(settings, "WAGTAILSEARCH_BACKENDS", {}).get("default", {})
    if WAGTAIL_ELASTICSEARCH in wagtail.get("BACKEND", "") and not wagtail.get("INDEX_PREFIX"):
        messages.append(
            Warning(
                "Wagtail 后台搜索使用 Elasticsearch 但没有索引名前缀（INDEX_PREFIX）："
                "共用集群的站点会写进同一个 wagtailcore_page 索引。",
                hint="在 WAGTAILSEARCH_BACKENDS 中设置 INDEX_PREFIX（settings/base.py 按"
                " ELASTICSEARCH_INDEX 设置）。",
                id="search.W003",
            )
        )
    return messages
