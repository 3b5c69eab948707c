# Momentum: `make up` runs the platform, `make test` tests it. See README.md.
SHELL := /bin/bash
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: up down test test-unit protos protos-check bench migrate seed venv stack clean web lock cluster-test

venv: $(STAMP)

$(STAMP): pyproject.toml requirements.lock
	@bash infra/venv.sh
	@touch $(STAMP)

stack: venv
	@bash infra/stack.sh up

migrate: stack
	@source .run/stack.env && $(VENV)/bin/momentum migrate

# The clinic web app (web/dist), served by the gateway at /: Node from Debian when missing, npm ci, build.
web: venv
	@bash infra/web.sh build

up: migrate web
	@bash infra/services.sh start

down:
	@bash infra/services.sh stop
	@bash infra/stack.sh down

# The web app first: rebuilt when stale, type-checked against the gateway's current /openapi.json, its unit
# tests; Debian's chromium for the browser tests (tests/e2e/test_web_app.py). Afterwards it stops what this
# run of the stack started (the S3 server, say) and leaves what was already up; a failing teardown is a
# warning, never the exit status of a green run. The alert rules and the deployable artifacts (deploy/check.sh)
# are checked offline before the suite.
test: venv
	@before="$$(ls .run/started 2>/dev/null | tr '\n' ' ')"; \
	bash infra/stack.sh up || exit $$?; \
	bash infra/web.sh chromium && bash infra/web.sh build-if-stale && bash infra/web.sh check || exit $$?; \
	bash infra/observability/check.sh || exit $$?; \
	bash deploy/check.sh || exit $$?; \
	source .run/stack.env && $(PY) -m pytest $(PYTEST_ARGS); status=$$?; \
	MOMENTUM_STACK_KEEP="$$before" bash infra/stack.sh down || echo "[make test] warning: stopping the stack failed (not a test failure)"; \
	exit $$status

# No Postgres, RabbitMQ or S3 and no stack harness: tests/unit/structure/test_unit_isolation.py.
test-unit: venv
	@$(PY) -m pytest tests/unit $(PYTEST_ARGS)

# requirements.lock from pyproject.toml: every package with its hashes, for Python 3.11 on x86_64 Linux; and the
# container image's deploy/requirements-runtime.lock, the same versions without the dev extras.
# Run after changing a dependency; tests/unit/structure/test_lock_file.py fails until you do.
lock:
	@python3 -m venv .run/lock-tools && .run/lock-tools/bin/pip install -q uv==0.13.9
	@.run/lock-tools/bin/uv pip compile pyproject.toml --extra dev --generate-hashes --python-version 3.11 \
	  --python-platform x86_64-manylinux_2_28 --custom-compile-command "make lock" -o requirements.lock -q
	@.run/lock-tools/bin/uv pip compile pyproject.toml deploy/build-tools.in --generate-hashes --python-version 3.11 \
	  --python-platform x86_64-manylinux_2_28 --custom-compile-command "make lock" -c requirements.lock \
	  -o deploy/requirements-runtime.lock -q
	@echo "[lock] requirements.lock and deploy/requirements-runtime.lock (the image's: no dev extras) written"

protos: venv
	@bash infra/gen_protos.sh

protos-check: venv
	@bash infra/check_protos.sh

# Simulated hosts (Linux network namespaces, root): Postgres behind PgBouncer, three clustered RabbitMQ nodes,
# two application hosts and an edge gateway under load while a RabbitMQ node and an application host are
# killed; tears everything down, even on failure. Writes bench/results/cluster.json. See docs/scaling.md.
cluster-test: venv
	@bash infra/cluster.sh test

# Each benchmark prints its table and writes bench/results/<name>.json (see bench/results.py); the whole
# set takes about 10 minutes. SOAK=600 for the 10-minute soak; BENCH_PROFILE=1 adds py-spy profiles.
BENCHES := streaks_replay telemetry_codec telemetry_ingest entrances_bench analytics_bench roster_bench streaks_recalculate
ARGS_analytics_bench := --requests 500
SOAK ?= 60
bench: stack
	@source .run/stack.env && set -e && $(foreach b,$(BENCHES),echo "== bench/$(b).py $(ARGS_$(b))" && PYTHONPATH=. $(PY) bench/$(b).py $(ARGS_$(b)) && ) true
	@echo "== bench/load ($(SOAK) s of load)"; source .run/stack.env && PYTHONPATH=. $(PY) -m bench.load --duration $(SOAK)
	@PYTHONPATH=. $(PY) -m bench.results summary

seed: migrate
	@source .run/stack.env && $(VENV)/bin/momentum seed --demo

clean: down
	rm -rf .run .local $(VENV) web/node_modules web/dist
