"""Security measures that span the apps: the sign-in lockout's page and backend
(``backends``, ``lockout``), admin session expiry (``sessions``), one rate limiter for every
form and endpoint where abuse costs (``ratelimit``), safe opening of uploaded files
(``uploads``) and the center on each admin log entry (``audit``).

Settings live in one block of ``jiamenkou.settings.base`` ("Security"). Nothing here
imports the content apps at module level; they import from here.
"""
