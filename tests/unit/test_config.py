import msgspec
import pytest

from cablerouter.config import ConfigError, Settings, load_settings, settings_help


def test_defaults_from_empty_environment() -> None:
    s = load_settings({})
    assert s == Settings()
    assert s.raw_topic == "cables.raw"
    assert s.bootstrap_servers == "127.0.0.1:19092"


def test_values_are_converted_and_other_variables_ignored() -> None:
    s = load_settings({
        "CABLEROUTER_RAW_PARTITIONS": "8",
        "CABLEROUTER_BATCH_SECONDS": "0.2",
        "CABLEROUTER_BOOTSTRAP_SERVERS": "a:1,b:2",
        "HOME": "/root",
    })
    assert (s.raw_partitions, s.batch_seconds, s.bootstrap_servers) == (8, 0.2, "a:1,b:2")


def test_unknown_setting_is_named() -> None:
    with pytest.raises(ConfigError, match="Unknown setting `CABLEROUTER_RAW_TOPICS`"):
        load_settings({"CABLEROUTER_RAW_TOPICS": "x"})


@pytest.mark.parametrize(
    ("key", "value", "match"),
    [
        ("CABLEROUTER_RAW_PARTITIONS", "zero", r"Expected `int`.* - in `CABLEROUTER_RAW_PARTITIONS`"),
        ("CABLEROUTER_RAW_PARTITIONS", "0", r"Expected `int` >= 1 - in `CABLEROUTER_RAW_PARTITIONS`"),
        ("CABLEROUTER_RAW_TOPIC", "bad topic!", r"in `CABLEROUTER_RAW_TOPIC`"),
        ("CABLEROUTER_ON_INTERNAL_ERROR", "ignore", r"in `CABLEROUTER_ON_INTERNAL_ERROR`"),
    ],
)
def test_invalid_values_name_the_variable(key: str, value: str, match: str) -> None:
    with pytest.raises(ConfigError, match=match):
        load_settings({key: value})


def test_replace_validates() -> None:
    assert Settings().replace(web_port=7000).web_port == 7000
    with pytest.raises(msgspec.ValidationError, match=r"Expected `int` >= 1 - at `\$\.web_port`"):
        Settings().replace(web_port=0)


def test_help_lists_every_setting() -> None:
    text = settings_help()
    for name in Settings.__struct_fields__:
        assert f"CABLEROUTER_{name.upper()}" in text
