from cablerouter.router.progress import Progress

RAW = "cables.raw"


def test_not_ready_until_directory_loaded_and_partitions_assigned() -> None:
    p = Progress(stall_seconds=30)
    assert p.readiness(0).reason == "routing directory not loaded yet"
    p.directory_loaded = True
    assert p.readiness(0).reason == "no input partitions assigned"
    p.assign({(RAW, 0), (RAW, 1)}, now=0)
    r = p.readiness(1)
    assert r.ready and r.assigned == 2 and r.lag == 0


def test_stalled_partition_with_lag_turns_red_and_recovers_on_progress() -> None:
    p = Progress(stall_seconds=30)
    p.directory_loaded = True
    p.assign({(RAW, 0)}, now=0)
    p.processed(RAW, 0, 9, now=5)
    assert p.observe_highwater(RAW, 0, highwater=50, position=None) == 40
    assert p.readiness(20).ready  # lag, but it advanced 15 s ago
    r = p.readiness(40)
    assert not r.ready and r.stalled == ["cables.raw[0]"] and r.lag == 40
    p.processed(RAW, 0, 30, now=41)
    assert p.readiness(42).ready


def test_idle_partition_without_lag_stays_ready() -> None:
    p = Progress(stall_seconds=30)
    p.directory_loaded = True
    p.assign({(RAW, 0)}, now=0)
    p.processed(RAW, 0, 9, now=0)
    assert p.observe_highwater(RAW, 0, highwater=10, position=None) == 0
    assert p.readiness(1000).ready


def test_lag_of_untouched_partition_counts_from_the_consumer_position() -> None:
    p = Progress(stall_seconds=30)
    assert p.observe_highwater(RAW, 3, highwater=100, position=60) == 40
    assert p.observe_highwater(RAW, 4, highwater=100, position=None) == 100
    p.processed(RAW, 3, 79, now=1)
    assert p.observe_highwater(RAW, 3, highwater=100, position=95) == 20  # routed, not fetched


def test_offsets_never_go_backwards() -> None:
    p = Progress(stall_seconds=30)
    p.processed(RAW, 0, 10, now=1)
    p.processed(RAW, 0, 5, now=2)
    assert p.next_offset(RAW, 0) == 11
