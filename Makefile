# The two commands of the quick start: `make demo` and `make test`.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
TSTAMP := $(VENV)/.installed-test

.PHONY: demo test install install-test serve migrate bench bench-quiz bench-live bench-engagement bench-assessment clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install -q -e .
	touch $@

$(TSTAMP): pyproject.toml $(STAMP)
	$(BIN)/python -m pip install -q -e ".[test]"
	touch $@

install: $(STAMP)
install-test: $(TSTAMP)

## demo: install, migrate the embedded SQLite database, load the sample course and demo accounts, serve
demo: $(STAMP)
	$(BIN)/lms demo

## test: install the test extras and run the whole suite (PYTEST_WORKERS processes, 0 for one)
PYTEST_WORKERS ?= 2
test: $(TSTAMP)
	$(BIN)/python -m pytest -q -n $(PYTEST_WORKERS) $(PYTEST_ARGS)

bench: $(TSTAMP)
	$(BIN)/python bench/http_bench.py

## bench-quiz: grading throughput and 1,000 trainees submitting one quiz at once (docs/performance.md)
bench-quiz: $(TSTAMP)
	$(BIN)/python bench/quiz_bench.py $(BENCH_ARGS)

## bench-live: one live session, 1,000 / 5,000 / 10,000 trainees, a poll pushed and answered, vs a bare websockets broadcast() (docs/performance.md)
bench-live: $(TSTAMP)
	$(BIN)/python bench/live_bench.py $(BENCH_ARGS)

## bench-engagement: engagement events: the ingestion pipeline in-process vs the driver's bulk insert, then 5,000 trainees on live sockets and the beacon (docs/performance.md)
bench-engagement: $(TSTAMP)
	$(BIN)/python bench/engagement_bench.py $(BENCH_ARGS)

## bench-assessment: "% meeting standard" and the unit gap report for a city of 1,000,000 staff on PostgreSQL (docs/performance.md)
bench-assessment: $(TSTAMP)
	$(BIN)/python bench/assessment_bench.py $(BENCH_ARGS)

clean:
	rm -rf $(VENV) var/*.sqlite3*
