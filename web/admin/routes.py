"""The administrators' pages under /quan-tri (each handler checks ADMINISTER)."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from engine.models import User
from web.admin import agencies, attention, calendar, deliveries, notifications, paper_free, users
from web.auth import requires
from web.permissions import ADMINISTER


@requires(ADMINISTER)
async def home(request: Request, user: User) -> Response:
    return RedirectResponse("/quan-tri/co-quan", status_code=303)


def routes() -> list[Route]:
    post, both = ["POST"], ["GET", "POST"]
    return [
        Route("/quan-tri", home),
        Route("/quan-tri/hang-doi", deliveries.page),
        Route("/quan-tri/can-xu-ly", attention.page),
        Route("/quan-tri/hang-doi/gui-lai", deliveries.retry, methods=post),
        Route("/quan-tri/co-quan", agencies.page),
        Route("/quan-tri/co-quan", agencies.create_agency, methods=post),
        Route("/quan-tri/co-quan/{code}", agencies.edit_agency, methods=both),
        Route("/quan-tri/co-quan/{code}/trang-thai", agencies.agency_active, methods=post),
        Route("/quan-tri/diem-tiep-nhan", agencies.create_point, methods=post),
        Route("/quan-tri/diem-tiep-nhan/{code}", agencies.edit_point, methods=both),
        Route("/quan-tri/diem-tiep-nhan/{code}/trang-thai", agencies.point_active, methods=post),
        Route("/quan-tri/nguoi-dung", users.page),
        Route("/quan-tri/nguoi-dung/moi", users.create, methods=both),
        Route("/quan-tri/nguoi-dung/{id:int}", users.edit, methods=both),
        Route("/quan-tri/nguoi-dung/{id:int}/khoa", users.deactivate, methods=post),
        Route("/quan-tri/lich", calendar.page),
        Route("/quan-tri/lich", calendar.submit, methods=post),
        Route("/quan-tri/lich/{id:int}/xoa", calendar.remove, methods=post),
        Route("/quan-tri/khong-giay", paper_free.page),
        Route("/quan-tri/khong-giay", paper_free.submit, methods=post),
        Route("/quan-tri/khong-giay/{id:int}/trang-thai", paper_free.switch, methods=post),
        Route("/quan-tri/khong-giay/{id:int}/xoa", paper_free.remove, methods=post),
        Route("/quan-tri/thong-bao", notifications.page),
        Route("/quan-tri/thong-bao/{kind}/{channel}/{language}", notifications.edit, methods=both),
    ]
