"""The dashboard's ASGI app: pages, a JSON API, server-sent events, the local content store, and (only with
`--allow-actions`, only from localhost, only with the page's CSRF token) pause, resume, cancel and redrive."""

from __future__ import annotations

import asyncio
import hmac
import html
import json
import mimetypes
import secrets
import sqlite3
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from pathlib import Path

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response, StreamingResponse
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from tinyhops.errors import TinyHopsError
from tinyhops.index import store
from tinyhops.provider.store import ContentStore, StoreError
from tinyhops.ui import data

STATIC = Path(__file__).resolve().parent / "static"
ACTION_BUTTONS = ("pause", "resume", "cancel", "redrive")  # tinyhops.ui.actions.ACTIONS
LOOPBACK = frozenset({"127.0.0.1", "::1"})  # the only addresses `--allow-actions` binds, and clients it serves
LOCAL_HOST_NAMES = frozenset({"127.0.0.1", "[::1]", "localhost"})  # Host headers a page with actions answers
SSE_POLL_SECONDS = 0.05


@dataclass
class Dashboard:
    """What the app serves from: the index file, the content store, and the action sender (None: read-only)."""

    index_path: Path
    content: ContentStore
    act: Callable[[str, int, int], str] | None = None  # (action, workflow id, deposit) -> transaction hash
    csrf_token: str = field(default_factory=lambda: secrets.token_urlsafe(32))

    def db(self) -> sqlite3.Connection:
        return store.open_index(self.index_path, readonly=True)


def _page(title: str, body: str, dashboard: Dashboard, script: str = "") -> HTMLResponse:
    token = f'<meta name="csrf-token" content="{dashboard.csrf_token}">' if dashboard.act else ""
    scripts = (
        '<script src="/static/vendor/dagre.min.js"></script><script src="/static/workflow.js"></script>'
        if script == "workflow"
        else '<script src="/static/list.js"></script>'
    )
    return HTMLResponse(
        f"<!doctype html><html lang=en><head><meta charset=utf-8><title>{html.escape(title)}</title>{token}"
        f'<meta name="viewport" content="width=device-width"><link rel=stylesheet href="/static/style.css">'
        f"</head><body><header><a href='/'>Tiny Hops</a> <span>{html.escape(title)}</span></header>"
        f"<main>{body}</main>{scripts}</body></html>"
    )


def _workflow_id(request: Request) -> int:
    raw = request.path_params["workflow_id"]
    if not raw.isdigit() or len(raw) > 78:
        raise TinyHopsError(f"{raw!r} is not a workflow id")
    return int(raw)


