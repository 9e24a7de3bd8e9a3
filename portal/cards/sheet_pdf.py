"""Turning a sheet's documents into one PDF: on both cores, a few pages at a time.

WeasyPrint is pure Python and single-threaded: a 500-card sheet is about a
minute of one core's time if rendered in one process. The sheet is cut into
documents of a few pages; worker processes (spawned, so nothing of the
parent's threads or database connections is copied) render them while the
parent gathers the next cards, and pdfium joins the parts in order. Each
process only ever holds a few pages, so memory stays flat however big the
batch. One-document sheets are rendered in the calling process.

Memory is what the whole process tree holds at its peak (bench/cards.py):
the builder and both render processes at once. The render processes are
stopped before the parts are joined: the join (pdfium holding the joined
document, then its bytes) came on top of their memory and was the sheet's
peak. WeasyPrint leaves each document as cyclic garbage that Python's
collector reaches late, and glibc keeps memory once freed, so each render
process collects and hands memory back after each document (about 20 MB less
per process, for about 15 ms of a document's 400 ms: the modules imported at
start are frozen out of the collector's sight). A spawned process imports the
parent's main module again: a script that imports the whole app at its top
puts the app in each render process too (45 MB each); huey_consumer and the
benchmark import it inside functions.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import gc
import multiprocessing
import os
import tempfile
import threading
from collections import deque
from collections.abc import Callable
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from functools import cache
from pathlib import Path

from portal.cards.render import pdf_from_html

Assets = dict[str, tuple[bytes, str]]
Codes = dict[str, str]
Document = tuple  # (html, assets, css, codes, cards): what `retry` gives back
Retry = Callable[[Exception], Document | None]
PROCESSES = max(1, min(2, os.cpu_count() or 1))  # a sheet uses at most two cores
_pdfium_lock = threading.Lock()  # pdfium is not thread-safe; the worker runs threads


def render_to_file(
    html: str, assets: Assets, css: str | None, codes: Codes | None, path: str
) -> str:
    """Render one document into `path` (run in a worker process: only the path comes back).
    `css` is parsed once per process and kept, as every chunk of a sheet shares it;
    `codes`: the QR codes to draw (see render.pdf_from_html)."""
    Path(path).write_bytes(pdf_from_html(html, assets, css=css, codes=codes))
    return path


def _worker_started() -> None:
    """In each render process, once its imports are done: keep what they made out of
    the collector's sight (it is never garbage), so the collection after each
    document only walks that document's objects."""
    gc.freeze()


def _render_in_worker(
    html: str, assets: Assets, css: str | None, codes: Codes | None, path: str
) -> str:
    """`render_to_file`, then the document's memory handed back (see the module's doc)."""
    try:
        return render_to_file(html, assets, css, codes, path)
    finally:
        del html, assets
        gc.collect()
        _trim_heap()


def _trim_heap() -> None:
    """Give the heap's free memory back to the system (glibc keeps it otherwise)."""
    trim = getattr(_libc(), "malloc_trim", None)
    if trim is not None:
        trim(0)


@cache
def _libc():
    name = ctypes.util.find_library("c")
    try:
        return ctypes.CDLL(name) if name else None
    except OSError:
        return None


class Renderer:
    """Renders documents in the order given into files of a temporary folder, then joins
    them; `on_rendered(cards)` as each document is done.

    At most two documents per process wait in the queue, so a big batch never holds
    more than a handful of chunks' HTML and photos at once, and the rendered parts
    wait on disk rather than in memory. Called back from the caller's thread only (a
    job may then write its progress).
    """

    def __init__(self, processes: int = 1, on_rendered: Callable[[int], None] | None = None):
        self.processes = processes
        self.on_rendered = on_rendered
        self.pending: deque[tuple[Future, str, int, Retry | None]] = deque()
        self.parts: list[str] = []
        self.cards = 0
        self.submitted = 0
        self.pool: ProcessPoolExecutor | None = None

    def __enter__(self) -> Renderer:
        self.folder = tempfile.TemporaryDirectory(prefix="sheet-")
        if self.processes > 1:
            self.pool = ProcessPoolExecutor(
                self.processes,
                mp_context=multiprocessing.get_context("spawn"),
                initializer=_worker_started,
            )
        return self

    def __exit__(self, *exc) -> None:
        try:
            self._stop_pool()
        finally:
            self.folder.cleanup()

    def _stop_pool(self) -> None:
        if self.pool is not None:
            self.pool.shutdown(wait=True, cancel_futures=True)
            self.pool = None

    def submit(
        self,
        html: str,
        assets: Assets,
        css: str | None = None,
        codes: Codes | None = None,
        cards: int = 0,
        retry: Retry | None = None,
    ) -> None:
        """Render one document (holding `cards` cards) after those submitted before it.

        If it fails, `retry(error)` (called in this thread) may give back another
        document to render here in its place, or None to leave it out, or raise.
        """
        path = os.path.join(self.folder.name, f"part-{self.submitted}.pdf")
        self.submitted += 1
        if self.pool is None:
            self._render_here(html, assets, css, codes, path, cards, retry)
            return
        job = self.pool.submit(_render_in_worker, html, assets, css, codes, path)
        self.pending.append((job, path, cards, retry))
        while self.pending and (
            self.pending[0][0].done() or len(self.pending) > 2 * self.processes
        ):
            self._collect()

    def settle(self) -> None:
        """Wait until every document submitted so far is rendered (or left out)."""
        while self.pending:
            self._collect()

    def join(self, even: bool = False) -> bytes:
        """Every document's pages in the order submitted, as one PDF (see `concatenate`).
        The render processes stop first: their memory is not needed for the join."""
        self.settle()
        self._stop_pool()
        return concatenate(self.parts, even=even)

    def _collect(self) -> None:
        future, path, cards, retry = self.pending.popleft()
        try:
            future.result()  # re-raises the worker's error
        except BrokenProcessPool:
            raise  # a render process died: not one document's fault
        except Exception as error:
            self._retry(error, path, retry)
            return
        self._finished(path, cards)

    def _render_here(self, html, assets, css, codes, path: str, cards: int, retry) -> None:
        try:
            render_to_file(html, assets, css, codes, path)
        except Exception as error:
            self._retry(error, path, retry)
            return
        self._finished(path, cards)

    def _retry(self, error: Exception, path: str, retry: Retry | None) -> None:
        if retry is None:
            raise error
        document = retry(error)
        if document is not None:
            html, assets, css, codes, cards = document
            self._finished(render_to_file(html, assets, css, codes, path), cards)

    def _finished(self, path: str, cards: int) -> None:
        self.parts.append(path)
        if cards:
            self.cards += cards
            if self.on_rendered:
                self.on_rendered(self.cards)


def concatenate(parts: list[str | bytes], even: bool = False) -> bytes:
    """One PDF of the pages of `parts` (files or bytes), in order: pdfium copies pages
    without re-rendering, reading each part from disk as it goes.

    With `even`, a part with an odd number of pages gets a blank page after it, so
    printed duplex the next part starts on a sheet of its own.
    """
    import pypdfium2 as pdfium

    with _pdfium_lock, tempfile.TemporaryFile() as out:
        joined = pdfium.PdfDocument.new()
        try:
            for part in parts:
                source = pdfium.PdfDocument(part)
                try:
                    joined.import_pages(source)
                    if even and len(source) % 2:
                        last = source[len(source) - 1]
                        joined.new_page(*last.get_size())
                        last.close()
                finally:
                    source.close()
            joined.save(out)
        finally:
            joined.close()
        out.seek(0)
        return out.read()
