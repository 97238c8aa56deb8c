# The two commands of the README. Each creates the virtual environment when it is missing.
VENV ?= .venv
PY := $(VENV)/bin/python
PORT ?= 6006
LOGDIR ?= runs

.PHONY: run test lint protos clean

run: $(VENV)/.installed
	$(PY) -m board --logdir $(LOGDIR) --port $(PORT) --first_run_job mnist

test: $(VENV)/.installed
	$(VENV)/bin/ruff check .
	OMP_NUM_THREADS=1 OMP_WAIT_POLICY=PASSIVE $(PY) -m pytest $(PYTEST_ARGS)

lint: $(VENV)/.installed
	$(VENV)/bin/ruff check .

protos: $(VENV)/.installed
	$(PY) scripts/gen_protos.py

# torch goes in first, pinned: any other torch request would pull a multi-GB CUDA build.
$(PY):
	python3 -m venv $(VENV)
	$(PY) -m pip install -q -U pip
	$(PY) -m pip install -q torch==2.13.0

$(VENV)/.installed: pyproject.toml | $(PY)
	$(PY) -m pip install -q -e '.[dev]'
	touch $@

clean:
	rm -rf $(VENV) build *.egg-info .pytest_cache test-artifacts