def build_app(dashboard: Dashboard) -> Starlette:
    async def list_page(request: Request) -> Response:
        q = request.query_params
        with dashboard.db() as db:
            rows = data.workflows(db, q.get("status"), q.get("owner"), q.get("q"))
        options = "".join(
            f"<option{' selected' if q.get('status') == s else ''}>{s}</option>"
            for s in ("", "running", "paused", "completed", "failed", "cancelled")
        )
        head = "".join(f"<th>{h}</th>" for h in (
            "id", "name", "owner", "status", "progress", "deposit", "spent", "refunded", "started", "finished"))
        body_rows = "".join(
            f"<tr data-status='{r['status']}'><td><a href='/workflows/{r['id']}'>{r['id']}</a></td>"
            f"<td>{html.escape(r['name'])}</td><td class=mono>{r['owner']}</td>"
            f"<td class='status {r['status']}'>{r['status']}</td><td>{r['progress']}</td>"
            f"<td>{r['deposit']['text']}</td><td>{r['spent']['text']}</td><td>{r['refunded']['text']}</td>"
            f"<td class=time data-t='{r['started']}'></td><td class=time data-t='{r['finished'] or ''}'></td></tr>"
            for r in rows
        )
        body = (
            "<form class=filters method=get><label>status <select name=status>"
            f"{options}</select></label> <label>owner <input name=owner value='{html.escape(q.get('owner', ''))}'>"
            f"</label> <label>module or id <input name=q value='{html.escape(q.get('q', ''))}'></label> "
            "<button>filter</button></form>"
            f"<table id=workflows><thead><tr>{head}</tr></thead><tbody>{body_rows}</tbody></table>"
            f"<p class=count>{len(rows)} workflows</p>"
        )
        return _page("workflows", body, dashboard)

    async def list_json(request: Request) -> Response:
        q = request.query_params
        with dashboard.db() as db:
            return JSONResponse(data.workflows(db, q.get("status"), q.get("owner"), q.get("q")))

    async def workflow_page(request: Request) -> Response:
        workflow_id = _workflow_id(request)
        buttons = "".join(f"<button data-action={a}>{a}</button>" for a in ACTION_BUTTONS)
        actions = f"<div class=actions>{buttons}</div>" if dashboard.act else ""
        body = (
            f"<section id=summary data-workflow='{workflow_id}'></section>{actions}"
            "<section id=dag-panel><svg id=dag></svg></section>"
            "<section id=step-panel><h2>step</h2><div id=step>click a step</div></section>"
            "<section><h2>money</h2><div id=money></div></section>"
            "<section><h2>events</h2><table id=timeline></table></section>"
        )
        return _page(f"workflow {workflow_id}", body, dashboard, "workflow")

    async def workflow_json(request: Request) -> Response:
        workflow_id = _workflow_id(request)
        with dashboard.db() as db:
            detail = data.workflow_detail(db, workflow_id)
        if detail is None:
            return JSONResponse({"error": f"workflow {workflow_id} is not indexed"}, status_code=404)
        return JSONResponse(detail)

    async def workflow_events(request: Request) -> Response:
        workflow_id = _workflow_id(request)

        async def stream() -> AsyncIterator[str]:
            seen: int | None = None
            yield "retry: 500\n\n"
            while not await request.is_disconnected():
                with dashboard.db() as db:
                    block = data.updated_block(db, workflow_id)
                    detail = data.workflow_detail(db, workflow_id) if block is not None and block != seen else None
                if detail is not None:
                    seen = block
                    yield f"event: state\ndata: {json.dumps(detail)}\n\n"
                await asyncio.sleep(SSE_POLL_SECONDS)

        return StreamingResponse(stream(), media_type="text/event-stream", headers={"Cache-Control": "no-cache"})

    async def content(request: Request) -> Response:
        reference = request.path_params["reference"].strip("/")
        try:
            if dashboard.content.is_directory(reference):
                entries = "".join(
                    f"<li><a href='/content/{html.escape(reference)}/{html.escape(e.name)}'>{html.escape(e.name)}</a>"
                    f" <span class=mono>{e.cid}</span> {e.tsize:,} bytes</li>"
                    for e in dashboard.content.list(reference)
                )
                return _page(reference, f"<ul class=listing>{entries}</ul>", dashboard)
            payload = dashboard.content.get(reference)
        except StoreError as exc:
            return Response(f"{exc}\n", status_code=404, media_type="text/plain")
        return Response(payload, media_type=_media_type(reference, payload),
                        headers={"Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'",
                                 "X-Content-Type-Options": "nosniff"})

    async def content_json(request: Request) -> Response:
        """A result directory's entries, for the page to show inline."""
        reference = request.path_params["reference"].strip("/")
        try:
            if not dashboard.content.is_directory(reference):
                return JSONResponse({"file": reference})
            entries = [
                {"name": e.name, "cid": str(e.cid), "size": e.tsize,
                 "directory": dashboard.content.is_directory(f"{reference}/{e.name}")}
                for e in dashboard.content.list(reference)
            ]
        except StoreError as exc:
            return JSONResponse({"error": str(exc)}, status_code=404)
        return JSONResponse({"directory": reference, "entries": entries})

    async def action(request: Request) -> Response:
        if dashboard.act is None:
            return JSONResponse({"error": "read-only: start `tiny-hops ui --allow-actions`"}, status_code=403)
        host = request.client.host if request.client else ""
        if host not in LOOPBACK:
            return JSONResponse({"error": "actions are taken from localhost only"}, status_code=403)
        token = request.headers.get("x-csrf-token", "")
        if not hmac.compare_digest(token.encode(), dashboard.csrf_token.encode()):
            return JSONResponse({"error": "missing or wrong CSRF token"}, status_code=403)
        origin = request.headers.get("origin")
        if origin is not None and origin != f"{request.url.scheme}://{request.url.netloc}":
            return JSONResponse({"error": "cross-origin request refused"}, status_code=403)
        if request.headers.get("sec-fetch-site", "same-origin") not in ("same-origin", "none"):
            return JSONResponse({"error": "cross-site request refused"}, status_code=403)
        name = request.path_params["action"]
        try:
            workflow_id = _workflow_id(request)
            deposit = 0
            if name == "redrive":  # exactly every attempt of the steps back in play; the registry checks it again
                with dashboard.db() as db:
                    deposit = data.redrive_deposit(db, workflow_id)
            tx = await asyncio.to_thread(dashboard.act, name, workflow_id, deposit)
        except TinyHopsError as exc:
            return JSONResponse({"error": exc.one_line()}, status_code=400)
        return JSONResponse({"ok": True, "tx": tx})

    async def refuse(request: Request, exc: Exception) -> Response:
        return JSONResponse({"error": str(exc)}, status_code=400)

    routes = [
        Route("/", list_page),
        Route("/api/workflows", list_json),
        Route("/workflows/{workflow_id}", workflow_page),
        Route("/api/workflows/{workflow_id}", workflow_json),
        Route("/api/workflows/{workflow_id}/events", workflow_events),
        Route("/workflows/{workflow_id}/{action}", action, methods=["POST"]),
        Route("/content/{reference:path}", content),
        Route("/api/content/{reference:path}", content_json),
        Mount("/static", StaticFiles(directory=STATIC), name="static"),
    ]
    app = Starlette(routes=routes, exception_handlers={TinyHopsError: refuse})
    return LocalHostOnly(app) if dashboard.act else app


