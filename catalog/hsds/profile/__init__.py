"""The catalog's Open Referral HSDS profile (海河东区家门口 HSDS 扩展规范), published at
/api/hsds/profile/ (the URL that /api/hsds/ names).

``definition`` says what the profile is, from the catalog's taxonomies and rules;
``files`` writes it out as an Open Referral profile's files (``profile/``, and README.md
beside them); ``schemas`` merges them with the core HSDS schemas and validates records
against the result; ``views`` and ``urls`` serve the page and the files, which
``api_document`` describes for the API's OpenAPI document.
"""
