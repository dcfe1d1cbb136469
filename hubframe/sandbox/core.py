"""``Sandbox``: the portal behind a real HTTP server, and the Python helpers for tests."""

from __future__ import annotations

import numbers
import secrets
import threading
from collections.abc import Iterable, Sequence
from types import TracebackType
from typing import Any

import pandas as pd

from hubframe.argtypes import MAX_SECONDS, is_seconds, is_whole
from hubframe.redaction import forget_secret, register_secret
from hubframe.sandbox import demo
from hubframe.sandbox.behaviour import Behaviour, BehaviourSpec, resolve
from hubframe.sandbox.faults import FaultPlan
from hubframe.sandbox.objects import ObjectKind
from hubframe.sandbox.portal import AssocDef, Portal
from hubframe.sandbox.ratelimit import RateLimiter
from hubframe.sandbox.rehearse import Rehearsal, rehearse
from hubframe.sandbox.server import App, SandboxHTTPServer
from hubframe.tokens import token_problem

ALL_SCOPES = None  # a token with scopes None may do everything

ASSOCIATION_COLUMNS = ("from_id", "to_id", "category", "type_id")
LIMIT_COLUMNS = ("from_type", "to_type", "category", "type_id", "label", "max_to_object_ids")
LOG_COLUMNS = ("method", "path", "status", "inputs", "started", "finished", "body_sha1")


def _daily_limit(value: int | None) -> int | None:
    """A daily request limit: a whole number, 0 or more (0: the day's quota is used up, every
    request is refused as HubSpot refuses it then), or None for none.  A negative one was taken
    as 0 by the constructor (every request refused) without a word."""
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < 0:
        raise ValueError(
            f"daily_limit must be a whole number, 0 or more (0: the day's quota is used up), "
            f"or None; not {value!r}"
        )
    return int(value)


def _new_token() -> str:
    return f"pat-na1-{secrets.token_hex(4)}-{secrets.token_hex(2)}-{secrets.token_hex(6)}"


