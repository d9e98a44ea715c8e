"""Demo catalog: the district's services from ../shared/data/catalog-hsds.json."""

from django.conf import settings

from catalog.hsds import import_services, parse_json
from catalog.models import Taxonomy, TaxonomyTerm
from catalog.taxonomy_seed import seed_taxonomies

CATALOG_FILE = "catalog-hsds.json"


def load_catalog_demo(password: str | None = None) -> list[str]:
    """Import the shared catalog into the demo centers (linked by center code)."""
    seed_taxonomies(Taxonomy, TaxonomyTerm)  # a flushed database has lost the migration's seed
    path = settings.SHARED_DATA_DIR / CATALOG_FILE
    if not path.exists():
        return [f"未找到 {path}：跳过服务目录演示数据（可设置 JIAMENKOU_SHARED_DATA 指定目录）。"]
    summary = import_services(parse_json(path.read_bytes()))
    return [f"服务目录：{summary}"]
