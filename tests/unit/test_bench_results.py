"""Benchmark result files: stable keys, CPU ms per op read from /proc, profile top frames, run comparison."""

from __future__ import annotations

import json
import subprocess
import sys

from bench.results import CpuMeter, Measurement, Run, compare, percentile, summary, top_frames

STABLE_KEYS = {
    "label", "count", "seconds", "throughput_per_s", "p50_ms", "p95_ms", "p99_ms", "cpu_ms_per_op",
    "generator_cpu_ms_per_op", "baseline_per_s", "ratio", "aim", "extra",
}


def test_a_result_file_has_every_key_for_every_measurement(tmp_path):
    run = Run("example", {"patients": 3})
    run.add("log", Measurement.of("POST /log", 200, 2.0, [float(n) for n in range(1, 101)], baseline_per_s=400.0,
                                  aim={"throughput_per_s": 600}))
    run.add("decode", Measurement.of("decode", 1000, 0.5, cpu=0.2))
    document = json.loads(run.write(tmp_path).read_text())

    assert document["name"] == "example" and document["schema"] == 1
    assert len(document["commit"]) == 40 or document["commit"] == "unknown"
    assert {"cpus", "cpu_model", "kernel", "python", "load_average_start", "load_average_end"} <= set(document["machine"])
    assert document["args"] == {"patients": 3}
    for measurement in document["measurements"].values():
        assert set(measurement) == STABLE_KEYS
    log = document["measurements"]["log"]
    assert log["throughput_per_s"] == 100.0 and log["ratio"] == 0.25
    assert (log["p50_ms"], log["p99_ms"]) == (51.0, 100.0)
    assert document["measurements"]["decode"]["cpu_ms_per_op"] == {"bench": 0.2, "total": 0.2}


BURN = """
import sys, time
print("ready", flush=True)
sys.stdin.readline()
start = time.process_time()
while time.process_time() - start < 0.3:
    pass
print("done", flush=True)
time.sleep(30)
"""


def test_cpu_ms_per_op_is_the_cpu_each_process_spent_inside_the_window():
    worker = subprocess.Popen([sys.executable, "-c", BURN], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        assert worker.stdout.readline() == "ready\n"  # start-up falls before the window
        meter = CpuMeter({"worker": worker.pid})
        with meter.window() as cpu:
            worker.stdin.write("go\n")
            worker.stdin.flush()
            assert worker.stdout.readline() == "done\n"
        figures = cpu.per_op(2)
    finally:
        worker.kill()
        worker.wait()
    assert 140 <= figures["worker"] <= 200  # 0.3 s of CPU over 2 operations, clock ticks of 10 ms
    assert figures["total"] == figures["worker"]
    assert cpu.generator_per_op(2) < 50  # this process only waited: the generator is counted apart


def test_percentile_is_nearest_rank():
    assert percentile([], 0.5) is None
    assert percentile([3.0, 1.0, 2.0], 0.5) == 2.0
    assert percentile([float(n) for n in range(1, 1001)], 0.99) == 991.0


def test_profile_top_frames_set_idle_waits_apart_and_leave_out_the_trunk():
    collapsed = "\n".join([
        "main (app.py:1);loop (asyncio/events.py:80);handle (svc/handlers.py:10);decode (svc/codec.py:5) 50",
        "main (app.py:1);loop (asyncio/events.py:80);handle (svc/handlers.py:12);0x7f00 (libz.so.1) 30",
        "main (app.py:1);loop (asyncio/events.py:80);tick (svc/loops.py:3) 20",
        "main (app.py:1);loop (asyncio/events.py:80);epoll_wait (libc.so.6) 100",
    ])
    top = top_frames(collapsed)
    assert top["busy_samples"] == 100 and top["idle_share"] == 0.5
    assert top["own"][:2] == [("decode (svc/codec.py)", 50.0), ("[libz.so.1]", 30.0)]
    inclusive = dict(top["inclusive"])
    assert inclusive["handle (svc/handlers.py)"] == 80.0  # both lines of one function count as one
    assert "main (app.py)" not in inclusive and "loop (asyncio/events.py)" not in inclusive


def test_compare_and_summary_show_the_change_between_two_runs(tmp_path):
    old, new = Run("bench", {}), Run("bench", {})
    old.add("log", Measurement.of("POST /log", 100, 1.0, [10.0] * 100, aim={"cpu_ms_per_op": 2}))
    new.add("log", Measurement.of("POST /log", 300, 1.0, [5.0] * 300, aim={"cpu_ms_per_op": 2}))
    old.measurements["log"].cpu_ms_per_op = {"plans": 1.5, "total": 6.0}
    new.measurements["log"].cpu_ms_per_op = {"plans": 0.0, "total": 2.0}
    report = compare(old.document(), new.document())
    assert "throughput_per_s" in report and "(+200 %)" in report
    assert "cpu ms/op total" in report and "(-67 %)" in report
    new.write(tmp_path)
    table = summary(tmp_path)
    assert "| bench | POST /log | 300 |" in table and "cpu_ms_per_op 2" in table
