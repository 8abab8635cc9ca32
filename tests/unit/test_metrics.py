from prometheus_client import CollectorRegistry, generate_latest

from cablerouter.metrics import RouterMetrics


def test_names_follow_prometheus_conventions() -> None:
    registry = CollectorRegistry()
    m = RouterMetrics(registry)
    m.consumed.inc()
    m.dead_lettered.labels("empty_input").inc()
    m.end_to_end_seconds.observe(0.2)
    text = generate_latest(registry).decode()
    assert "cablerouter_consumed_cables_total 1.0" in text
    assert 'cablerouter_dead_lettered_cables_total{reason="empty_input"} 1.0' in text
    assert "cablerouter_end_to_end_seconds_bucket" in text
    for line in text.splitlines():
        if line.startswith("# TYPE"):
            _, _, name, kind = line.split()
            assert name.startswith("cablerouter_")
            if kind == "counter":
                assert not name.endswith("_total_total")


def test_addressee_labels_are_bounded() -> None:
    m = RouterMetrics(CollectorRegistry(), max_addressees=3)
    labels = {m.addressee_label(f"invented-{i}") for i in range(10_000)}
    assert labels == {"invented-0", "invented-1", "invented-2", "other"}
    assert m.addressee_label("invented-1") == "invented-1"


def test_two_instances_do_not_share_a_registry() -> None:
    RouterMetrics(CollectorRegistry())
    RouterMetrics(CollectorRegistry())  # would raise "Duplicated timeseries" on a shared one
