"""The lobby kiosk (大厅屏): the screen page and its offline service worker (``views``), the
data it refreshes every minute and its heartbeat (``data``, under /api/kiosks/), the
admin and fleet health (``activities.admin.kiosks``)."""
