"""What every benchmark records besides its table: bench/results/<name>.json with stable keys, so runs compare across commits.

A result file is one run of one benchmark:

    {"schema": 1, "name": "entrances", "commit": "<sha>", "dirty": false, "date": "<UTC ISO>",
     "machine": {"cpus", "cpu_model", "memory_gib", "kernel", "python", "load_average_start", "load_average_end"},
     "args": {...the benchmark's options...},
     "measurements": {"<key>": {"label", "count", "seconds", "throughput_per_s", "p50_ms", "p95_ms", "p99_ms",
                                "cpu_ms_per_op": {"<process>": ms, ..., "total": ms}, "generator_cpu_ms_per_op",
                                "baseline_per_s", "ratio", "aim": {...}, "extra": {...}}}}

Every measurement carries every key (null when it does not apply). CPU milliseconds per operation are
utime+stime of each process the benchmark started, read from /proc/<pid>/stat before and after the
measured window, divided by the operations in it: unlike throughput and latency they hardly move when
other work shares the machine. Postgres and RabbitMQ are not in them (their processes serve everyone).

    python -m bench.results summary            # the table of every result file: now against the aim
    python -m bench.results compare OLD NEW    # two runs side by side (e.g. before/after a change)
    python -m bench.results top PROFILE.txt    # the busiest functions of a py-spy raw profile

Profiles: with BENCH_PROFILE set (to a directory, or 1 for bench/results/profiles), a benchmark records
each process it started with py-spy during its measured windows and writes the top frames next to the
collapsed stacks. A profiled run's own figures are inflated by the sampling: measure and profile apart.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import signal
import subprocess
import sys
import time
from collections import Counter
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Iterator, Mapping, Sequence

ROOT = Path(__file__).resolve().parents[1]
RESULTS_DIR = ROOT / "bench" / "results"
SCHEMA = 1
_CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


# --------------------------------------------------------------------------- CPU by process


def cpu_seconds(pid: int) -> float | None:
    """utime + stime of one process so far, or None once it is gone."""
    try:
        # The command name (field 2) may hold spaces or parentheses: split after its closing one.
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / _CLOCK_TICKS


class CpuMeter:
    """CPU seconds of named processes (and of this one, the load generator) across measured windows."""

    def __init__(self, pids: Mapping[str, int]) -> None:
        self.pids = dict(pids)

    def snapshot(self) -> dict[str, float]:
        used = {name: cpu_seconds(pid) for name, pid in self.pids.items()}
        taken = {name: seconds for name, seconds in used.items() if seconds is not None}
        taken["_generator"] = time.process_time()
        return taken

    @contextmanager
    def window(self) -> Iterator["CpuWindow"]:
        measured = CpuWindow(self.snapshot())
        try:
            yield measured
        finally:
            measured.after = self.snapshot()


@dataclass
class CpuWindow:
    before: dict[str, float]
    after: dict[str, float] = field(default_factory=dict)

    def per_op(self, operations: int) -> dict[str, float]:
        """Milliseconds per operation by process, and their total (the load generator left out)."""
        spent = {
            name: (self.after[name] - self.before.get(name, 0.0)) * 1000 / max(operations, 1)
            for name in self.after if name != "_generator"
        }
        figures = {name: round(ms, 3) for name, ms in spent.items()}
        figures["total"] = round(sum(spent.values()), 3)
        return figures

    def generator_per_op(self, operations: int) -> float:
        return round((self.after["_generator"] - self.before["_generator"]) * 1000 / max(operations, 1), 3)


# --------------------------------------------------------------------------- latency


def percentile(values: Sequence[float], q: float) -> float | None:
    """Nearest rank: the value below which a share `q` (0..1) of the values lie."""
    if not values:
        return None
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * q))]


# --------------------------------------------------------------------------- result files


@dataclass
class Measurement:
    label: str
    count: int
    seconds: float
    throughput_per_s: float | None = None
    p50_ms: float | None = None
    p95_ms: float | None = None
    p99_ms: float | None = None
    cpu_ms_per_op: dict[str, float] | None = None
    generator_cpu_ms_per_op: float | None = None
    baseline_per_s: float | None = None
    ratio: float | None = None
    aim: dict[str, float] = field(default_factory=dict)  # e.g. {"throughput_per_s": 600, "p99_ms": 100}
    extra: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def of(
        cls, label: str, count: int, seconds: float, latencies_ms: Sequence[float] | None = None,
        cpu: CpuWindow | float | None = None, baseline_per_s: float | None = None, **kwargs: Any,
    ) -> "Measurement":
        """`cpu`: the window of the processes that did the work, or the CPU ms per op of this very process
        when the work ran in it (a pure domain loop, a CLI called in-process)."""
        throughput = count / seconds if seconds > 0 else None
        lat = latencies_ms or []
        if isinstance(cpu, CpuWindow):
            by_process, generator = cpu.per_op(count), cpu.generator_per_op(count)
        else:
            by_process, generator = (None if cpu is None else in_process(cpu)), None
        return cls(
            label=label, count=count, seconds=round(seconds, 3),
            throughput_per_s=None if throughput is None else round(throughput, 1),
            p50_ms=_round(percentile(lat, 0.50)), p95_ms=_round(percentile(lat, 0.95)), p99_ms=_round(percentile(lat, 0.99)),
            cpu_ms_per_op=by_process, generator_cpu_ms_per_op=generator,
            baseline_per_s=_round(baseline_per_s),
            ratio=round(throughput / baseline_per_s, 4) if throughput and baseline_per_s else None,
            **kwargs,
        )


def in_process(ms_per_op: float) -> dict[str, float]:
    return {"bench": round(ms_per_op, 4), "total": round(ms_per_op, 4)}


def _round(value: float | None, digits: int = 2) -> float | None:
    return None if value is None else round(value, digits)


def machine_facts() -> dict[str, Any]:
    model = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
        kib = next(int(line.split()[1]) for line in Path("/proc/meminfo").read_text().splitlines() if line.startswith("MemTotal"))
    except (OSError, StopIteration):
        kib = 0
    return {
        "cpus": os.cpu_count(), "cpu_model": model, "memory_gib": round(kib / 2**20, 1),
        "kernel": platform.release(), "python": platform.python_version(),
    }


def commit() -> tuple[str, bool]:
    """The commit measured, and whether the work tree differed from it."""
    try:
        sha = subprocess.run(["git", "rev-parse", "HEAD"], cwd=ROOT, capture_output=True, text=True, timeout=10).stdout.strip()
        dirty = bool(subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"], cwd=ROOT,
                                    capture_output=True, text=True, timeout=10).stdout.strip())
    except (OSError, subprocess.SubprocessError):
        return "unknown", False
    return sha or "unknown", dirty


class Run:
    """One benchmark run: started when the benchmark starts, written once its measurements are in."""

    def __init__(self, name: str, args: argparse.Namespace | Mapping[str, Any] | None = None) -> None:
        self.name = name
        self.args = dict(vars(args) if isinstance(args, argparse.Namespace) else args or {})
        self.measurements: dict[str, Measurement] = {}
        self.load_start = os.getloadavg()[0]
        self.started = datetime.now(timezone.utc)

    def add(self, key: str, measurement: Measurement) -> Measurement:
        self.measurements[key] = measurement
        return measurement

    def document(self) -> dict[str, Any]:
        sha, dirty = commit()
        return {
            "schema": SCHEMA, "name": self.name, "commit": sha, "dirty": dirty,
            "date": self.started.isoformat(timespec="seconds"),
            "machine": {**machine_facts(), "load_average_start": round(self.load_start, 2),
                        "load_average_end": round(os.getloadavg()[0], 2)},
            "args": {k: (str(v) if isinstance(v, Path) else v) for k, v in self.args.items()},
            "measurements": {key: asdict(m) for key, m in self.measurements.items()},
        }

    def write(self, directory: Path | None = None) -> Path:
        """bench/results/<name>.json (or BENCH_RESULTS_DIR); a profiled run's figures go beside its profiles,
        never over a measured run's."""
        directory = directory or profile_directory() or Path(os.environ.get("BENCH_RESULTS_DIR", RESULTS_DIR))
        target = directory / f"{self.name}.json"
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(json.dumps(self.document(), indent=2) + "\n")
        print(f"results: {target.relative_to(ROOT) if target.is_relative_to(ROOT) else target}")
        return target


