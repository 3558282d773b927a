"""The proposal handler: a WSGI app in the werkzeug "shortly" shape.

`create_app(...)` builds it; `IntakeApp.__call__` → `dispatch` routes the
intake endpoint, the thank-you page and /healthz, hands a path under one of
its `mounts` to the app mounted there (the operator's inbox at /inbox/, when
turned on), and anything else to `fallback` (the static site, under `impart
serve` or `mkdocs serve`).

It answers only for the origins it is given (site_url's, --origin, the
preview's address): any other `Host` gets 421 before anything runs
(tests/intake/test_intake_hosts.py). Answers are bounded as text (MAX_ANSWERS), not
as their encoding, and checked before the honeypot is looked at; its pages
cannot be framed (tests/intake/test_hostile_input.py).
"""

from __future__ import annotations

import json
import logging
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from werkzeug.exceptions import HTTPException, MethodNotAllowed, NotFound
from werkzeug.wrappers import Request, Response

from impart.intake.definition import CONTEXT_FIELDS, FormDefinition, FormDefinitionError, load_form, site_form
from impart.intake.form_body import UnknownFields, parse_form_body
from impart.intake.notifier import Notifications, notifications_for
from impart.intake.origin import hosts_of, is_allowed_origin, normalise_origin, origin_of, serves_host
from impart.intake.pages import IntakePages
from impart.intake.rate_limit import DEFAULT_RATE, RateLimited, RateLimiter, parse_rate, retry_in_words
from impart.intake.readiness import readiness_problems
from impart.intake.request_path import climbs
from impart.intake.settings import IntakeSettings
from impart.intake.storage import REFERENCE, STATE, ProposalStore, StorageError, own_folder
from impart.intake.validation import is_site_path, validate

log = logging.getLogger("impart.intake")

# The answers may hold 64 KiB of text (UTF-8), whatever the script: the real form at every field's limit is
# about half that. On the wire, URL-encoding writes a byte of UTF-8 as up to three, so the body may be
# four times as large (names and multipart framing included). Both are documented in the README.
MAX_ANSWERS = 64 * 1024
MAX_BODY = 4 * MAX_ANSWERS
HEALTH_INTERVAL = 1.0  # seconds: /healthz writes a probe file at most this often
# The handler's pages are never framed (clickjacking), nor given another base or plugins.
CONTENT_SECURITY_POLICY = "frame-ancestors 'none'; base-uri 'self'; object-src 'none'"
RETRY_AFTER_STORAGE = 120
JSON = "application/json"
HTML = "text/html; charset=utf-8"
_SUBMIT_METHODS = ("GET", "HEAD", "POST")
_PAGE_METHODS = ("GET", "HEAD")
STORAGE_PROBLEM = (
    "We could not save your request just now, and nothing was stored. Your answers are below: "
    "please send them again in a few minutes, or write to {contact}."
)
TITLES = {
    400: "The form could not be read",
    403: "This request did not come from our form",
    421: "This server does not answer for that address",
    405: "That method is not allowed here",
    413: "The form is too large",
    415: "The form was sent in a format we do not accept",
    429: "Too many requests",
}


