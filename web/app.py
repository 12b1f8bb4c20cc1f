"""The approvers' page: routes, sessions and forms (the rules are in web/views.py, Temporal is
behind web/orchestrator.py, on the client layer).

Every page is server-rendered; every action is a form post carrying the session's CSRF token.
Text from callers (titles, reasons, Sage messages, audit details) reaches the page through
Jinja's autoescape only. A failure is a page with words, never a traceback.
"""

from __future__ import annotations

import re
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlsplit

import structlog
from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from pydantic import ValidationError
from starlette.exceptions import HTTPException as StarletteHTTPException

from domain.approval import RespondRequest
from domain.commands import AcceptRequest, RejectRequest, ResetRequest
from domain.items import describe_validation_error
from domain.settings import ProjectSettings, parse_projects
from domain.status import ItemStatus
from web import views
from web.auth import (
    CSRF_FIELD,
    SESSION_COOKIE,
    LoginThrottle,
    Session,
    Sessions,
    Users,
    UsersFileError,
    app_secret,
)
from web.config import WebConfig
from web.mailbox import Mailbox
from web.orchestrator import ActionError, Orchestrator

log = structlog.get_logger("web")
HERE = Path(__file__).resolve().parent
FORM_LIMIT = 64 * 1024
DONE = {
    "accept": "Accepted: the export to Sage starts now.",
    "reject": "Rejected, with your reason recorded.",
    "retry": "Retry taken: the export to Sage starts again.",
    "reset": "Reset taken: what the failed export left in Sage is being undone.",
    "respond": "Your response is recorded.",
}
"""Messages after a redirect, by a fixed code (never text from the query string)."""

Connect = Callable[[], Awaitable[Orchestrator]]


