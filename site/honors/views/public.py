"""Residents' pages of the honor boards. Filled in by the honor-board work."""

from django.template.response import TemplateResponse


def board_view(board, request):
    return TemplateResponse(request, "honors/board.html", board.get_context(request))


def archive_view(board, request, year=None):
    return TemplateResponse(request, "honors/board.html", board.get_context(request))
