import json
import logging

from cablerouter.logs import JsonFormatter


def test_json_lines_carry_extra_fields() -> None:
    record = logging.makeLogRecord({
        "name": "cablerouter.router", "levelname": "WARNING", "msg": "cable dead-lettered",
        "cable_id": "10ASTANA179", "reason": "bad_dtg", "offset": 7, "obj": object(),
    })
    out = json.loads(JsonFormatter().format(record))
    assert out["message"] == "cable dead-lettered"
    assert (out["cable_id"], out["reason"], out["offset"]) == ("10ASTANA179", "bad_dtg", 7)
    assert out["level"] == "WARNING" and out["time"].endswith("+00:00")
    assert out["obj"].startswith("<object object")