class LocalHostOnly:
    """With actions allowed, a request whose Host header is not a loopback name is refused before any page is
    served: a site the browser reached by a name re-pointed at 127.0.0.1 (DNS rebinding) is same-origin with
    itself, so the Origin check passes and it could read the page's CSRF token; its Host header names it."""

    def __init__(self, app: Starlette):
        self.app = app

    async def __call__(self, scope, receive, send) -> None:  # noqa: ANN001 - the ASGI triple
        if scope["type"] in ("http", "websocket"):
            host = dict(scope["headers"]).get(b"host", b"").decode("latin-1")
            name = host.rsplit(":", 1)[0] if not host.endswith("]") else host
            if name.lower() not in LOCAL_HOST_NAMES:
                response = JSONResponse({"error": f"Host {host!r} refused: actions are served to localhost only"},
                                        status_code=421)
                await response(scope, receive, send)
                return
        await self.app(scope, receive, send)


def _media_type(reference: str, payload: bytes) -> str:
    from tinyhops.cli.cat import extension_of

    guessed, _ = mimetypes.guess_type(reference)
    if guessed and not guessed.startswith(("text/html", "application/xhtml", "image/svg")):
        return guessed
    kind = extension_of(payload)
    return {"png": "image/png", "jpg": "image/jpeg", "gif": "image/gif", "webp": "image/webp",
            "txt": "text/plain; charset=utf-8", "pdf": "application/pdf"}.get(kind, "application/octet-stream")


__all__ = ["LOOPBACK", "Dashboard", "LocalHostOnly", "build_app"]
