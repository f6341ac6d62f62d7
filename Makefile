# Everything the project needs is installed by these targets; nothing by hand.
PYTHON ?= python3.11
VENV   := .venv
BIN    := $(VENV)/bin
SEEDS  ?= seeds
INDEX  ?= vectors

.PHONY: install install-dev chat index test bench bench-quick eval telegram clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

# Stamp files make re-running `make install` a no-op until pyproject.toml changes.
# RapidOCR (scanned PDFs) pulls in opencv-python, whose cv2 needs the system's libGL: where that
# is missing, the headless build of the same library takes its place (after every pip install,
# since pip puts opencv-python back to satisfy RapidOCR's requirement).
HEADLESS_CV2 = $(BIN)/python -c "import cv2" 2>/dev/null || { $(BIN)/pip uninstall --quiet -y opencv-python opencv-python-headless; $(BIN)/pip install --quiet --force-reinstall --no-deps opencv-python-headless; }

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e .
	$(HEADLESS_CV2)
	touch $@

# torch comes first and pinned: the CPU wheel on disk, never the multi-GB CUDA build.
$(VENV)/.installed-dev: pyproject.toml $(VENV)/.installed
	$(BIN)/pip install --quiet torch==2.13.0
	$(BIN)/pip install --quiet -e '.[st,test,milvus]'
	$(HEADLESS_CV2)
	touch $@

install: $(VENV)/.installed

install-dev: $(VENV)/.installed-dev

index: install
	$(BIN)/investqa index --seeds $(SEEDS) --index $(INDEX)

# Builds the index only when it is missing or stale, then opens the terminal chat.
chat: install
	$(BIN)/investqa index --if-stale --seeds $(SEEDS) --index $(INDEX)
	$(BIN)/investqa chat --index $(INDEX)

test: install-dev
	$(BIN)/python -m pytest -q

eval: install
	$(BIN)/investqa index --if-stale --seeds $(SEEDS) --index $(INDEX)
	$(BIN)/investqa eval ../shared/eval/dev_qa.jsonl --index $(INDEX)

bench: install
	$(BIN)/investqa index --if-stale --seeds $(SEEDS) --index $(INDEX)
	$(BIN)/investqa bench --seeds $(SEEDS) --index $(INDEX)

bench-quick: install
	$(BIN)/investqa index --if-stale --seeds $(SEEDS) --index $(INDEX)
	$(BIN)/investqa bench --quick --seeds $(SEEDS) --index $(INDEX)

telegram: install
	$(BIN)/investqa index --if-stale --seeds $(SEEDS) --index $(INDEX)
	$(BIN)/investqa telegram --index $(INDEX)

clean:
	rm -rf $(VENV) build *.egg-info .pytest_cache