@dataclass
class IntakeApp:
    form: FormDefinition
    settings: IntakeSettings
    store: ProposalStore
    pages: IntakePages
    limiter: RateLimiter | None = None
    # The origins this handler serves, from configuration: a request's Host must name one of them.
    origins: tuple[str, ...] = ()
    allowed_origins: tuple[str, ...] = ()
    max_body: int = MAX_BODY
    max_answers: int = MAX_ANSWERS
    fallback: Callable | None = None  # a WSGI app for every other path
    # In the live preview, the definition is read again when its file changes.
    definition_source: Path | None = None
    notifications: Notifications | None = None  # who hears of each proposal
    site_dir: Path | None = None  # the served site, for /readyz (resolved on each look: it may be a switched link)
    notify_failing_seconds: int = 900  # /readyz fails once a notification has been failing this long
    # Other apps under this one's Host check, by path prefix (the inbox at /inbox/), before the fallback.
    mounts: tuple[tuple[str, Callable], ...] = ()
    known_fields: set = field(init=False)
    served_hosts: frozenset = field(init=False)
    _definition_mtime: int = field(init=False, default=0)
    _health: tuple[float, bool] = field(init=False, default=(float("-inf"), False))
    _health_lock: threading.Lock = field(init=False, default_factory=threading.Lock)

    def __post_init__(self):
        if not self.origins:
            raise ValueError("the handler needs its own origin: set site_url in mkdocs.yml, or pass --origin URL")
        self.origins = tuple(normalise_origin(origin) for origin in self.origins)
        self.served_hosts = hosts_of(self.origins)
        self.allowed_origins = tuple(normalise_origin(origin) for origin in self.allowed_origins)
        self._use(self.form)
        if self.definition_source:
            self._definition_mtime = self.definition_source.stat().st_mtime_ns

    def _use(self, form: FormDefinition) -> None:
        self.form = self.pages.form = form
        self.known_fields = set(form.names) | set(CONTEXT_FIELDS)

    def _reload_if_changed(self) -> None:
        try:
            mtime = self.definition_source.stat().st_mtime_ns
            if mtime != self._definition_mtime:
                self._definition_mtime = mtime
                self._use(load_form(self.definition_source, self.form.source))
        except (OSError, FormDefinitionError) as error:
            log.warning("the form definition was not reloaded: %s", error)

    def __call__(self, environ, start_response) -> Iterable[bytes]:
        if self.definition_source:
            self._reload_if_changed()
        request = Request(environ)
        if not serves_host(request.host, self.served_hosts):
            # DNS rebinding: a page elsewhere reaching us under its own name. Refused before anything runs.
            response = self._error(request, 421, "This server answers only for its own site; use the site's address.")
            # The operator meets this when a proxy's port or name differs from site_url: the line says what serves it.
            host = _one_line(request.host)
            log.info(
                "%s %s 421 host %s: not an address this server answers for; if readers use it, "
                "set site_url in mkdocs.yml to it or start impart serve with --origin %s://%s",
                request.method, _one_line(request.path), host, request.scheme, host,
            )  # fmt: skip
            return response(environ, start_response)
        if climbs(environ):
            # Behind nginx such a path passes as one page's location and would be routed as another's here.
            response = self._error(
                request, 400, "This address has . or .. parts or an encoded slash; use the page's own address."
            )
            log.info("%s %s 400 climbing path", request.method, _one_line(request.path))
            return response(environ, start_response)
        for prefix, mounted in self.mounts:
            if request.path.startswith(prefix):
                return mounted(environ, start_response)
            if request.path == prefix.rstrip("/"):
                response = Response("", status=308, headers={"Location": prefix})
                return response(environ, start_response)
        if self.fallback and request.path not in (self.settings.path, self.settings.thanks, "/healthz", "/readyz"):
            return self.fallback(environ, start_response)
        response, note = self.dispatch(request)
        self._allow_cross_origin_reading(request, response)
        if request.path in ("/healthz", "/readyz") and response.status_code == 200:
            return response(environ, start_response)  # polled every few seconds: only a change is worth a line
        # One line per request, whatever the request held: no line breaks from it, no personal data.
        log.info("%s %s %s %s", request.method, _one_line(request.path), response.status_code, _one_line(note))
        return response(environ, start_response)

    def _allow_cross_origin_reading(self, request: Request, response: Response) -> None:
        """Let the form's script on an allowed other origin (a handler on its own host) read the answer."""
        origin = request.headers.get("Origin", "")
        if request.method == "POST" and origin and normalise_origin(origin) in self.allowed_origins:
            response.headers["Access-Control-Allow-Origin"] = origin.rstrip("/")
            response.vary.add("Origin")

    # -- routing ------------------------------------------------------------

    def dispatch(self, request: Request) -> tuple[Response, str]:
        """The response and what the log line says about it (a reference or a reason, never personal data)."""
        try:
            if request.path == "/healthz":
                return self.health(request)
            if request.path == "/readyz":
                return self.ready(request)
            if request.path == self.settings.path:
                if request.method == "POST":
                    return self.submit(request)
                self._allow(request, _SUBMIT_METHODS)
                return self._html(self.pages.form_page(came_from=self._came_from(request)), 200), "form"
            if request.path == self.settings.thanks:
                self._allow(request, _PAGE_METHODS)
                reference = request.args.get("ref", "")
                reference = reference if REFERENCE.match(reference) else ""
                return self._html(self.pages.thanks_page(reference), 200), reference or "thanks"
            raise NotFound()
        except HTTPException as error:
            return self._problem(request, error), error.description or error.name

    def _allow(self, request: Request, methods: tuple[str, ...]) -> None:
        if request.method not in methods:
            raise MethodNotAllowed(valid_methods=list(methods), description="use GET, or POST the form")

    def health(self, request: Request) -> tuple[Response, str]:
        self._allow(request, _PAGE_METHODS)
        ok = self._writable()
        body = {"status": "ok" if ok else "proposals folder not writable"}
        if self.notifications:
            body["outbox"] = self.notifications.counts().shown()
        response = Response(json.dumps(body), status=200 if ok else 503, mimetype=JSON)
        if not ok:
            response.headers["Retry-After"] = str(RETRY_AFTER_STORAGE)
        return response, body["status"]

    def ready(self, request: Request) -> tuple[Response, str]:
        """200 "ready", or 503 with one line per problem: a monitor needs the status code only."""
        self._allow(request, _PAGE_METHODS)
        counts = self.notifications.counts() if self.notifications else None
        problems = readiness_problems(self.site_dir, self._writable(), counts, self.notify_failing_seconds)
        body = "\n".join(problems) + "\n" if problems else "ready\n"
        response = Response(body, status=503 if problems else 200, mimetype="text/plain")
        response.headers["Cache-Control"] = "no-store"
        return response, "; ".join(problems) or "ready"

    def _writable(self) -> bool:
        """The store's writability: a probe (a small file written and fsynced) at most once a HEALTH_INTERVAL
        while all is well. A failure is probed again at once, and a failed save forgets the last good probe,
        so /healthz reports trouble (and recovery) without waiting."""
        with self._health_lock:
            checked, ok = self._health
            now = time.monotonic()
            if not ok or now - checked >= HEALTH_INTERVAL:
                ok = self.store.writable()
                self._health = (now, ok)
            return ok

    # -- the submission -------------------------------------------------------

    def submit(self, request: Request) -> tuple[Response, str]:
        if not is_allowed_origin(request.headers, self.origins, self.allowed_origins):
            return self._error(request, 403, "This request did not come from the site's own form; use the form."), (
                "cross-origin"
            )
        if "CONTENT_LENGTH" in request.environ and "HTTP_TRANSFER_ENCODING" in request.environ:
            # Two framings: a proxy in front may have read the body by the other one (request smuggling).
            # Closing the connection is the server's part (PEP 3333 keeps hop-by-hop headers from apps):
            # `impart serve` refuses such a request before it reaches here (impart.serve.hardened_server).
            message = "The request gives both Content-Length and Transfer-Encoding; send one of them."
            return self._error(request, 400, message), "two framings"
        try:
            submitted = parse_form_body(request.environ, self.max_body, self.known_fields)
        except UnknownFields as error:
            return self._form_changed(request, error), "unknown field"
        outcome = validate(self.form, submitted)
        if sum(len(value.encode("utf-8")) for value in submitted.values()) > self.max_answers:
            return self._too_long(request, outcome), "answers over the limit"
        if not outcome.ok:
            # Before the honeypot: a bot's answers are bounded and checked like anyone's.
            return self._invalid(request, outcome), "invalid: " + ",".join(outcome.errors)
        client = request.remote_addr or "unknown"
        try:
            if outcome.honeypot_filled:
                # Answered like a success, so the sender learns nothing; kept apart from real proposals.
                self._admit(client)
                reference = self.store.quarantine(
                    outcome.values, version=self.form.version, came_from=outcome.came_from, reason="honeypot filled"
                )
                return self._success(request, reference), "quarantined"
            saved = self.store.save(
                outcome.values,
                version=self.form.version,
                came_from=outcome.came_from,
                fingerprint=outcome.fingerprint(self.form.version),
                admit=lambda: self._admit(client),
            )
            return self._success(request, saved.reference), saved.reference + (" duplicate" if saved.duplicate else "")
        except RateLimited as limited:
            wait = retry_in_words(limited.retry_after)
            message = f"You have sent several requests in a short time; send the form again in {wait}."
            response = self._error(request, 429, message)
            response.headers["Retry-After"] = str(limited.retry_after)
            return response, "rate-limited"
        except StorageError as error:
            self._health = (float("-inf"), False)
            return self._unavailable(request, outcome), f"storage: {error.strerror}"

    def _admit(self, client: str) -> None:
        if self.limiter:
            try:
                self.limiter.admit(client)
            except OSError as error:  # the state folder is on the same disk as the proposals
                raise StorageError(error.errno, f"could not check the rate limit: {error.strerror}") from error

    # -- answers ----------------------------------------------------------------

    def _wants_json(self, request: Request) -> bool:
        accept = request.headers.get("Accept", "")
        # Only a client that names JSON gets it: browsers' Accept headers never do, and skip the parse.
        return JSON in accept and request.accept_mimetypes.best_match([JSON, "text/html"]) == JSON

    def _success(self, request: Request, reference: str) -> Response:
        if self._wants_json(request):
            return Response(json.dumps({"reference": reference}), status=201, mimetype=JSON)
        response = Response("", status=303)
        response.headers["Location"] = f"{self.settings.thanks}?ref={reference}"
        return response

    def _invalid(self, request: Request, outcome) -> Response:
        if self._wants_json(request):
            return Response(json.dumps({"errors": outcome.errors}), status=422, mimetype=JSON)
        page = self.pages.form_page(outcome.values, outcome.errors, outcome.came_from)
        return self._html(page, 422)

    def _too_long(self, request: Request, outcome) -> Response:
        """Nothing is stored; the prospect gets the form back with the answers and what to shorten."""
        problem = (
            f"Your answers come to more than the {self.max_answers // 1024} KiB the form takes, and nothing was "
            "stored: shorten the longest answers below and send them again."
        )
        if self._wants_json(request):
            return Response(json.dumps({"error": problem, "errors": outcome.errors}), status=413, mimetype=JSON)
        return self._html(self.pages.form_page(outcome.values, outcome.errors, outcome.came_from, problem=problem), 413)

    def _form_changed(self, request: Request, error: UnknownFields) -> Response:
        """Nothing is stored; without JavaScript the prospect gets the current form with the answers it still has."""
        if self._wants_json(request):
            return Response(json.dumps({"error": error.description}), status=400, mimetype=JSON)
        problem = "This form has changed since the page was opened: check your answers below and send them again."
        outcome = validate(self.form, error.known)
        return self._html(self.pages.form_page(outcome.values, {}, outcome.came_from, problem=problem), 400)

    def _unavailable(self, request: Request, outcome) -> Response:
        problem = STORAGE_PROBLEM.format(contact=self.settings.contact)
        if self._wants_json(request):
            response = Response(json.dumps({"error": problem}), status=503, mimetype=JSON)
        else:
            response = self._html(self.pages.form_page(outcome.values, {}, outcome.came_from, problem=problem), 503)
        response.headers["Retry-After"] = str(RETRY_AFTER_STORAGE)
        return response

    def _error(self, request: Request, status: int, message: str) -> Response:
        if self._wants_json(request):
            return Response(json.dumps({"error": message}), status=status, mimetype=JSON)
        return self._html(self.pages.plain(TITLES.get(status, "Something went wrong"), message), status)

    def _problem(self, request: Request, error: HTTPException) -> Response:
        status = error.code or 500
        if status == 404:
            response = self._html(self.pages.plain("Page not found", "There is no page at this address."), 404)
        else:
            response = self._error(request, status, error.description or error.name)
        if isinstance(error, MethodNotAllowed):
            response.headers["Allow"] = ", ".join(error.valid_methods or ())
        return response

    def _html(self, body: str, status: int) -> Response:
        response = Response(body, status=status, content_type=HTML)
        response.headers["Cache-Control"] = "no-store"
        response.headers["Content-Security-Policy"] = CONTENT_SECURITY_POLICY
        response.headers["X-Frame-Options"] = "DENY"  # for browsers older than frame-ancestors
        return response

    def _came_from(self, request: Request) -> str:
        came_from = request.args.get("from", "")
        return came_from if is_site_path(came_from) else ""


