"""Settings: one frozen object, read from ``CABLEROUTER_*`` environment variables here only.

Everything else receives a :class:`Settings` as a parameter. ``load_settings`` takes the
environment mapping as an argument, so tests pass a plain dict.

Each field's environment variable is ``CABLEROUTER_`` + the field name in upper case
(``bootstrap_servers`` -> ``CABLEROUTER_BOOTSTRAP_SERVERS``). Lists are comma-separated.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Annotated, Literal

import msgspec

from cablerouter.errors import CableRouterError

__all__ = ("ENV_PREFIX", "ConfigError", "Settings", "load_settings", "settings_help")

ENV_PREFIX = "CABLEROUTER_"

PositiveInt = Annotated[int, msgspec.Meta(ge=1)]
Port = Annotated[int, msgspec.Meta(ge=1, le=65535)]
TopicName = Annotated[str, msgspec.Meta(pattern=r"^[A-Za-z0-9._-]{1,249}$")]


class ConfigError(CableRouterError):
    """An environment variable has an invalid value; the message names it."""


class Settings(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """Runtime settings of the router and the CLI.

    Parameters
    ----------
    bootstrap_servers
        Kafka bootstrap servers, ``host:port[,host:port]`` (default ``127.0.0.1:19092``,
        the local broker of ``deploy/kafka/local-kafka``).
    app_id
        Faust application id; also the consumer group of the workers (``cablerouter``).
    raw_topic, raw_partitions
        Input topic of raw cable bytes (``cables.raw``) and its partition count when the
        router creates it (``4``).
    deadletter_topic
        Rejected input with its reason in headers (``cables.deadletter``).
    routed_topic
        One audit record per routed cable (``cables.routed``).
    directory_topic
        Compacted topic of live routing-directory updates (``cables.directory``).
    topic_prefix
        Prefix of per-addressee topics (``cables.to.``).
    topic_partitions, topic_replication
        Partitions and replication factor of topics the router creates (``1``, ``1``).
    max_topics
        Most addressee topics one worker may create (``10000``); a cable that needs more is
        dead-lettered with reason ``topic_limit``.
    max_cable_bytes, max_addressees
        Input limits; breaking one dead-letters the cable (``1000000``, ``2000``). The
        dead letter carries the original bytes, so ``max_cable_bytes`` plus ~5 KB of
        headers must fit the broker's ``message.max.bytes`` (1,048,588 by default).
    max_delivery_bytes
        Largest enriched message the router writes (``1000000``); a cable whose deliveries
        would be larger is dead-lettered (``delivery_too_large``) instead of being refused
        by the broker, which no retry would cure. Keep it below the broker's (or the
        addressee topics') ``max.message.bytes``.
    batch_size, batch_seconds
        The agent takes up to ``batch_size`` cables or waits ``batch_seconds`` (``500``,
        ``0.05``) and produces their deliveries together.
    agent_concurrency
        Batches in flight at once (``2``): one is decoded while another's transaction is
        committed. Batches are committed in input order, each input partition's part in
        its own transaction.
    decode_processes
        Child processes that decode, resolve and encode cables, so that this work does not
        compete with consuming and producing for the worker's one Python thread (``1``;
        ``0``: in the worker's event loop, for a worker limited to one core). On a 2-core
        machine shared with the broker, one child routed about 30 % more deliveries per
        second than none (6 of 6 paired rounds); two were slower than one
        (``bench/RESULTS.md``).
    linger_ms, compression
        Producer batching delay (``5``) and compression (``none``; ``gzip`` needs nothing
        extra).
    fetch_max_wait_ms
        Longest time the broker may hold the worker's fetch for input that has not arrived
        (``50``). The consumer has one fetch in flight at a time, so while the broker holds
        one for partitions that ran dry, partitions with input waiting are not fetched
        either: a long wait stalls bursts (Faust's own setting is 1,500 ms).
    max_message_bytes
        The broker's ``message.max.bytes`` (``1048588``, Kafka's default): a dead letter
        (original bytes plus headers) that would not fit keeps its headers and a truncated
        value, with the original length and SHA-256 in headers.
    topic_min_insync_replicas
        ``min.insync.replicas`` of topics the router creates (``1``; use 2 with
        replication 3).
    session_timeout_seconds, heartbeat_seconds
        Consumer-group session timeout and heartbeat interval (``10``, ``1``): a worker
        killed hard loses its input partitions to the others after the session timeout.
    transaction_timeout_seconds
        Longest a routing transaction may stay open before the broker aborts it (``30``).
    stage_retry_seconds
        How long creating topics or producing is retried (with back-off) before the batch's
        transactions are aborted and the worker stops with exit status 75 (``60``).
    shutdown_seconds
        Longest a graceful stop (SIGTERM) may take; after it the worker exits anyway
        (``10``; nothing is lost: unfinished transactions are aborted and re-read).
    state_dir
        Where Faust keeps its data directory (empty: ``cablerouter`` under the system's
        temporary directory, outside the working tree).
    directory_file
        Operator routing directory (YAML or JSON); empty means the built-in default.
    web_host, web_port
        Where ``/metrics``, ``/healthz`` and ``/readyz`` are served (``127.0.0.1``, ``6066``).
    stall_seconds
        ``/readyz`` turns red when lag is above zero and no offset advanced for this long
        (``30``).
    metric_addressees_max
        Distinct addressees that get their own ``addressee`` label value in delivery
        metrics; later ones are counted as ``other`` (``50``).
    on_internal_error
        What an unexpected exception (a bug, not bad input) does: ``deadletter`` (send the
        cable to the dead-letter topic with reason ``internal_error`` and go on) or
        ``crash`` (stop the worker without committing, so the cable is re-read).
    unreadable_addressee
        What a cable with an addressee line the decoder cannot read does: ``deliver`` (to
        the addressees it can read; the audit record lists the unreadable lines) or
        ``deadletter`` (reason ``unreadable_addressee``, for an operator to look first).
    log_level, log_format
        ``INFO``; ``json`` (one object per line) or ``text``.
    """

    bootstrap_servers: str = "127.0.0.1:19092"
    app_id: TopicName = "cablerouter"
    raw_topic: TopicName = "cables.raw"
    raw_partitions: PositiveInt = 4
    deadletter_topic: TopicName = "cables.deadletter"
    routed_topic: TopicName = "cables.routed"
    directory_topic: TopicName = "cables.directory"
    topic_prefix: Annotated[str, msgspec.Meta(pattern=r"^[a-z0-9._-]{1,100}$")] = "cables.to."
    topic_partitions: PositiveInt = 1
    topic_replication: PositiveInt = 1
    max_topics: PositiveInt = 10_000
    max_cable_bytes: PositiveInt = 1_000_000
    max_delivery_bytes: PositiveInt = 1_000_000
    max_addressees: PositiveInt = 2_000
    batch_size: PositiveInt = 500
    batch_seconds: Annotated[float, msgspec.Meta(gt=0, le=60)] = 0.05
    agent_concurrency: Annotated[int, msgspec.Meta(ge=1, le=16)] = 2
    decode_processes: Annotated[int, msgspec.Meta(ge=0, le=64)] = 1
    linger_ms: Annotated[int, msgspec.Meta(ge=0, le=10_000)] = 5
    compression: Literal["none", "gzip"] = "none"
    fetch_max_wait_ms: Annotated[int, msgspec.Meta(ge=0, le=10_000)] = 50
    max_message_bytes: Annotated[int, msgspec.Meta(ge=10_000)] = 1_048_588
    topic_min_insync_replicas: PositiveInt = 1
    session_timeout_seconds: Annotated[float, msgspec.Meta(ge=1, le=300)] = 10.0
    heartbeat_seconds: Annotated[float, msgspec.Meta(gt=0, le=60)] = 1.0
    transaction_timeout_seconds: Annotated[float, msgspec.Meta(ge=1, le=900)] = 30.0
    stage_retry_seconds: Annotated[float, msgspec.Meta(gt=0, le=3600)] = 60.0
    shutdown_seconds: Annotated[float, msgspec.Meta(gt=0, le=600)] = 10.0
    state_dir: str = ""
    directory_file: str = ""
    web_host: str = "127.0.0.1"
    web_port: Port = 6066
    stall_seconds: Annotated[float, msgspec.Meta(gt=0)] = 30.0
    metric_addressees_max: Annotated[int, msgspec.Meta(ge=0, le=1000)] = 50
    on_internal_error: Literal["deadletter", "crash"] = "deadletter"
    unreadable_addressee: Literal["deliver", "deadletter"] = "deliver"
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"
    log_format: Literal["json", "text"] = "json"

    def replace(self, **changes: object) -> Settings:
        """Return a copy with ``changes`` applied (validated like the environment)."""
        return msgspec.convert(
            {**msgspec.structs.asdict(self), **changes}, Settings, strict=False
        )


def load_settings(environ: Mapping[str, str]) -> Settings:
    """Build :class:`Settings` from ``CABLEROUTER_*`` entries of ``environ``.

    Raises
    ------
    ConfigError
        An unknown ``CABLEROUTER_*`` variable, or a value of the wrong type or range; the
        message names the variable.
    """
    fields = set(Settings.__struct_fields__)
    raw: dict[str, str] = {}
    for key, value in environ.items():
        if not key.startswith(ENV_PREFIX):
            continue
        name = key[len(ENV_PREFIX):].lower()
        if name not in fields:
            raise ConfigError("unknown_setting", f"Unknown setting `{key}`")
        raw[name] = value
    try:
        return msgspec.convert(raw, Settings, strict=False)
    except msgspec.ValidationError as exc:
        # msgspec says "... - at `$.field`": name the environment variable instead.
        message = str(exc)
        if " - at `$." in message:
            message, _, path = message.rpartition(" - at `$.")
            message = f"{message} - in `{ENV_PREFIX}{path.rstrip('`').upper()}`"
        raise ConfigError("invalid_setting", message) from None


def settings_help() -> str:
    """A table of every setting's environment variable and default, for ``--help``."""
    defaults = Settings()
    rows = [
        f"  {ENV_PREFIX}{name.upper():<28} {getattr(defaults, name)!r}"
        for name in Settings.__struct_fields__
    ]
    return "environment (default):\n" + "\n".join(rows)