# --------------------------------------------------------------------------- profiles


def profile_directory() -> Path | None:
    setting = os.environ.get("BENCH_PROFILE", "")
    return None if not setting else RESULTS_DIR / "profiles" if setting == "1" else Path(setting)


class Profiler:
    """py-spy on each process of a benchmark during a measured window, when BENCH_PROFILE asks for it."""

    def __init__(self, bench: str, pids: Mapping[str, int]) -> None:
        self.directory = profile_directory()
        self.bench = bench
        self.pids = dict(pids)
        self.py_spy = shutil.which("py-spy") or str(Path(sys.executable).with_name("py-spy"))

    @contextmanager
    def window(self, what: str) -> Iterator[None]:
        if self.directory is None:
            yield
            return
        self.directory.mkdir(parents=True, exist_ok=True)
        recorders = {}
        for name, pid in self.pids.items():
            raw = self.directory / f"{self.bench}-{what}-{name}.txt"
            recorders[name] = (raw, subprocess.Popen(
                [self.py_spy, "record", "--native", "--format", "raw", "--pid", str(pid), "-o", str(raw)],
                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            ))
        time.sleep(0.5)  # py-spy attaches before the window starts
        try:
            yield
        finally:
            for _, recorder in recorders.values():
                recorder.send_signal(signal.SIGINT)  # py-spy writes its file on SIGINT
            for name, (raw, recorder) in recorders.items():
                try:
                    recorder.wait(timeout=60)
                except subprocess.TimeoutExpired:
                    recorder.kill()
                if raw.exists():
                    top = raw.with_suffix(".top.txt")
                    top.write_text(format_top(top_frames(raw.read_text()), f"{self.bench} {what}: {name}"))
                    print(top.read_text())


