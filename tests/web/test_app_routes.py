"""The app's route table: the API's mount comes first (Starlette tries routes in order, one regular
expression each, and API calls are the most frequent), which is only right while no page route could
answer a path under /api/v1."""

from __future__ import annotations

from starlette.routing import Match, Mount

from engine.settings import Settings
from web.app import create_app


def test_the_api_is_tried_first_and_no_page_route_answers_under_it() -> None:
    app = create_app(Settings(database_url="sqlite://:memory:", secret_key="routes"))
    routes = app.router.routes
    assert isinstance(routes[0], Mount) and routes[0].path == "/api/v1"
    api_paths = ["/api/v1", "/api/v1/", "/api/v1/tasks", "/api/v1/dossiers/000.00.00.H00-260302-0001",
                 "/api/v1/procedures/1.001193/versions", "/api/v1/a/b/c/d"]
    for route in routes[1:]:
        for path in api_paths:
            for method in ("GET", "POST", "PUT", "DELETE"):
                scope = {"type": "http", "path": path, "method": method, "root_path": "", "headers": []}
                assert route.matches(scope)[0] is Match.NONE, (getattr(route, "path", route), path, method)