class Forbidden(Exception):
    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class ProjectsCache:
    """The project settings file, read again when it changes."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._mtime: float | None = None
        self._projects: dict[str, ProjectSettings] = {}

    def get(self) -> dict[str, ProjectSettings]:
        try:
            mtime = self.path.stat().st_mtime
        except OSError:
            return {}
        if mtime != self._mtime:
            self._projects = dict(parse_projects(self.path.read_text()).projects)
            self._mtime = mtime
        return self._projects


def _default_connect() -> Connect:
    from client.connection import open_client
    from runtime.config import config

    async def open_orchestrator() -> Orchestrator:
        client = await open_client(config())
        return Orchestrator(client, Orchestrator.keys_from_env())

    return open_orchestrator


def _projects_file() -> Path:
    from runtime.config import config

    return config().erp_projects_file


def create_app(
    cfg: WebConfig | None = None,
    connect: Connect | None = None,
    projects_file: Path | None = None,
) -> FastAPI:
    cfg = cfg or WebConfig()
    connect = connect or _default_connect()
    projects = ProjectsCache(projects_file or _projects_file())
    users = Users(cfg.users_file)
    sessions = Sessions(
        app_secret(cfg.secret.get_secret_value() if cfg.secret else None, cfg.secret_file),
        cfg.session_hours * 3600,
    )
    throttle = LoginThrottle()
    templates = Jinja2Templates(directory=str(HERE / "templates"))
    templates.env.globals["item_href"] = views.item_href
    allowed_origins = {_origin(cfg.url)}
    state: dict[str, Orchestrator] = {}

    app = FastAPI(title="ERP approvals", docs_url=None, redoc_url=None, openapi_url=None)
    app.mount("/static", StaticFiles(directory=str(HERE / "static")), name="static")

    async def orchestrator() -> Orchestrator:
        if "client" not in state:
            try:
                state["client"] = await connect()
            except Exception as err:
                log.warning("temporal unreachable", error=str(err))
                raise ActionError(
                    "Temporal cannot be reached; try again in a moment", 503
                ) from None
        return state["client"]

    # --- sessions ---

    def session_of(request: Request) -> Session | None:
        session = sessions.load(request.cookies.get(SESSION_COOKIE))
        if session is None or session.user is None:
            return session
        try:
            current = users.fingerprint(session.user)
        except UsersFileError:
            current = None
        if current is None or current != session.fingerprint:
            return None  # password changed or user removed: logged out
        return session

    def set_cookie(response: Response, session: Session) -> None:
        response.set_cookie(
            SESSION_COOKIE,
            sessions.dump(session),
            max_age=sessions.max_age,
            httponly=True,
            samesite="lax",
            secure=cfg.secure_cookies,
            path="/",
        )

    def render(
        request: Request,
        template: str,
        session: Session | None,
        status_code: int = 200,
        **context: Any,
    ) -> HTMLResponse:
        fresh = session is None
        session = session or Session.anonymous()
        response = templates.TemplateResponse(
            request,
            template,
            {"user": session.user, "csrf": session.csrf, "csrf_field": CSRF_FIELD, **context},
            status_code=status_code,
        )
        if fresh:
            set_cookie(response, session)
        return response

    async def posted(request: Request) -> tuple[Session, Any]:
        """A form post's session and fields, or Forbidden: no session, a forged or expired
        cookie, another site's origin, or a CSRF token that is not this session's."""
        origin = request.headers.get("origin")
        if origin and origin != "null" and origin not in allowed_origins | {_self(request)}:
            raise Forbidden("This form did not come from this site.")
        if int(request.headers.get("content-length") or 0) > FORM_LIMIT:
            raise Forbidden("The form is too large.")
        form = await request.form()
        session = session_of(request)
        if session is None:
            raise Forbidden("Your session has expired or is not valid: log in again.")
        if not session.csrf_ok(form.get(CSRF_FIELD)):
            raise Forbidden("This form has expired or is not yours: reload the page and retry.")
        return session, form

    async def logged_in_post(request: Request) -> tuple[str, Session, Any]:
        session, form = await posted(request)
        if session.user is None:
            raise Forbidden("Log in first.")
        return session.user, session, form

    def login_redirect(request: Request) -> RedirectResponse:
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        return RedirectResponse(f"/login?next={quote(target)}", status_code=303)

    # --- errors ---

    @app.exception_handler(Forbidden)
    async def forbidden(request: Request, err: Forbidden) -> HTMLResponse:
        return render(
            request,
            "error.html",
            session_of(request),
            403,
            title="Refused",
            message=err.message,
        )

    @app.exception_handler(ActionError)
    async def not_done(request: Request, err: ActionError) -> HTMLResponse:
        session = session_of(request)
        return render(
            request, "error.html", session, err.status, title="Not done", message=err.message
        )

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, err: StarletteHTTPException) -> HTMLResponse:
        message = "No such page." if err.status_code == 404 else str(err.detail)
        return render(
            request,
            "error.html",
            session_of(request),
            err.status_code,
            title="Error",
            message=message,
        )

    @app.exception_handler(Exception)
    async def unexpected(request: Request, err: Exception) -> HTMLResponse:
        log.exception("page failed", path=request.url.path)
        try:
            session = session_of(request)
        except Exception:
            session = None
        return render(
            request,
            "error.html",
            session,
            500,
            title="Something went wrong",
            message="The page could not be shown. The error is in the web app's log.",
        )

    @app.middleware("http")
    async def headers(request: Request, call_next: Any) -> Response:
        response = await call_next(request)
        response.headers["Content-Security-Policy"] = (
            "default-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
        )
        response.headers["X-Frame-Options"] = "DENY"
        response.headers["X-Content-Type-Options"] = "nosniff"
        response.headers["Referrer-Policy"] = "same-origin"
        if request.url.path != "/healthz" and not request.url.path.startswith("/static"):
            response.headers["Cache-Control"] = "no-store"
        return response

    # --- logging in and out ---

    @app.get("/healthz")
    async def healthz() -> dict[str, str]:
        return {"status": "ok"}

    @app.get("/", response_model=None)
    async def home(request: Request) -> Response:
        return RedirectResponse("/queue", status_code=303)

    @app.get("/login", response_model=None)
    async def login_page(request: Request, next: str = "/queue") -> Response:
        session = session_of(request)
        if session is not None and session.user is not None:
            return RedirectResponse(_safe_next(next), status_code=303)
        return render(request, "login.html", session, next=_safe_next(next))

    @app.post("/login", response_model=None)
    async def login(request: Request) -> Response:
        session, form = await posted(request)
        name = str(form.get("username") or "").strip()
        password = str(form.get("password") or "")
        target = _safe_next(str(form.get("next") or "/queue"))
        problem = None
        if throttle.blocked(name):
            problem = "Too many failed attempts for this user: wait a minute and try again."
        else:
            try:
                stored = users.verify(name, password)
            except UsersFileError as err:
                log.error("users file unusable", error=str(err))
                stored, problem = None, "Logging in is unavailable: the users file is unusable."
            if stored is None and problem is None:
                throttle.failed(name)
                problem = "Wrong user name or password."
            elif stored is not None and not views.projects_of(projects.get(), name):
                problem = f"{name} is not on the roster of any project."
        if problem is not None:
            return render(
                request, "login.html", session, 401, next=target, error=problem, username=name
            )
        throttle.succeeded(name)
        fp = users.fingerprint(name) or ""
        new = session.logged_in(name, fp)
        log.info("logged in", user=name)
        response = RedirectResponse(target, status_code=303)
        set_cookie(response, new)
        return response

    @app.post("/logout", response_model=None)
    async def logout(request: Request) -> Response:
        session, _ = await posted(request)
        sessions.revoke(session)
        response = RedirectResponse("/login", status_code=303)
        set_cookie(response, Session.anonymous())
        return response

    # --- the queue ---

    async def queue_sections(
        user: str, project: str | None, item_type: str | None
    ) -> dict[str, Any]:
        held = projects.get()
        mine = views.projects_of(held, user)
        wanted = [p for p in mine if not project or p == project]
        orch = await orchestrator()
        rows = await orch.items(wanted, views.QUEUE_STATES, item_type or None)
        ready, approvals, failed = [], [], []
        for row in rows:
            settings = held.get(row.project)
            sees = views.sees_erp_items(settings, user)
            if row.state == "sent" and row.export_mode != views.DELEGATED:
                can = views.may(settings, user, views.Command.ACCEPT, row.item_type)
                if can or sees:
                    ready.append({"row": row, "can_accept": can})
            elif row.state == "sent":
                try:
                    status = await orch.status(row.workflow_id)
                except ActionError:
                    continue
                waiting = status.approval.who_must_act() if status.approval else []
                if user in waiting or sees:
                    step = status.approval.describe() if status.approval else ""
                    approvals.append({"row": row, "mine": user in waiting, "step": step})
            elif row.state == "export_failed" and sees:
                can = views.may(settings, user, views.Command.RETRY, row.item_type)
                failed.append({"row": row, "can_retry": can})
        return {
            "ready": ready,
            "approvals": approvals,
            "failed": failed,
            "projects": mine,
            "types": sorted({r.item_type for r in rows} | ({item_type} if item_type else set())),
            "project": project or "",
            "item_type": item_type or "",
            "can_bulk": any(entry["can_accept"] for entry in ready),
        }

    @app.get("/queue", response_model=None)
    async def queue(request: Request, project: str = "", type: str = "") -> Response:
        session = session_of(request)
        if session is None or session.user is None:
            return login_redirect(request)
        try:
            sections = await queue_sections(session.user, project or None, type or None)
        except ActionError as err:
            return render(
                request, "error.html", session, err.status, title="Queue", message=err.message
            )
        return render(request, "queue.html", session, **sections)

    @app.post("/bulk/accept", response_model=None)
    async def bulk_accept(request: Request) -> Response:
        user, session, form = await logged_in_post(request)
        chosen = [str(v) for v in form.getlist("items")][:100]
        orch = await orchestrator()
        held = projects.get()
        outcomes = []
        for workflow_id in chosen:
            try:
                status = await orch.status(workflow_id)
                _visible(status, held, user)
                item = views.item_of(status)
                fields = views.export_fields(item, status) if item else {}
                request_ = AcceptRequest(actor=user, fields=fields)
                await orch.command(user, workflow_id, "accept", request_)
                outcomes.append({"item": workflow_id, "ok": True, "message": "accepted"})
            except ActionError as err:
                outcomes.append({"item": workflow_id, "ok": False, "message": err.message})
        if not chosen:
            outcomes.append({"item": "", "ok": False, "message": "No item was selected."})
        try:
            sections = await queue_sections(user, None, None)
        except ActionError as err:
            sections = {"error": err.message}
        return render(request, "queue.html", session, outcomes=outcomes, **sections)

    # --- one item ---

    def _visible(status: ItemStatus, held: dict[str, ProjectSettings], user: str) -> None:
        project = str(status.item.get("project", ""))
        if project not in views.projects_of(held, user):
            raise ActionError(f"{status.workflow_id}: no such item", 404)

    async def item_page(
        request: Request,
        session: Session,
        workflow_id: str,
        status_code: int = 200,
        **extra: Any,
    ) -> HTMLResponse:
        assert session.user is not None
        held = projects.get()
        try:
            status = await (await orchestrator()).status(workflow_id)
            _visible(status, held, session.user)
        except ActionError as err:
            code = err.status if status_code == 200 else status_code
            title = "Item"
            message = extra.get("error") or err.message
            return render(request, "error.html", session, code, title=title, message=message)
        settings = held.get(str(status.item.get("project", "")))
        item = views.item_of(status)
        fields = views.export_fields(item, status) if item else {}
        ui = cfg.temporal_ui_url.rstrip("/")
        return render(
            request,
            "item.html",
            session,
            status_code,
            status=status,
            item=item,
            summary=item.summary() if item else workflow_id,
            facts=views.scalar_fields(status.item),
            tables=views.line_tables(status.item),
            fields=fields,
            field_help=views.field_help(item) if item else {},
            preview=views.preview(item, settings, fields) if item else None,
            actions=views.actions_for(status, settings, session.user),
            temporal_url=f"{ui}/namespaces/default/workflows/{quote(workflow_id, safe='')}",
            **extra,
        )

    @app.get("/items/{workflow_id:path}", response_model=None)
    async def item(request: Request, workflow_id: str, done: str = "") -> Response:
        session = session_of(request)
        if session is None or session.user is None:
            return login_redirect(request)
        return await item_page(request, session, workflow_id, notice=DONE.get(done))

    @app.post("/actions/{command}", response_model=None)
    async def action(request: Request, command: str) -> Response:
        user, session, form = await logged_in_post(request)
        workflow_id = str(form.get("item") or "")
        if command not in DONE or not workflow_id:
            raise StarletteHTTPException(404)
        orch = await orchestrator()
        try:
            status = await orch.status(workflow_id)
            _visible(status, projects.get(), user)
            comment = str(form.get("comment") or "").strip() or None
            if command in ("accept", "retry"):
                fields = {
                    key.removeprefix("field:"): str(value)
                    for key, value in form.multi_items()
                    if key.startswith("field:")
                }
                await orch.command(
                    user, workflow_id, command, AcceptRequest(actor=user, fields=fields)
                )
            elif command == "reject":
                reason = str(form.get("reason") or "").strip()
                if not reason:
                    raise ActionError("A rejection needs a reason.", 400)
                await orch.command(
                    user, workflow_id, "reject", RejectRequest(actor=user, reason=reason)
                )
            elif command == "reset":
                to = str(form.get("to") or "rejected")
                await orch.command(
                    user, workflow_id, "reset", ResetRequest(actor=user, to=to, comment=comment)
                )
            else:
                response = str(form.get("response") or "")
                await orch.respond(
                    user,
                    workflow_id,
                    RespondRequest(actor=user, response=response, comment=comment),
                )
        except ValidationError as err:
            message = describe_validation_error(err)
            return await item_page(request, session, workflow_id, 400, error=message)
        except ActionError as err:
            return await item_page(request, session, workflow_id, err.status, error=err.message)
        log.info("command", user=user, item=workflow_id, command=command)
        return RedirectResponse(f"{views.item_href(workflow_id)}?done={command}", status_code=303)

    # --- the demo's mailbox ---

    @app.get("/mailbox", response_model=None)
    async def mailbox(request: Request) -> Response:
        session = session_of(request)
        if session is None or session.user is None:
            return login_redirect(request)
        emails = views.emails_of(projects.get(), session.user)
        store = Mailbox(cfg.mailbox_db, create=False) if cfg.mailbox_db else None
        messages = store.messages(emails) if store else None
        links = {}
        for mail in messages or []:
            found = re.search(re.escape(cfg.url.rstrip("/")) + r"(/items/[^\s]+)", mail.body)
            links[mail.id] = found.group(1) if found else None
        return render(
            request, "mailbox.html", session, messages=messages, emails=emails, links=links
        )

    app.state.started = time.time()
    return app


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


def _self(request: Request) -> str:
    return f"{request.url.scheme}://{request.headers.get('host', request.url.netloc)}"


def _safe_next(target: str) -> str:
    """Only a path of this site (never `//elsewhere` or a full URL) after logging in."""
    if not target.startswith("/") or target.startswith("//") or "\\" in target:
        return "/queue"
    return target
