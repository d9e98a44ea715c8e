"""The page cache for anonymous visitors (work in progress: passes everything through)."""


class PageCacheMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)