def _one_line(text: str) -> str:
    return text.encode("unicode_escape").decode("ascii")[:200]


@dataclass(frozen=True)
class IntakeParts:
    """What the handler and `impart proposals notify` both set up from mkdocs.yml: the form, the store, the sender."""

    site: object  # impart.settings.SiteSettings
    settings: IntakeSettings
    source: Path  # the intake page holding the form definition
    form: FormDefinition | None  # None only when asked to tolerate a broken definition
    store: ProposalStore
    notifications: Notifications


def intake_parts(config_file: Path, store: ProposalStore, notify: dict | None = None, *, form_required: bool = True):
    """The settings, form and notifications for the site `config_file` (its mkdocs.yml) describes, over `store`.

    Without `form_required`, a broken form definition leaves `form` None and the mail names each
    answer by its field name (what `impart proposals notify` wants: it sends what is owed regardless).
    """
    from impart.intake.settings import intake_settings
    from impart.settings import load_settings

    site = load_settings(config_file)
    settings = intake_settings(site.extra, site.site_url)
    try:
        source, form = site_form(site)
    except FormDefinitionError:
        if form_required:
            raise
        source, form = site.docs_dir / settings.page_source, None
    labels = form.labels if form else {}
    notifications = notifications_for(store, site.extra, contact=settings.contact, labels=labels, overrides=notify)
    return IntakeParts(site, settings, source, form, store, notifications)


