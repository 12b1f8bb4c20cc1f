"""A stand-in for the notices activity (activities/notices.py) on the item worker."""

from __future__ import annotations

from temporalio import activity

from domain.notices import NOTICE_ACTIVITY, NoticeRequest, NoticeResult


class FakeNotices:
    """Keeps every request; `delivering=False` answers as a worker without SMTP_URL does."""

    def __init__(self, delivering: bool = False) -> None:
        self.delivering = delivering
        self.requests: list[NoticeRequest] = []

    @activity.defn(name=NOTICE_ACTIVITY)
    async def send_notice(self, request: NoticeRequest) -> NoticeResult:
        self.requests.append(request)
        if not self.delivering:
            return NoticeResult(off=True)
        return NoticeResult(sent=[r.user for r in request.recipients])

    def kinds(self) -> list[tuple[str, list[str]]]:
        return [(r.kind.value, [p.user for p in r.recipients]) for r in self.requests]
