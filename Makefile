# minecheck developer tasks. Everything installs into .venv from the project's own files.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
DATA ?= .run/data
HOST ?= 127.0.0.1
PORT ?= 8765

.PHONY: install run test lint bench i18n schema exe clean fuzz

install: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml
	$(PY) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[server,dev]'
	touch $@

# The main job on the embedded default: the collector on SQLite at a loopback address with a
# demo bureau and school, one agent scan of this machine uploaded through the real API.
# Serves until Ctrl-C; RUN_DETACH=1 leaves the server running in the background.
run: install
	mkdir -p .run
	$(BIN)/python build/demo_upload.py --data $(DATA) --host $(HOST) --port $(PORT)

test: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/python build/i18n.py check
	$(BIN)/python -m pytest -q -p no:cacheprovider

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

# Longer property/fuzz run of the parsers and wire checks (CI runs the same tests briefly).
FUZZ_EXAMPLES ?= 2000
SCHEMATHESIS_EXAMPLES ?= 50
fuzz: install
	MINECHECK_FUZZ_EXAMPLES=$(FUZZ_EXAMPLES) MINECHECK_SCHEMATHESIS_EXAMPLES=$(SCHEMATHESIS_EXAMPLES) \
		MINECHECK_SCHEMATHESIS_COVERAGE=all \
		$(BIN)/python -m pytest -q -p no:cacheprovider \
		tests/collector/test_fuzz_parsers.py tests/collector/test_api_bad_input.py \
		tests/agent/test_fuzz_agent_parsers.py tests/agent/test_fuzz_wire_parsers.py \
		tests/collector/test_handcarry_envelope.py \
		tests/collector/test_api_schemathesis.py

bench: install
	$(BIN)/python tests/bench/run.py

i18n: install
	$(BIN)/python build/i18n.py update
	$(BIN)/python build/i18n.py compile

schema: install
	$(BIN)/python -m agent.wire.schema docs/report-schema.json

# The one-file executable dist/minecheck (PyInstaller; work files under build/work).
# PYINSTALLER_COMPILE_BOOTLOADER=1 compiles PyInstaller's bootloader from source first.
exe: install
	$(BIN)/python build/build_exe.py

clean:
	rm -rf $(VENV) .run build/work dist *.egg-info
