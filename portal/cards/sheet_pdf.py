"""Turning a sheet's documents into one PDF: on both cores, a few pages at a time.

WeasyPrint is pure Python and single-threaded: a 500-card sheet is about a
minute of one core's time if rendered in one process. The sheet is cut into
documents of a few pages; worker processes (spawned, so nothing of the
parent's threads or database connections is copied) render them while the
parent gathers the next cards, and pdfium joins the parts in order. Each
process only ever holds a few pages, so memory stays flat however big the
batch. One-document sheets are rendered in the calling process.
"""

from __future__ import annotations

import multiprocessing
import os
import tempfile
import threading
from collections import deque
from collections.abc import Callable
from concurrent.futures import Future, ProcessPoolExecutor
from pathlib import Path

from portal.cards.render import pdf_from_html

Assets = dict[str, tuple[bytes, str]]
Codes = dict[str, str]
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
        self.pending: deque[tuple[Future | None, str, int]] = deque()
        self.parts: list[str] = []
        self.cards = 0
        self.pool: ProcessPoolExecutor | None = None

    def __enter__(self) -> Renderer:
        self.folder = tempfile.TemporaryDirectory(prefix="sheet-")
        if self.processes > 1:
            self.pool = ProcessPoolExecutor(
                self.processes, mp_context=multiprocessing.get_context("spawn")
            )
        return self

    def __exit__(self, *exc) -> None:
        try:
            if self.pool is not None:
                self.pool.shutdown(wait=True, cancel_futures=True)
        finally:
            self.folder.cleanup()

    def submit(
        self,
        html: str,
        assets: Assets,
        css: str | None = None,
        codes: Codes | None = None,
        cards: int = 0,
    ) -> None:
        """Render one document (holding `cards` cards) after those submitted before it."""
        path = os.path.join(self.folder.name, f"part-{len(self.parts) + len(self.pending)}.pdf")
        if self.pool is None:
            self._finished(render_to_file(html, assets, css, codes, path), cards)
            return
        job = self.pool.submit(render_to_file, html, assets, css, codes, path)
        self.pending.append((job, path, cards))
        while self.pending and (
            self.pending[0][0].done() or len(self.pending) > 2 * self.processes
        ):
            self._collect()

    def join(self, even: bool = False) -> bytes:
        """Every document's pages in the order submitted, as one PDF (see `concatenate`)."""
        while self.pending:
            self._collect()
        return concatenate(self.parts, even=even)

    def _collect(self) -> None:
        future, path, cards = self.pending.popleft()
        future.result()  # re-raises the worker's error
        self._finished(path, cards)

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
