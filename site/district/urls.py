"""Public URLs of the district app that are not pages of the tree: the notice feeds,
under /tongzhi/ (namespace "notices")."""

from district import feeds

app_name = "notices"

urlpatterns = feeds.urlpatterns
