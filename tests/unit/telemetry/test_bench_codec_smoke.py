"""The codec benchmark's functions keep working, so the end-to-end benchmark can import them."""

from __future__ import annotations

from bench.telemetry_codec import bench_aggregate, bench_decode, bench_wire_size, session_batches, table_rows
from services.telemetry.simulator import synthetic_reps


def test_benchmark_functions_report_their_figures(squat):
    batches = session_batches(3)
    assert len(batches) == 3
    decode = bench_decode(batches, seconds=0.05)
    assert decode["batches"] >= 3 and decode["batches_per_s"] > 0 and decode["frames_per_batch"] == 30
    aggregate = bench_aggregate(*synthetic_reps(squat, 3, 70.0, 3.0), profile=squat, repeats=2)
    assert aggregate["reps"] == 3 and aggregate["ms_best"] > 0
    wire = bench_wire_size(batches)
    assert wire["json"] > wire["binary_gzip"] > 0
    assert len(table_rows(decode, aggregate, wire)) == 6
