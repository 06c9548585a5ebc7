"""URLs of the board pages and of highlights (included by dashboards/urls.py, namespace "dashboards")."""

from django.urls import path

from .views import board, highlights

urlpatterns = [
    path("board/", board.board_page, name="board"),
    path("board/priorities/<int:priority_id>/", board.board_priority, name="board_priority"),
    path("highlights/", highlights.highlight_list, name="highlight_list"),
    path("highlights/new/", highlights.highlight_create, name="highlight_create"),
    path("highlights/<int:highlight_id>/edit/", highlights.highlight_edit, name="highlight_edit"),
    path("highlights/<int:highlight_id>/publish/", highlights.highlight_publish, name="highlight_publish"),
    path("highlights/<int:highlight_id>/unpublish/", highlights.highlight_unpublish, name="highlight_unpublish"),
    path("highlights/<int:highlight_id>/delete/", highlights.highlight_delete, name="highlight_delete"),
]
