"""The operator's inbox at /inbox/: a WSGI app in the werkzeug "shortly" shape.

`create_inbox(...)` builds it; `InboxApp.__call__` → `dispatch` routes through a werkzeug `Map`. The
intake handler mounts it (IntakeApp.mounts) after its own check of the `Host`, so the inbox answers only
for the site's own addresses. Every page but the login form and the stylesheet needs a live session
(impart.inbox.sessions); without one a request is sent to the login page and learns nothing else. Every
form that changes anything carries the session's CSRF token; logins are slowed per address and account
(impart.inbox.login_throttle) and each one is logged without its password. Every answer forbids caching,
framing and referrers and carries a strict Content-Security-Policy. Outside loopback the inbox answers
over HTTPS only. Its cookie is `__Host-` named, `Secure` and for `/` (browsers keep a Secure cookie from
loopback too), so no other port or path can set one beside it; a request that carries two is trusted with
neither. The operator's views reuse the CLI's readers
(impart.intake.records, workflow, outbox), so the terminal and the browser show the same things.
tests/inbox/ proves each; test_inbox_hostile.py tries to break them.
"""

from __future__ import annotations

import ipaddress
import logging
import re
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import quote, urlsplit

from jinja2 import Environment, FileSystemLoader, select_autoescape
from werkzeug.exceptions import HTTPException, MethodNotAllowed
from werkzeug.routing import Map, Rule
from werkzeug.wrappers import Request, Response

from impart.inbox.accounts import AccountError, Accounts
from impart.inbox.listing import PAGE_SIZE, SEARCH_LIMIT, ProposalIndex, age
from impart.inbox.login_throttle import LoginThrottle
from impart.inbox.sessions import Session, Sessions, same_token
from impart.intake.operator_text import text
from impart.intake.outbox import Outbox
from impart.intake.records import METADATA, export_csv, fields_of, notification_states, read_record
from impart.intake.storage import REFERENCE, STATE, ProposalStore, own_folder, timestamp
from impart.intake.workflow import STATUSES, BadMarker, NoteTooLong, SameStatus, UnknownStatus, mark

log = logging.getLogger("impart.inbox")

PREFIX = "/inbox/"
# `__Host-`: the browser keeps it only when Secure, for Path=/ and without Domain, so no other port, path or
# subdomain can set one of this name beside ours (Chromium treats loopback as secure, so this holds there too).
COOKIE = "__Host-impart_inbox"
MAX_TOSSED_PATHS = 8  # the deepest inbox path has 4 segments: more expiries than this would only bloat headers
CONTENT_SECURITY_POLICY = (
    "default-src 'none'; style-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
)
SECURITY_HEADERS = {
    "Cache-Control": "no-store",
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
    "X-Content-Type-Options": "nosniff",
}
HTML = "text/html; charset=utf-8"
# The status a proposal usually moves on to, chosen first in the mark form; after these, no guess.
NEXT_STATUS = {"new": "in-review", "in-review": "proposal-sent", "proposal-sent": "won"}
MAX_FORM = 64 * 1024
FIELD_LIMIT = 200  # an account name or password longer than this is no login: refused before any hashing
# Where a login may send the operator next: a path of the inbox, with at most a plain query, nothing else.
_RETURN = re.compile(r"/inbox/(?:[A-Za-z0-9_.~-]+/?)*(?:\?[A-Za-z0-9_.~=&+%-]*)?\Z")
_LOOPBACK_NAMES = {"localhost", "127.0.0.1", "::1"}
_TEMPLATES = Path(__file__).parent / "templates"
_STYLESHEET = _TEMPLATES / "inbox.css"


def safe_return(target: str) -> str:
    """`target` when it is a path of the inbox (no host, scheme, `//`, backslash or `..`); else the list."""
    if (
        _RETURN.match(target or "")
        and "//" not in target
        and ".." not in target
        and not urlsplit(target).netloc
        and target != "/inbox/login"
    ):
        return target
    return PREFIX


def _host_name(host: str) -> str:
    """The name in a Host header, without its port: `[::1]:8000` -> `::1`, `localhost:8000` -> `localhost`."""
    host = host.lower()
    if host.startswith("["):
        return host[1:].partition("]")[0]
    return host.rsplit(":", 1)[0] if host.count(":") == 1 else host