def create_app(
    project: Path,
    *,
    site_dir: Path,
    proposals_dir: Path,
    allowed_origins: Iterable[str] = (),
    origins: Iterable[str] = (),
    rate_limit: tuple[int, int] | None = parse_rate(DEFAULT_RATE),
    max_body: int = MAX_BODY,
    max_answers: int = MAX_ANSWERS,
    fallback: Callable | None = None,
    reload_definition: bool = False,
    notify: dict | None = None,
) -> IntakeApp:
    """The handler for the project whose mkdocs.yml is in `project`; paths come from here, never from requests.

    `origins` are the addresses the handler answers for; without them, `site_url`'s origin.
    `notify`: command-line overrides of `extra.intake.notify` (see impart.intake.notify_settings).
    """
    store = ProposalStore(Path(proposals_dir))
    store.prepare()
    parts = intake_parts(Path(project) / "mkdocs.yml", store, notify)
    site, settings, source, form = parts.site, parts.settings, parts.source, parts.form
    notifications = parts.notifications
    limiter = None
    if rate_limit:
        limiter = RateLimiter(own_folder(store.root, STATE, "ratelimit"), *rate_limit)
    return IntakeApp(
        form=form,
        settings=settings,
        store=store,
        pages=IntakePages(Path(site_dir), site.root / site.custom_dir, settings, form),
        limiter=limiter,
        origins=tuple(origins) or ((origin_of(site.site_url),) if site.site_url else ()),
        allowed_origins=tuple(allowed_origins),
        max_body=max_body,
        max_answers=max_answers,
        fallback=fallback,
        definition_source=source if reload_definition else None,
        notifications=notifications,
        site_dir=Path(site_dir),
        notify_failing_seconds=site.extra.health.notify_failing_minutes * 60,
    )