# Leaves where a thread waits rather than computes (py-spy --native sees through the GIL heuristics).
IDLE_LEAVES = ("epoll_wait", "epoll_pwait", "poll", "select", "PyThread_acquire_lock_timed", "pthread_cond_wait",
               "pthread_cond_timedwait", "sem_wait", "sem_timedwait", "futex", "nanosleep", "clock_nanosleep")


def _function(frame: str) -> str:
    """ "f (path.py:12)" -> "f (path.py)"; "0x7f.. (libz.so.1)" -> "[libz.so.1]": one entry per function or library."""
    name, _, where = frame.partition(" (")
    where = where.rstrip(")")
    if name.startswith("0x"):
        return f"[{where}]"
    path, _, line = where.rpartition(":")
    return f"{name} ({path})" if line.isdigit() else frame


def top_frames(collapsed: str, limit: int = 25) -> dict[str, Any]:
    """The busiest functions in py-spy's collapsed stacks ("a;b;c 12" per line), idle waits set apart.

    `own`: (function, % of busy samples where it is the leaf); `inclusive`: (Python function, % of busy
    samples it is on the stack), leaving out the trunk every sample shares (the event loop)."""
    own: Counter[str] = Counter()
    inclusive: Counter[str] = Counter()
    busy = idle = 0
    for line in collapsed.splitlines():
        stack, _, count = line.rpartition(" ")
        if not stack or not count.isdigit():
            continue
        frames = [_function(frame) for frame in stack.split(";")]
        if frames[-1].split(" ")[0] in IDLE_LEAVES:
            idle += int(count)
            continue
        busy += int(count)
        own[frames[-1]] += int(count)
        for frame in set(frames):
            if ".py)" in frame:
                inclusive[frame] += int(count)
    if not busy:
        return {"busy_samples": 0, "idle_share": 1.0, "own": [], "inclusive": []}
    branches = [(f, 100 * n / busy) for f, n in inclusive.most_common() if n < 0.9 * busy]
    return {
        "busy_samples": busy, "idle_share": round(idle / (busy + idle), 3),
        "own": [(f, round(100 * n / busy, 1)) for f, n in own.most_common(limit)],
        "inclusive": [(f, round(pct, 1)) for f, pct in branches[:limit]],
    }