def _loopback(request: Request) -> bool:
    """A request from this machine to a loopback name: the preview, or a test; the only place plain HTTP is
    answered."""
    host = _host_name(request.host or "")
    try:
        from_loopback = ipaddress.ip_address((request.remote_addr or "").partition("%")[0]).is_loopback
    except ValueError:
        from_loopback = False
    return from_loopback and host in _LOOPBACK_NAMES


@dataclass
class InboxApp:
    store: ProposalStore
    accounts: Accounts
    sessions: Sessions
    throttle: LoginThrottle
    labels: dict = field(default_factory=dict)  # field name -> the form's label
    notifications: object | None = None  # impart.intake.notifier.Notifications: woken after a retry
    clock: Callable[[], float] = time.time
    url_map: Map = field(init=False)
    index: ProposalIndex = field(init=False)
    templates: Environment = field(init=False)

    def __post_init__(self):
        self.index = ProposalIndex(self.store)
        self.templates = Environment(
            loader=FileSystemLoader(_TEMPLATES), autoescape=select_autoescape(default=True, default_for_string=True)
        )
        self.templates.filters["shown"] = text
        self.url_map = Map(
            [
                Rule("/inbox/", endpoint="list", methods=["GET"]),
                Rule("/inbox/login", endpoint="login", methods=["GET", "POST"]),
                Rule("/inbox/logout", endpoint="logout", methods=["POST"]),
                Rule("/inbox/inbox.css", endpoint="stylesheet", methods=["GET"]),
                Rule("/inbox/export.csv", endpoint="export", methods=["GET"]),
                Rule("/inbox/outbox", endpoint="outbox", methods=["GET"]),
                Rule("/inbox/outbox/retry", endpoint="retry", methods=["POST"]),
                Rule("/inbox/p/<reference>", endpoint="proposal", methods=["GET"]),
                Rule("/inbox/p/<reference>/mark", endpoint="mark", methods=["POST"]),
            ],
            strict_slashes=True,
            merge_slashes=False,
        )

    def __call__(self, environ, start_response) -> Iterable[bytes]:
        request = Request(environ)
        request.max_content_length = MAX_FORM  # the largest inbox form is a note of 2,000 characters
        request.max_form_memory_size = MAX_FORM
        try:
            response = self.dispatch(request)
        except HTTPException as error:  # a body over the limit, a form that cannot be parsed
            response = self._page("message.html", error.code or 400, title="The form could not be read",
                                  message="Nothing was changed. Go back and send the form again.")  # fmt: skip
        for name, value in SECURITY_HEADERS.items():
            response.headers[name] = value
        return response(environ, start_response)

    # -- routing --------------------------------------------------------------------

    def dispatch(self, request: Request) -> Response:
        if not _loopback(request) and request.scheme != "https":
            return self._page(
                "message.html",
                403,
                title="The inbox answers over HTTPS only",
                message=f"Open https://{request.host}/inbox/ instead.",
            )
        adapter = self.url_map.bind_to_environ(request.environ)
        failure = None
        try:
            endpoint, values = adapter.match()
        except HTTPException as error:
            endpoint, values = None, {}
            failure = error
        if endpoint == "stylesheet":
            return Response(_STYLESHEET.read_bytes(), content_type="text/css; charset=utf-8")
        if endpoint == "login":
            return self.login(request)
        sent = request.cookies.getlist(COOKIE)
        if len(sent) > 1:
            # Cookie tossing: one was set beside ours (another path, a nameless cookie, an older browser). Which
            # is the operator's cannot be told, so none is trusted, and the tossed ones on this path are expired.
            shown_path = request.path[:80].encode("unicode_escape").decode("ascii")  # one line, whatever was sent
            log.warning("inbox request with %s session cookies refused: %s", len(sent), shown_path)
            response = self._to_login(request)
            self._expire_tossed(request, response, keep_root=False)
            return response
        session = self.sessions.get(sent[0] if sent else None)
        if session is not None and (not session.stamp or self.accounts.stamp(session.account) != session.stamp):
            self.sessions.end(session.id)  # the account was removed or its password changed: its logins end
            session = None
        if session is None:
            return self._to_login(request)
        if endpoint is None:
            if isinstance(failure, MethodNotAllowed):
                response = self._page(
                    "message.html",
                    405,
                    session=session,
                    title="That method is not allowed here",
                    message="Use the inbox's own links and buttons.",
                )
                response.headers["Allow"] = ", ".join(sorted(failure.valid_methods or ()))
                return response
            return self._not_found(session)
        if request.method == "POST":
            refusal = self._refuse_post(request, session)
            if refusal is not None:
                return refusal
        return getattr(self, f"view_{endpoint}")(request, session, **values)

    def _to_login(self, request: Request) -> Response:
        """Where every request without a live session goes: nothing of the inbox in the answer."""
        target = "/inbox/login"
        if request.method == "GET":
            wanted = self._return_to(request.full_path.rstrip("?"))
            if wanted != PREFIX:
                target += "?next=" + quote(wanted, safe="/")
        response = Response("", status=303)
        response.headers["Location"] = target
        return response

    def _return_to(self, target: str) -> str:
        """Where a login may send the operator: `target` when it is a safe path of the inbox that a GET opens
        (never the login or logout, nor a form's address, which would answer 405), else the list."""
        target = safe_return(target)
        path = target.partition("?")[0]
        try:
            endpoint, _ = self.url_map.bind("inbox").match(path, method="GET")
        except HTTPException:
            return PREFIX
        return target if endpoint not in ("login", "logout", "stylesheet") else PREFIX

    def _refuse_post(self, request: Request, session: Session) -> Response | None:
        """A POST from another site, or without the session's CSRF token, changes nothing."""
        if not self._same_origin(request) or not same_token(request.form.get("csrf", ""), session.csrf):
            return self._page(
                "message.html",
                403,
                session=session,
                title="This form has expired",
                message="Nothing was changed. Go back, reload the page and send the form again.",
            )
        return None

    def _same_origin(self, request: Request) -> bool:
        if request.headers.get("Sec-Fetch-Site", "same-origin") not in ("same-origin", "none"):
            return False
        origin = request.headers.get("Origin")
        # A browser told to send no referrer sends `Origin: null` with a same-origin POST: the token decides.
        return not origin or origin == "null" or origin.rstrip("/") == request.host_url.rstrip("/")

    # -- answers --------------------------------------------------------------------

    def _page(self, template: str, status: int = 200, *, session: Session | None = None, **context) -> Response:
        body = self.templates.get_template(template).render(
            session=session, statuses=STATUSES, csrf=session.csrf if session else "", **context
        )
        return Response(body, status=status, content_type=HTML)

    def _not_found(self, session: Session) -> Response:
        return self._page(
            "message.html",
            404,
            session=session,
            title="Not found",
            message="There is no page of the inbox at this address.",
        )

    def _see(self, location: str) -> Response:
        response = Response("", status=303)
        response.headers["Location"] = location
        return response

    # -- login and logout -----------------------------------------------------------

    def login(self, request: Request) -> Response:
        target = self._return_to(request.values.get("next", ""))
        if request.method == "GET":
            return self._page("login.html", next=target, ended=request.args.get("ended") == "1")
        if not self._same_origin(request):
            return self._page(
                "login.html",
                403,
                next=target,
                problem="This login did not come from the inbox's own page; open it and log in there.",
            )
        name = request.form.get("account", "").strip()
        password = request.form.get("password", "")
        address = request.remote_addr or "unknown"
        shown_name = name[:40].encode("unicode_escape").decode("ascii")
        if not name or not password or len(name) > FIELD_LIMIT or len(password) > 1024:
            return self._page(
                "login.html",
                400,
                next=target,
                account=name[:FIELD_LIMIT],
                problem="Enter your account name and your password.",
            )
        wait = self.throttle.attempt(address, name)  # counts this try now, before the hash: no burst slips by
        if wait:
            log.warning("inbox login refused, throttled %ss: account %s from %s", wait, shown_name, address)
            when = timestamp(self.clock() + wait)
            response = self._page(
                "login.html",
                429,
                next=target,
                account=name,
                problem=f"Too many failed logins: try again in {wait} seconds (after {when}).",
            )
            response.headers["Retry-After"] = str(wait)
            return response
        try:
            ok = self.accounts.verify(name, password)
        except AccountError as error:
            log.error("inbox login impossible: %s", error)
            return self._page(
                "login.html",
                503,
                next=target,
                account=name,
                problem="The accounts file cannot be read; the operator's log says why.",
            )
        if not ok:
            log.warning("inbox login failed: account %s from %s", shown_name, address)
            return self._page(
                "login.html",
                403,
                next=target,
                account=name,
                problem="That account name and password do not match. Check both and try again.",
            )
        self.throttle.succeeded(address, name)
        sent = request.cookies.getlist(COOKIE)
        for planted in sent[1:]:  # every id known before the login ends; begin() ends the first
            self.sessions.end(planted)
        session = self.sessions.begin(name, stamp=self.accounts.stamp(name) or "", replacing=sent[0] if sent else None)
        log.info("inbox login: account %s from %s", shown_name, address)
        response = self._see(target)
        if len(sent) > 1:
            self._expire_tossed(request, response, keep_root=True)
        self._set_cookie(request, response, session.id)
        return response

    def _expire_tossed(self, request: Request, response: Response, *, keep_root: bool) -> None:
        """Expire the inbox cookie on every path a cookie sent with `request` can have been set for: each
        folder of the path as sent, and `/` too unless a new session is about to be set there."""
        raw = request.environ.get("RAW_URI") or request.environ.get("REQUEST_URI") or quote(request.path)
        path, paths = raw.partition("?")[0], []
        # /inbox/p/R -> /inbox/p/R, /inbox/p/, /inbox/p, /inbox/, /inbox, /: a cookie set for any is sent here.
        while path and len(paths) < 2 * MAX_TOSSED_PATHS:
            if path != "/" or not keep_root:
                paths.append(path)
            path = path[:-1] if path.endswith("/") else path[: path.rfind("/") + 1]
        for path in paths:
            if not path.startswith("/") or ";" in path or not path.isascii() or not path.isprintable():
                continue  # not a path a cookie can have been set for, nor one a header may carry
            response.headers.add(
                "Set-Cookie",
                f"{COOKIE}=; Path={path}; Max-Age=0; Expires=Thu, 01 Jan 1970 00:00:00 GMT; Secure; HttpOnly; "
                "SameSite=Strict",
            )

    def _set_cookie(self, request: Request, response: Response, value: str, *, expire: bool = False) -> None:
        response.set_cookie(
            COOKIE,
            value,
            path="/",
            secure=True,  # even on loopback, which browsers count as secure: the `__Host-` name requires it
            httponly=True,
            samesite="Strict",
            max_age=0 if expire else int(self.sessions.absolute),
        )

    def view_logout(self, request: Request, session: Session) -> Response:
        self.sessions.end(session.id)
        log.info("inbox logout: account %s", session.account)
        response = self._see("/inbox/login?ended=1")
        self._set_cookie(request, response, "", expire=True)
        return response

    # -- the operator's pages -------------------------------------------------------

    def view_list(self, request: Request, session: Session) -> Response:
        status = request.args.get("status", "")
        status = status if status in STATUSES else ""
        search = request.args.get("q", "")[:SEARCH_LIMIT]
        try:
            number = int(request.args.get("page", "1"))
        except ValueError:
            number = 1
        page = self.index.page(number, status=status, search=search)
        now = self.clock()
        rows = [(row, age(row.received, now)) for row in page.rows]
        return self._page(
            "list.html", session=session, page=page, rows=rows, chosen=status, search=search, page_size=PAGE_SIZE
        )

    def _proposal_page(self, session: Session, reference: str, status: int = 200, problem: str = "") -> Response:
        if not REFERENCE.match(reference):
            return self._not_found(session)
        record = read_record(self.store, reference)
        if record is None:
            if (self.store.root / f"{reference}.json").exists():
                return self._page(
                    "message.html",
                    500,
                    session=session,
                    title="This proposal cannot be read",
                    message=f"{reference}.json is not a proposal file; open it on the server.",
                )
            return self._not_found(session)
        metadata = [(key.replace("_", " ").capitalize(), record.get(key)) for key in METADATA if key in record]
        answers = [
            (self.labels.get(name) or name.replace("_", " "), value) for name, value in fields_of(record).items()
        ]
        history = [change for change in record.get("history") or [] if isinstance(change, dict)]
        current = record.get("status", "new")
        suggested = NEXT_STATUS.get(current, "")
        return self._page(
            "proposal.html",
            status,
            session=session,
            reference=reference,
            record=record,
            metadata=metadata,
            answers=answers,
            history=history,
            notifications=notification_states(self.store, record),
            current=current,
            suggested=suggested,
            problem=problem,
        )

    def view_proposal(self, request: Request, session: Session, reference: str) -> Response:
        return self._proposal_page(session, reference)

    def view_mark(self, request: Request, session: Session, reference: str) -> Response:
        if not REFERENCE.match(reference):
            return self._not_found(session)
        try:
            mark(
                self.store,
                reference,
                request.form.get("status", ""),
                request.form.get("note", "").strip(),
                by=session.account,
                now=self.clock(),
            )
        except KeyError:
            return self._not_found(session)
        except (UnknownStatus, SameStatus, NoteTooLong, BadMarker) as error:
            return self._proposal_page(session, reference, 422, problem=f"{error}; nothing was changed.")
        except OSError as error:
            return self._proposal_page(session, reference, 500, problem=f"Could not be changed: {error.strerror}.")
        log.info("inbox mark: %s %s by %s", reference, request.form.get("status"), session.account)
        return self._see(f"/inbox/p/{reference}")

    def view_export(self, request: Request, session: Session) -> Response:
        export = export_csv(self.store, include_spam=request.args.get("spam") == "1")
        # A byte-order mark, so a spreadsheet opening the download reads £ and é as UTF-8.
        response = Response(export.text, content_type="text/csv; charset=utf-8")
        day = datetime.fromtimestamp(self.clock(), UTC).strftime("%Y-%m-%d")
        response.headers["Content-Disposition"] = f'attachment; filename="proposals-{day}.csv"'
        log.info("inbox export: %s proposal(s) by %s", export.count, session.account)
        return response

    def view_outbox(self, request: Request, session: Session) -> Response:
        entries = Outbox(self.store).entries()
        due = {e.name: timestamp(e.next_attempt) for e in entries if e.state == "pending" and e.next_attempt}
        counts = {state: sum(e.state == state for e in entries) for state in ("pending", "failed")}
        retried = request.args.get("retried", "")
        return self._page(
            "outbox.html",
            session=session,
            entries=entries,
            due=due,
            counts=counts,
            retried=int(retried) if retried.isdigit() and len(retried) < 6 else None,
        )

    def view_retry(self, request: Request, session: Session) -> Response:
        outbox = Outbox(self.store)
        reference = request.form.get("reference", "")
        failed = outbox.failed_names()
        if reference:
            failed = [name for name in failed if name.partition(".")[0] == reference]
        moved = outbox.retry_failed(failed) if failed else 0
        if moved and self.notifications is not None:
            self.notifications.wake()
        log.info("inbox retry: %s failed notification(s) back to pending by %s", moved, session.account)
        return self._see(f"/inbox/outbox?retried={moved}")


def create_inbox(
    project: Path,
    *,
    proposals_dir: Path,
    accounts_file: str = "inbox-accounts.json",
    idle_minutes: int = 30,
    absolute_hours: int = 12,
    labels: dict | None = None,
    notifications=None,
    clock: Callable[[], float] = time.time,
) -> InboxApp:
    """The inbox over the proposals in `proposals_dir`, with the accounts in `accounts_file` (beside mkdocs.yml
    unless absolute); its sessions and login counts live under the proposals' `.state/inbox/`."""
    store = ProposalStore(Path(proposals_dir), clock=clock)
    store.prepare()
    state = own_folder(store.root, STATE, "inbox")
    return InboxApp(
        store=store,
        accounts=Accounts(Path(project) / accounts_file),
        sessions=Sessions(
            own_folder(state, "sessions"), idle=idle_minutes * 60, absolute=absolute_hours * 3600, clock=clock
        ),
        throttle=LoginThrottle(own_folder(state, "logins"), clock=clock),
        labels=dict(labels or {}),
        notifications=notifications,
        clock=clock,
    )
