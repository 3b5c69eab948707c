"""Runs deploy/Dockerfile's build stages (`build`, then `web`) on this machine, without Docker: each COPY into a
scratch context (what .dockerignore leaves), then each RUN there with the venv path replaced by VENV. What
deploy/smoke_venv.sh then runs is the venv and the web app the image's recipe builds, from exactly its files.

Only apt-get is not replayed: the web stage installs Debian trixie's Node, and this machine's own Node (20.19+, as
Vite 8 needs) runs `npm ci` and `npm run build` instead.

usage: replay_build_stage.py CONTEXT_DIR VENV    (the web app ends in CONTEXT_DIR/src/web/dist)"""

from __future__ import annotations

import fnmatch
import shutil
import subprocess
import sys
from pathlib import Path

from dockerfile_parse import DockerfileParser

ROOT = Path(__file__).resolve().parents[1]
IMAGE_VENV = "/opt/momentum/venv"
REPLAYED = ("build", "web")


def ignored(relative: Path, patterns: list[str]) -> bool:
    return any(
        fnmatch.fnmatch(str(relative), pattern.removeprefix("**/")) or fnmatch.fnmatch(relative.name, pattern.removeprefix("**/"))
        or str(relative).startswith(pattern.rstrip("/") + "/")
        for pattern in patterns
    )


def copy(source: Path, dest: str, workdir: Path, patterns: list[str]) -> None:
    target = workdir / dest
    if source.is_dir():
        for file in source.rglob("*"):
            if file.is_file() and not ignored(file.relative_to(ROOT), patterns):
                out = target / file.relative_to(source)
                out.parent.mkdir(parents=True, exist_ok=True)
                shutil.copy2(file, out)
        return
    out = target / source.name if dest.endswith("/") else target
    out.parent.mkdir(parents=True, exist_ok=True)
    shutil.copy2(source, out)


def main(context: Path, venv: str) -> None:
    patterns = [line.strip() for line in (ROOT / ".dockerignore").read_text().splitlines()
                if line.strip() and not line.startswith("#")]
    workdir, stage = context, None
    for instruction in DockerfileParser(path=str(ROOT / "deploy" / "Dockerfile")).structure:
        kind, value = instruction["instruction"], instruction["value"]
        if kind == "FROM":
            stage = value.partition(" AS ")[2].strip()
            continue
        if stage not in REPLAYED or kind == "COMMENT":
            continue
        if kind == "WORKDIR":
            workdir = context / value.lstrip("/")
            workdir.mkdir(parents=True, exist_ok=True)
        elif kind == "COPY":
            *sources, dest = value.split()
            for source in sources:
                copy(ROOT / source, dest, workdir, patterns)
        elif kind == "RUN" and value.startswith("apt-get"):
            node = subprocess.run(["node", "--version"], capture_output=True, text=True, check=True).stdout.strip()
            print(f"[{stage} stage] not replayed: RUN {value[:60]}... (this machine's Node {node} instead)", flush=True)
        elif kind == "RUN":
            command = value.replace(IMAGE_VENV, venv)
            print(f"[{stage} stage] RUN {command}", flush=True)
            subprocess.run(["sh", "-c", command], cwd=workdir, check=True)
        else:
            raise SystemExit(f"the {stage} stage has a {kind} this replay does not know: teach it, or keep the stage simple")


if __name__ == "__main__":
    main(Path(sys.argv[1]), sys.argv[2])
