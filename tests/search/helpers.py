from search.catalog import search_catalog


def names(params, **kwargs) -> list[str]:
    """Names of the services a search finds, best first (first page)."""
    if isinstance(params, str):
        params = {"q": params}
    result, _ = search_catalog(params, log=False, **kwargs)
    return [hit.service.name for hit in result.hits]