def format_top(top: dict[str, Any], title: str) -> str:
    lines = [f"{title}: {top['busy_samples']} busy samples ({100 * top['idle_share']:.0f} % of all were idle waits, left out)",
             "   own %  function (leaf of the stack)"]
    lines += [f"  {pct:>6.1f}  {frame}" for frame, pct in top["own"]]
    lines += ["  total %  Python function (anywhere on the stack)"]
    lines += [f"  {pct:>6.1f}  {frame}" for frame, pct in top["inclusive"]]
    return "\n".join(lines) + "\n"


def main_top(paths: Sequence[Path]) -> str:
    return "\n".join(format_top(top_frames(path.read_text()), path.stem) for path in paths)


# --------------------------------------------------------------------------- reading results


def load(path: Path) -> dict[str, Any]:
    return json.loads(path.read_text())


def _cpu_total(m: Mapping[str, Any]) -> float | None:
    return (m.get("cpu_ms_per_op") or {}).get("total")


def summary(directory: Path) -> str:
    """A markdown table of every result file: what each measurement did against its aim."""
    lines = ["| bench | measurement | per s | p50 ms | p99 ms | CPU ms/op | ratio | aim | commit |", "|---|---|---|---|---|---|---|---|---|"]
    for path in sorted(directory.glob("*.json")):
        document = load(path)
        for key, m in document["measurements"].items():
            aim = ", ".join(f"{k} {v:g}" for k, v in (m.get("aim") or {}).items()) or "-"
            lines.append(
                f"| {document['name']} | {m['label']} | {_fmt(m['throughput_per_s'], ',.0f')} | {_fmt(m['p50_ms'])} | "
                f"{_fmt(m['p99_ms'])} | {_fmt(_cpu_total(m))} | {_fmt(m['ratio'], '.3f')} | {aim} | {document['commit'][:9]} |"
            )
    return "\n".join(lines)


def compare(old: dict[str, Any], new: dict[str, Any]) -> str:
    """Two runs of one benchmark, measurement by measurement: throughput, p99 and CPU ms/op by process."""
    lines = [f"{old['name']}: {old['commit'][:9]} ({old['date']}) -> {new['commit'][:9]} ({new['date']})"]
    for key, after in new["measurements"].items():
        before = old["measurements"].get(key)
        if before is None:
            lines.append(f"  {key}: new")
            continue
        lines.append(f"  {after['label']}")
        for figure in ("throughput_per_s", "p50_ms", "p99_ms"):
            lines.append(f"    {figure:<22} {_fmt(before[figure]):>10} -> {_fmt(after[figure]):>10}{_change(before[figure], after[figure])}")
        cpu_before, cpu_after = before.get("cpu_ms_per_op") or {}, after.get("cpu_ms_per_op") or {}
        for process in sorted(set(cpu_before) | set(cpu_after), key=lambda p: (p == "total", p)):
            was, now = cpu_before.get(process), cpu_after.get(process)
            lines.append(f"    cpu ms/op {process:<12} {_fmt(was):>10} -> {_fmt(now):>10}{_change(was, now)}")
    return "\n".join(lines)


def _fmt(value: float | None, spec: str = ".2f") -> str:
    return "-" if value is None else format(value, spec)


def _change(before: float | None, after: float | None) -> str:
    if not before or after is None:
        return ""
    return f"  ({100 * (after - before) / before:+.0f} %)"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.results", description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)
    table = commands.add_parser("summary", help="markdown table of every result file")
    table.add_argument("directory", type=Path, nargs="?", default=RESULTS_DIR)
    pair = commands.add_parser("compare", help="two result files of one benchmark side by side")
    pair.add_argument("old", type=Path)
    pair.add_argument("new", type=Path)
    top = commands.add_parser("top", help="top frames of py-spy raw (collapsed) profiles")
    top.add_argument("profiles", type=Path, nargs="+")
    args = parser.parse_args(argv)
    if args.command == "summary":
        print(summary(args.directory))
    elif args.command == "compare":
        print(compare(load(args.old), load(args.new)))
    else:
        print(main_top(args.profiles))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
