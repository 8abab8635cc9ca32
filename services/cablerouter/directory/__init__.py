"""Routing directory and distribution lists (pure: no file, network or Kafka access).

A :class:`Directory` snapshot (stations, addressees, collectives) is built from an operator
file with :func:`parse_directory`, from the shipped default data by
:func:`cablerouter.directory_files.load_default_directory`, or from the records of the
compacted ``cables.directory`` topic with :func:`apply_update`. :func:`resolve_distribution`
turns a decoded cable into its :class:`DistributionList`; :func:`topic_for` names the topic
of each addressee.
"""

from cablerouter.directory.default import build_default_directory
from cablerouter.directory.index import Directory, entry_key
from cablerouter.directory.model import (
    CLEARANCES,
    AddresseeEntry,
    Alias,
    Clearance,
    CollectiveEntry,
    Delivery,
    DirectoryDocument,
    DirectoryEntry,
    DistributionList,
    Exemption,
    Member,
    ResolutionRule,
    Role,
    Station,
)
from cablerouter.directory.parse import directory_document, parse_directory, validate_directory
from cablerouter.directory.resolve import Resolution, resolve_distribution, resolve_line
from cablerouter.directory.topic import DEFAULT_TOPIC_PREFIX, MAX_TOPIC_LENGTH, topic_for
from cablerouter.directory.update import (
    UpdatePlan,
    apply_update,
    apply_updates,
    decode_entry,
    directory_records,
    encode_entry,
    plan_updates,
)

__all__ = (
    "CLEARANCES",
    "DEFAULT_TOPIC_PREFIX",
    "MAX_TOPIC_LENGTH",
    "AddresseeEntry",
    "Alias",
    "Clearance",
    "CollectiveEntry",
    "Delivery",
    "Directory",
    "DirectoryDocument",
    "DirectoryEntry",
    "DistributionList",
    "Exemption",
    "Member",
    "Resolution",
    "ResolutionRule",
    "Role",
    "Station",
    "UpdatePlan",
    "apply_update",
    "apply_updates",
    "build_default_directory",
    "decode_entry",
    "directory_document",
    "directory_records",
    "encode_entry",
    "entry_key",
    "parse_directory",
    "plan_updates",
    "resolve_distribution",
    "resolve_line",
    "topic_for",
    "validate_directory",
)
