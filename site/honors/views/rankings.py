"""Points rankings of a board's center or street. Filled in by the rankings work."""

from django.template.response import TemplateResponse


def ranking_view(board, request):
    return TemplateResponse(request, "honors/board.html", board.get_context(request))
