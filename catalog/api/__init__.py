"""The catalog's JSON APIs: HSDS 3.1 services, the residents' services, and the OpenAPI
document describing them (with Wagtail's pages API, routed in ``jiamenkou.api``)."""