class Sandbox:
    """A local fake of HubSpot's associations APIs on ``http://127.0.0.1:<port>``.

    Use as a context manager (``with Sandbox() as sb:``) or call :meth:`start` and
    :meth:`stop`.  All helper methods are thread-safe and bypass auth, rate limits and faults.

    ``behaviour`` picks what the sandbox does where HubSpot does not document it: a preset name
    (``"default"``, ``"hostile"``, ``"observed"``), a
    :class:`~hubframe.sandbox.behaviour.Behaviour`, or a mapping of switches (see
    docs/sandbox.md).  Helper methods take and return the type ids the portal shows.
    """

    def __init__(
        self,
        *,
        seed: str | None = "demo",
        token: str | None = None,
        rate_limit: tuple[int, float] | None = None,
        daily_limit: int | None = None,
        association_rate_limit: tuple[int, float] | None = None,
        latency: tuple[float, float] | None = None,
        faults: dict[str, Any] | None = None,
        port: int = 0,
        behaviour: BehaviourSpec = None,
    ) -> None:
        if seed not in ("demo", None):
            raise ValueError(f"unknown seed {seed!r}: use 'demo' or None")
        self.seed = seed
        self.portal = Portal(portal_id=demo.PORTAL_ID, behaviour=resolve(behaviour))
        if seed == "demo":
            with self.portal.lock:
                demo.populate(self.portal)
        if token is not None and not token.strip():
            raise ValueError("token must not be empty: give a token, or None for a random one")
        problem = token_problem(token) if token is not None else None
        if problem is not None:  # no client could send it: a sandbox no one can reach
            raise ValueError(f"token: {problem}")
        self.token = token or _new_token()
        self._made: list[str] = [] if token else [self.token]  # tokens it made (made_tokens)
        limiter = RateLimiter(daily_limit=_daily_limit(daily_limit), enforce=rate_limit is not None)
        if rate_limit is not None:
            limiter.max_requests, limiter.window_s = _budget(rate_limit, "rate_limit")
        if association_rate_limit is not None:
            limiter.association_limit = _budget(association_rate_limit, "association_rate_limit")
        if latency is not None and not _latency_ok(latency):
            raise ValueError(
                f"latency must be (base_s, per_input_s), each from 0 to {MAX_SECONDS}, "
                f"not {latency!r}"
            )
        self._app = App(
            self.portal,
            {self.token: ALL_SCOPES},
            limiter,
            FaultPlan.from_dict(faults),
            latency,
        )
        self._port = port
        self.rehearsal: Rehearsal | None = None  # what from_pairs made
        self._server: SandboxHTTPServer | None = None
        self._thread: threading.Thread | None = None

    @classmethod
    def from_pairs(cls, pairs: Any, *, seed: str | None = None, **kwargs: Any) -> Sandbox:
        """A sandbox (not started yet) holding the records and labels a sheet names, so a run
        of that sheet can be rehearsed: a rehearsal of your own ids.

        ``pairs``: a frame of :func:`hubframe.read_pairs` (or ``read_limits``: its labels; or a
        result table).  Record ids become records, emails and domains (sides named by a unique
        property) records with that property, labels the pairs lack USER_DEFINED labels, and
        unknown custom object type ids and p_ names custom objects; see
        :mod:`hubframe.sandbox.rehearse`.
        ``seed``: start from an empty portal (None, the default) or the demo one (``"demo"``);
        other keyword arguments as for :class:`Sandbox`.  What was made is in
        ``sb.rehearsal`` (``sb.rehearsal.describe()``: "42 records (...) and 2 labels").
        """
        sb = cls(seed=seed, **kwargs)
        sb.add_sheet(pairs)
        return sb

    def add_sheet(self, pairs: Any) -> Rehearsal:
        """Add the records and labels a sheet names (as :meth:`from_pairs` does) to this
        sandbox, running or not; what is there already is left alone.  Returns what was made
        now; ``sb.rehearsal`` adds up every sheet added."""
        with self.portal.lock:
            made = rehearse(self.portal, pairs)
            total = self.rehearsal or Rehearsal()
            for name, count in made.records.items():
                total.records[name] = total.records.get(name, 0) + count
            total.labels += made.labels
            total.custom_objects += made.custom_objects
            self.rehearsal = total
        return made

    # --- lifecycle --------------------------------------------------------------------------

    def start(self) -> Sandbox:
        """Serve on 127.0.0.1; the tokens it made are redacted while it runs
        (:func:`hubframe.redaction.register_secret`)."""
        if self._server is not None:
            return self
        for token in self.made_tokens():
            register_secret(token)
        self._server = SandboxHTTPServer(self._port, self._app)
        self._thread = threading.Thread(
            target=self._server.serve_until_stopped,
            name=f"hubframe-sandbox-{self.port}",
            daemon=True,
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving, and stop redacting the tokens it made: they open nothing any more, and
        a process that kept every stopped sandbox's token (a notebook running a cell again, a
        test suite) would search every report it writes for all of them.  A token it was
        given (``Sandbox(token=...)``) may be one the process still uses: it stays."""
        for token in self.made_tokens():
            forget_secret(token)
        server, thread = self._server, self._thread
        if server is None:
            return
        server.stop_serving()
        self._app.cancel_timers()
        server.close_all()
        server.server_close()
        if thread is not None:
            thread.join(timeout=5)
        self._server = self._thread = None

    def __enter__(self) -> Sandbox:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    @property
    def port(self) -> int:
        if self._server is None:
            raise RuntimeError("the sandbox is not running; call start() or use `with`")
        return int(self._server.server_address[1])

    @property
    def connections_opened(self) -> int:
        """TCP connections clients opened to the sandbox since it started (keep-alive reuse
        shows as requests on fewer connections)."""
        if self._server is None:
            raise RuntimeError("the sandbox is not running; call start() or use `with`")
        return self._server.accepted

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def behaviour(self) -> Behaviour:
        """The behaviour switches this sandbox was made with (fixed for its lifetime)."""
        return self.portal.behaviour

    def __repr__(self) -> str:
        where = self.url if self._server is not None else "stopped"
        name = self.behaviour.name() or "custom"
        return f"Sandbox(seed={self.seed!r}, behaviour={name!r}, url={where!r})"

    # --- set-up helpers ---------------------------------------------------------------------

    def _kind(self, object_type: str) -> ObjectKind:
        kind = self.portal.registry.resolve(str(object_type))
        if kind is None:
            raise ValueError(f"Unable to infer object type from: {object_type}")
        return kind

    def made_tokens(self) -> list[str]:
        """The tokens this sandbox made: its :attr:`token` unless one was given, and those of
        :meth:`create_token`."""
        with self.portal.lock:
            return list(self._made)

    def create_token(self, scopes: Iterable[str]) -> str:
        """A new token restricted to ``scopes`` (e.g. ``["crm.objects.deals.write"]``)."""
        token = _new_token()
        with self.portal.lock:
            self._app.tokens[token] = frozenset(scopes)
            self._made.append(token)
        if self._server is not None:
            register_secret(token)
        return token

    def add_records(
        self,
        object_type: str,
        ids: Iterable[int | str],
        properties: Sequence[dict[str, str]] | None = None,
    ) -> None:
        """Create records with these ids (and optional properties, one dict per id)."""
        ids = list(ids)
        if properties is not None and len(properties) != len(ids):
            raise ValueError("properties must hold one dict per id")
        with self.portal.lock:
            self.portal.add_records(self._kind(object_type), ids, properties)

    def add_unique_property(self, object_type: str, name: str) -> None:
        """Mark a record property as unique (``hasUniqueValue``), so it can be an ``idProperty``
        of the objects batch read (``email`` of contacts and ``domain`` of companies are)."""
        with self.portal.lock:
            kind = self._kind(object_type)
            self.portal.unique_properties.setdefault(kind.type_id, set()).add(name)

    def add_label(
        self, from_type: str, to_type: str, label: str, inverse_label: str | None = None
    ) -> int:
        """Create a USER_DEFINED label; returns the type id of the from -> to direction."""
        name = "".join(c if c.isascii() and c.isalnum() else "_" for c in label.lower())
        name = name.strip("_") or "label"
        if name[0].isdigit():
            name = f"label_{name}"
        with self.portal.lock:
            fk, tk = self._kind(from_type), self._kind(to_type)
            taken = {d.name for d in self.portal.definitions(fk, tk)}
            unique, n = name, 2
            while unique in taken:
                unique, n = f"{name}_{n}", n + 1
            created = self.portal.add_label(fk, tk, unique, label, inverse_label)
        return created[0].type_id

    def type_id(self, from_type: str, to_type: str, label: str | None = None) -> int:
        """The type id of a label (None: the unlabeled type) from ``from_type`` to ``to_type``:
        under ``type_ids="per_pair"`` user labels do not have the demo's global ids."""
        with self.portal.lock:
            fk, tk = self._kind(from_type), self._kind(to_type)
            for d in self.portal.definitions(fk, tk):
                if d.label == label:
                    return d.type_id
        raise ValueError(f"no association type labelled {label!r} from {fk.name} to {tk.name}")

    def _type(self, fk: ObjectKind, tk: ObjectKind, type_id: int | None) -> AssocDef:
        if type_id is None:
            d = self.portal.unlabeled(fk, tk)
        else:
            d = self.portal.def_by_type(fk, tk, int(type_id))
        if d is None:
            raise ValueError(f"no association type {type_id} from {fk.name} to {tk.name}")
        return d

    def associate(
        self,
        from_type: str,
        from_id: int | str,
        to_type: str,
        to_id: int | str,
        type_id: int | None = None,
    ) -> None:
        """Associate two existing records (unlabeled when ``type_id`` is None); limits are not
        enforced, so a test can set up a record that is already over its limit."""
        with self.portal.lock:
            fk, tk = self._kind(from_type), self._kind(to_type)
            pair = (int(from_id), int(to_id))
            for kind, record in ((fk, pair[0]), (tk, pair[1])):
                if not self.portal.has_record(kind, record):
                    raise ValueError(f"{kind.singular} {record} does not exist")
            d = self._type(fk, tk, type_id)
            types = [] if d.label is None and type_id is None else [d]
            self.portal.associate(fk, tk, pair, types, enforce=False)

    def set_limit(
        self,
        from_type: str,
        to_type: str,
        max_to_object_ids: int | None,
        *,
        type_id: int | None = None,
    ) -> None:
        """Configure (or with None remove) the limit of a type; the unlabeled one by default."""
        with self.portal.lock:
            d = self._type(self._kind(from_type), self._kind(to_type), type_id)
            if max_to_object_ids is None:
                self.portal.purge_limit(d)
            else:
                self.portal.limits[d.key] = int(max_to_object_ids)

    def set_faults(self, **faults: Any) -> None:
        """Replace the fault rates at runtime (same keys as the ``faults`` argument)."""
        plan = FaultPlan.from_dict(faults)
        with self.portal.lock:
            self._app.faults = plan

    def set_daily_limit(self, daily_limit: int | None) -> None:
        """Replace the daily request limit at runtime (None: none) and start a new day: the
        count of the day's requests starts again from 0 (as at midnight on HubSpot)."""
        daily_limit = _daily_limit(daily_limit)
        with self._app.gate:
            self._app.limiter.daily_limit = daily_limit
            self._app.limiter.new_day()

    def set_read_page_size(self, size: int) -> None:
        """Associations per input per batch/read page (HubSpot's size is not documented)."""
        with self.portal.lock:
            self.portal.read_page_size = int(size)

    def reset_request_log(self) -> None:
        with self._app.log_lock:
            self._app.log.clear()

    # --- inspection -------------------------------------------------------------------------

    def associations(self, from_type: str, to_type: str) -> pd.DataFrame:
        """One row per (from_id, to_id, type) in the from -> to direction."""
        rows: list[tuple[str, str, str, int]] = []
        with self.portal.lock:
            fk, tk = self._kind(from_type), self._kind(to_type)
            for from_id, targets in self.portal.links.get((fk.type_id, tk.type_id), {}).items():
                for to_id, keys in targets.items():
                    for key in keys:
                        d = self.portal.defs[key]
                        rows.append((str(from_id), str(to_id), d.category, d.type_id))
        rows.sort(key=lambda r: (int(r[0]), int(r[1]), r[3]))
        frame = pd.DataFrame(rows, columns=list(ASSOCIATION_COLUMNS))
        return frame.astype({"from_id": str, "to_id": str, "category": str, "type_id": "int64"})

    def limits(self, from_type: str | None = None, to_type: str | None = None) -> pd.DataFrame:
        """Configured limits, optionally for one object pair (either side may be given)."""
        rows = []
        with self.portal.lock:
            fk = self._kind(from_type).type_id if from_type is not None else None
            tk = self._kind(to_type).type_id if to_type is not None else None
            for d in self.portal.limited_defs():
                if fk not in (None, d.from_type) or tk not in (None, d.to_type):
                    continue
                a, b = (
                    self.portal.registry.by_id(d.from_type),
                    self.portal.registry.by_id(d.to_type),
                )
                limit = self.portal.limits[d.key]
                rows.append((a.name, b.name, d.category, d.type_id, d.label, limit))
        frame = pd.DataFrame(rows, columns=list(LIMIT_COLUMNS))
        return frame.astype({"type_id": "int64", "max_to_object_ids": "int64"})

    def labels(self, from_type: str, to_type: str) -> pd.DataFrame:
        """Every association type of the direction: category, type_id, label (None = unlabeled)."""
        with self.portal.lock:
            defs = self.portal.definitions(self._kind(from_type), self._kind(to_type))
            rows = [(d.category, d.type_id, d.label) for d in defs]
        frame = pd.DataFrame(rows, columns=["category", "type_id", "label"])
        return frame.astype({"type_id": "int64"})

    def request_log(self) -> pd.DataFrame:
        """Every request served (dropped ones with status 0), in arrival-completion order."""
        with self._app.log_lock:
            entries = list(self._app.log)
        rows = [
            (e.method, e.path, e.status, e.inputs, e.started, e.finished, e.body_sha1)
            for e in entries
        ]
        frame = pd.DataFrame(rows, columns=list(LOG_COLUMNS))
        return frame.astype(
            {"status": "int64", "inputs": "int64", "started": "float64", "finished": "float64"}
        )


def _budget(given: object, name: str) -> tuple[int, float]:
    """A rate limit argument: (max_requests >= 1, window_s above 0), or ValueError naming it."""
    if isinstance(given, tuple | list) and len(given) == 2:
        most, window = given
        if is_whole(most, minimum=1) and is_seconds(window):
            return int(most), float(window)
    raise ValueError(
        f"{name} must be (max_requests >= 1, window_s above 0 and at most {MAX_SECONDS}), "
        f"not {given!r}"
    )


def _latency_ok(latency: object) -> bool:
    """``latency=`` is (base_s, per_input_s), each 0 to :data:`MAX_SECONDS` seconds."""
    if not isinstance(latency, tuple | list) or len(latency) != 2:
        return False
    return all(is_seconds(part, zero=True) for part in latency)


__all__ = ["Sandbox"]
