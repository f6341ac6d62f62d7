"""`investqa add FILE...`, `investqa remove DOC` and `investqa documents`: the document library
from a terminal (copy in or delete, then an incremental index build, then a summary)."""
from __future__ import annotations

import sys
import time
from pathlib import Path


def register(subparsers, add_seeds_option, add_index_option) -> None:
    add = subparsers.add_parser(
        "add", help="add documents to the seeds folder and update the index",
        description="Copy each FILE into the seeds folder (under a safe name), then update the index "
        "(only new passages are embedded). Scanned PDFs are read by OCR.",
    )
    add.add_argument("files", nargs="+", metavar="FILE", help=".pdf .docx .txt .md .html")
    conflict = add.add_mutually_exclusive_group()
    conflict.add_argument("--replace", action="store_true", help="replace a document of the same name")
    conflict.add_argument("--keep-both", action="store_true", help="keep both under different names")
    add_seeds_option(add)
    add_index_option(add)
    add.set_defaults(handler=run_add)

    remove = subparsers.add_parser("remove", help="remove a document from the seeds folder and the index")
    remove.add_argument("document", metavar="DOC", help="its file name as `investqa documents` lists it")
    add_seeds_option(remove)
    add_index_option(remove)
    remove.set_defaults(handler=run_remove)

    documents = subparsers.add_parser("documents", help="list the documents: file, date added, OCR, titles")
    add_seeds_option(documents)
    add_index_option(documents)
    documents.set_defaults(handler=run_documents)


def _say(text: str) -> None:
    print(text, flush=True)


def _warn(text: str) -> None:
    print(f"investqa: {text}", file=sys.stderr, flush=True)


def _library(args):
    from retrieval.ingest.library import Library

    return Library(args.seeds, args.index)


def _update(args, started: float, changed_files: list[str]) -> None:
    from retrieval.ingest.library import indexed_documents, update_index

    from .cli import make_progress_bar

    progress = make_progress_bar()
    try:
        report = update_index(Path(args.seeds), Path(args.index), progress=progress)
    finally:
        progress.close()
    for skipped in report.skipped:
        _warn(f"warning: skipped {skipped.file}: {skipped.reason}")
    if changed_files:  # what the added files brought in
        documents = indexed_documents(Path(args.index), changed_files)
        titles = "; ".join(document.title for document in documents)
        found = f"{len(documents)} document(s): {titles}" if documents else "no documents"
    else:  # after a removal: what is left
        documents = indexed_documents(Path(args.index))
        found = f"{len(documents)} document(s) indexed"
    passages = sum(document.passages for document in documents)
    _say(f"index updated: {found}; {passages} passage(s); {report.embedded} text(s) embedded, "
         f"{report.reused} reused; {time.monotonic() - started:.1f} s")


def run_add(args) -> int:
    from retrieval.errors import DocumentNameTaken, DocumentRejected
    from retrieval.ingest.library import ASK, KEEP_BOTH, REPLACE, check_same_corpus

    started = time.monotonic()
    library = _library(args)
    check_same_corpus(Path(args.seeds), Path(args.index))  # before anything lands in a wrong folder
    on_conflict = REPLACE if args.replace else KEEP_BOTH if args.keep_both else ASK
    stored: list[str] = []
    failures = 0
    for given in args.files:
        path = Path(given)
        if not path.is_file():
            _warn(f"error: {given}: no such file")
            failures += 1
            continue
        def ocr_progress(done: int, total: int, given=given) -> None:
            if sys.stderr.isatty():  # scans take seconds per page: show where it is
                print(f"\r{given}: OCR page {done}/{total}", end="" if done < total else "\n", file=sys.stderr, flush=True)

        try:
            outcome = library.add(path, path.name, on_conflict, ocr_progress)
        except (DocumentRejected, DocumentNameTaken) as error:
            _warn(f"error: {error}")
            failures += 1
            continue
        if outcome.status == "duplicate":
            _say(f"{given}: already indexed (same content as {outcome.name})")
            continue
        ocr = ", read by OCR" if outcome.ocr else ""
        _say(f"{given}: {outcome.status} as {outcome.name}{ocr}")
        stored.append(outcome.name)
    if stored:
        _update(args, started, stored)
    return 1 if failures else 0


def run_remove(args) -> int:
    from retrieval.ingest.library import indexed_documents

    started = time.monotonic()
    library = _library(args)
    removed = library.remove(args.document)
    gone = indexed_documents(Path(args.index), [removed.name])
    _say(f"removed {removed.name} ({sum(d.passages for d in gone)} passage(s))")
    _update(args, started, [])  # [] = summarise the whole index
    return 0


def run_documents(args) -> int:
    from retrieval.ingest.library import indexed_documents

    library = _library(args)
    by_file: dict[str, list] = {}
    for document in indexed_documents(Path(args.index)):
        by_file.setdefault(document.file, []).append(document)
    for stored in library.files():
        documents = by_file.get(stored.name, [])
        ocr = " · OCR" if any(d.ocr for d in documents) else ""
        state = "; ".join(d.title + (f" ({d.date})" if d.date else "") for d in documents) or "(not indexed yet)"
        _say(f"{stored.name}\tadded {stored.added}{ocr}\t{state}")
    return 0
