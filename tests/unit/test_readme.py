"""The README documents every setting and gives exactly the two set-up commands CI uses."""

import pathlib
import re

from cablerouter.config import ENV_PREFIX, Settings

REPO = pathlib.Path(__file__).resolve().parents[2]
README = (REPO / "README.md").read_text()


def test_every_setting_is_documented_with_its_default() -> None:
    defaults = Settings()
    for name in Settings.__struct_fields__:
        var = f"{ENV_PREFIX}{name.upper()}"
        row = next((line for line in README.splitlines() if line.startswith(f"| `{var}`")), None)
        assert row is not None, f"{var} missing from the README's configuration table"
        default = getattr(defaults, name)
        if default != "":
            text = f"{default:g}" if isinstance(default, float) else str(default)
            assert f"`{text}`" in row, f"README default of {var} is not `{text}`: {row}"


def test_readme_set_up_commands_and_ci_agree() -> None:
    section = README.split("## Set up and run", 1)[1].split("\n## ", 1)[0]
    commands = re.findall(r"```sh\n(.*?)\n```", section, flags=re.S)
    assert commands == ["deploy/demo", "deploy/test"]
    assert "deploy/test" in (REPO / ".ci" / "run").read_text()


def test_every_metric_and_reason_is_documented() -> None:
    from prometheus_client import CollectorRegistry

    from cablerouter.metrics import DEAD_LETTER_REASONS, RouterMetrics

    for metric in RouterMetrics(CollectorRegistry()).registry.collect():
        suffix = {"counter": "_total", "info": "_info"}.get(metric.type, "")
        documented = metric.name + suffix
        assert f"`{documented}`" in README, f"{documented} missing from the README"
    for reason in DEAD_LETTER_REASONS:
        assert f"`{reason}`" in README, reason
