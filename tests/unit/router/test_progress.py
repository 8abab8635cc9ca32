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


def ready_progress() -> Progress:
    p = Progress(stall_seconds=30)
    p.directory_loaded = True
    p.assign({(RAW, 0)}, now=0)
    return p


def test_a_batch_in_flight_longer_than_the_stall_time_turns_red() -> None:
    p = ready_progress()
    first, second = object(), object()
    p.batch_started(first, now=10)
    p.batch_started(second, now=25)
    p.batch_started(first, now=30)  # started again: keeps its first start
    assert p.oldest_batch_age(20) == 10
    assert p.readiness(40).ready  # 30 s is the limit, not over it
    r = p.readiness(41)
    assert not r.ready and r.failed == ["batch_stalled"] and r.oldest_batch_seconds == 31
    assert r.reason == "a batch has been in flight for 31 s (limit 30 s)"
    p.batch_finished(first)
    assert p.oldest_batch_age(41) == 16 and p.readiness(41).ready
    p.batch_finished(second)
    p.batch_finished(object())  # unknown: ignored
    assert p.oldest_batch_age(1000) == 0 and p.readiness(1000).ready


def test_oldest_batch_age_is_never_negative() -> None:
    p = Progress(stall_seconds=30)
    p.batch_started("t", now=5)
    assert p.oldest_batch_age(4) == 0


def test_producing_that_keeps_failing_turns_red_until_a_success() -> None:
    p = ready_progress()
    p.produce_failed(100, "KafkaTimeoutError()")
    assert p.readiness(100).ready
    for t in range(105, 130, 5):
        p.produce_failed(t, "KafkaTimeoutError()")
    assert p.readiness(129).ready  # failing for 29 s
    p.produce_failed(130, "NotEnoughReplicasError()")
    r = p.readiness(131)
    assert not r.ready and r.failed == ["produce_failing"]
    assert r.produce_error == "NotEnoughReplicasError()"
    assert r.reason == ("producing has failed for 31 s without a success (limit 30 s): "
                        "NotEnoughReplicasError()")
    p.produce_succeeded(132)
    assert p.readiness(132).ready
    p.produce_failed(140, "again")  # a new run of failures starts its own clock
    assert p.readiness(160).ready


def test_an_old_failure_that_was_not_repeated_does_not_count() -> None:
    p = ready_progress()
    p.produce_failed(0, "once")
    assert p.readiness(30).ready and p.readiness(31).ready and p.readiness(10_000).ready


def test_failures_that_stopped_long_ago_no_longer_count() -> None:
    p = ready_progress()
    for t in range(0, 45, 5):
        p.produce_failed(t, "err")
    assert not p.readiness(45).ready
    assert p.readiness(71).ready  # the last failure was 31 s ago


def test_unreachable_broker_turns_red_at_once_and_green_on_the_next_answer() -> None:
    p = ready_progress()
    assert p.readiness(1).ready  # not probed yet: nothing known, nothing claimed
    p.broker_reachable(True, now=1)
    assert p.readiness(2).ready
    p.broker_reachable(False, now=5, error="KafkaConnectionError('refused')")
    p.broker_reachable(False, now=10, error="TimeoutError()")
    r = p.readiness(12)
    assert not r.ready and r.failed == ["broker_unreachable"]
    assert r.reason == "broker unreachable for 7 s: TimeoutError()"
    assert r.broker_error == "TimeoutError()"
    p.broker_reachable(True, now=15)
    r = p.readiness(15)
    assert r.ready and r.broker_error == ""


def test_every_failed_rule_is_listed_most_fundamental_first() -> None:
    from cablerouter.router.progress import RULES

    p = Progress(stall_seconds=30)
    p.broker_reachable(False, now=0, error="")
    p.batch_started("b", now=0)
    for t in range(0, 60, 5):
        p.produce_failed(t, "e")
    r = p.readiness(60)
    assert r.failed == ["directory_not_loaded", "broker_unreachable", "no_partitions",
                        "batch_stalled", "produce_failing"]
    assert r.reason == "routing directory not loaded yet"
    assert r.broker_error == "no answer"
    assert set(r.failed) <= set(RULES)
    p.directory_loaded = True
    p.assign({(RAW, 0)}, now=0)
    p.observe_highwater(RAW, 0, highwater=5, position=0)
    assert p.readiness(60).failed == ["broker_unreachable", "batch_stalled", "produce_failing",
                                      "lag_stalled"]
