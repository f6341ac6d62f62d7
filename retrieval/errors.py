"""Domain exceptions. Raised inside `retrieval`; front-ends turn them into messages.

Every message is one line a user can act on (it names the command to run).
"""


class InvestqaError(Exception):
    """Base class for every error the front-ends show as a clean message."""


class EmptyQuestion(InvestqaError):
    def __init__(self) -> None:
        super().__init__("the question is empty: type a question in Chinese or English")


class QuestionTooLong(InvestqaError):
    def __init__(self, length: int, limit: int) -> None:
        super().__init__(f"the question is too long ({length} characters; the limit is {limit}): ask a shorter question")


class SeedsNotFound(InvestqaError):
    def __init__(self, path) -> None:
        super().__init__(
            f"seeds folder not found: {path} (copy the documents there or pass --seeds DIR)"
        )


class NoDocuments(InvestqaError):
    def __init__(self, path, skipped=()) -> None:
        why = ""
        if skipped:  # the warnings never get printed when the build stops here: name them
            shown = "; ".join(f"{item.file}: {item.reason}" for item in list(skipped)[:5])
            more = f"; and {len(skipped) - 5} more" if len(skipped) > 5 else ""
            why = f"; skipped {len(skipped)} file(s): {shown}{more}"
        super().__init__(
            f"no readable documents in {path}: nothing to index (supported: .txt .md .html .htm .docx .pdf){why}"
        )


class IndexNotFound(InvestqaError):
    def __init__(self, path) -> None:
        super().__init__(f"no index in {path}: run `investqa index --index {path}` first")


class IndexMismatch(InvestqaError):
    """The index on disk was built with other settings than the ones asked for."""

    def __init__(self, path, what: str) -> None:
        super().__init__(
            f"the index in {path} does not match: {what}; "
            f"rebuild it with `investqa index --index {path}` (add the same --embedder)"
        )


class IndexCorrupt(InvestqaError):
    def __init__(self, path, what: str) -> None:
        super().__init__(
            f"the index in {path} is damaged ({what}); rebuild it with `investqa index --index {path}`"
        )


class IndexUnreadable(InvestqaError):
    def __init__(self, path, what: str) -> None:
        super().__init__(f"cannot read the index in {path} ({what}); check its permissions, "
            f"or rebuild it with `investqa index --index {path}`")


class IndexLocked(InvestqaError):
    def __init__(self, path) -> None:
        super().__init__(
            f"another `investqa index` is already rebuilding {path}; wait for it to finish"
        )


class UnknownPassage(InvestqaError):
    def __init__(self, passage_id: str) -> None:
        super().__init__(f"no passage with id {passage_id!r} in the index")


class EmbedderUnavailable(InvestqaError):
    def __init__(self, spec: str, why: str) -> None:
        super().__init__(f"cannot load embedder {spec!r}: {why}")


class EvalFileInvalid(InvestqaError):
    """A QA file for `investqa eval` that cannot be read or has a bad line."""

    def __init__(self, path, what: str, line: int | None = None) -> None:
        where = f"{path}, line {line}" if line is not None else f"{path}"
        super().__init__(f"bad evaluation file {where}: {what}")


class MilvusUnavailable(InvestqaError):
    """Milvus (a server by URL, or Milvus Lite on a local .db file) could not be reached or used."""

    def __init__(self, uri: str, what: str) -> None:
        if uri.startswith(("http://", "https://", "tcp://", "grpc://")):
            check = "check that the Milvus server runs and listens there, and INVESTQA_MILVUS_TOKEN if it needs one"
        else:
            check = "check that its folder exists and is writable and that `pip install -e '.[milvus]'` was run"
        super().__init__(f"cannot use Milvus at {uri} ({what}): {check}")


class MilvusCollectionMismatch(InvestqaError):
    """The Milvus collection a build names is gone or holds another build."""

    def __init__(self, index_dir, uri: str, what: str) -> None:
        super().__init__(
            f"the Milvus collections of the index in {index_dir} do not match ({what}); rebuild them with "
            f"`investqa index --index {index_dir} --backend milvus --milvus-uri {uri}`"
        )
# -- the document library (adding and removing documents: `investqa add/remove`, the bot) --


class DocumentRejected(InvestqaError):
    """A file that cannot be added; `kind` lets a front-end say why in its own words."""

    kind = "unreadable"

    def __init__(self, name: str, why: str) -> None:
        self.name = name
        self.why = why
        super().__init__(f"cannot add {name}: {why}")


class UnsupportedDocument(DocumentRejected):
    kind = "unsupported"

    def __init__(self, name: str, why: str = "") -> None:
        super().__init__(name, (why or "unsupported file type") + " (supported: .pdf .docx .txt .md .html)")


class EncryptedDocument(DocumentRejected):
    kind = "encrypted"


class EmptyDocument(DocumentRejected):
    kind = "empty"


class DocumentTooLarge(DocumentRejected):
    kind = "too_large"


class UnreadableDocument(DocumentRejected):
    kind = "unreadable"


class DocumentNameTaken(InvestqaError):
    """A document of that name with other content exists: replacing it needs a yes."""

    def __init__(self, name: str) -> None:
        self.name = name
        super().__init__(f"{name} already exists with different content: pass --replace to replace it, "
                         f"or --keep-both to add it under a new name")


class DocumentNotFound(InvestqaError):
    def __init__(self, name: str, known: list[str]) -> None:
        self.name = name
        shown = ", ".join(known[:8]) + (" …" if len(known) > 8 else "")
        super().__init__(f"no document named {name!r} in the seeds folder (documents: {shown or 'none'})")


class LastDocument(InvestqaError):
    def __init__(self, name: str) -> None:
        self.name = name
        super().__init__(f"{name} is the only document: the index cannot be empty, add another document first")


class SeedsMismatch(InvestqaError):
    def __init__(self, seeds_dir, index_dir) -> None:
        super().__init__(f"the index in {index_dir} was not built from {seeds_dir} (they share no document): "
                         f"pass the seeds folder it was built from with --seeds (or INVESTQA_SEEDS)")
