"""Work spread over forked processes, this one doing its share (see :func:`forked_map`
for why fork).  Whatever a child does not answer is left to the caller, so an
answer never depends on a child.
"""

from __future__ import annotations

import contextlib
import os
import sys

from typing import Generic, TypeVar

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any, Callable, Iterable, Iterator, NoReturn, Optional, Sequence

_T = TypeVar("_T")
_R = TypeVar("_R")


def can_fork() -> bool:
    """Whether :func:`forked_map` may run.  ``fork()`` copies only the calling thread,
    so it is safe while no other thread could hold a lock; macOS's system
    libraries do not support it at all (its default start method is spawn)."""
    if not hasattr(os, "fork") or sys.platform == "darwin":
        return False
    threading = sys.modules.get("threading")
    return threading is None or threading.active_count() == 1


def forked_map(
    function: Callable[[_T], _R], shares: Sequence[_T], meanwhile: Optional[Callable[[], None]] = None
) -> Iterator[_R]:
    """``function(share) for share in shares``: the first share here, each other one in
    a child forked for it, answered in order (the first before waiting for any child).
    ``meanwhile()`` runs here once the children are started, before the first share:
    the children are busy with the longer part of their work (answering, pickled).

    Why fork and not a process pool: a child starts at once with everything
    this process holds (file bytes, parsed facts), so only its answer crosses
    back, pickled through a pipe; importing ``concurrent.futures`` and
    ``multiprocessing`` alone costs more than most lints.  A child that fails leaves its
    share to this process, so the answer never depends on the children.
    """
    children: list[tuple[Optional[int], int, _T]] = []  # not yet consumed: see _start
    if len(shares) > 1:
        # Before the forks, so that each child starts with it: this process reads the answers with it.
        import pickle  # noqa: F401
    try:
        for share in shares[1:]:
            children.append(_start(function, share, [fd for _, fd, _ in children]))
        if meanwhile is not None:
            meanwhile()
        yield function(shares[0])
        while children:
            pid, read_end, share = children[0]
            answer: tuple[Any, ...] = ()
            if pid is not None:
                with os.fdopen(read_end, "rb") as pipe:
                    data = pipe.read()
                children[0] = (pid, -1, share)
                answer = _answer(data) if _reap(pid) is not False else ()
            children.pop(0)
            yield answer[0] if answer else function(share)
    finally:  # left early (an error, or the caller stopped): do not leave children behind
        # Every read end first: a child blocked writing a large answer may hold a
        # sibling's pipe open (inherited at fork), so no wait may come before this.
        for _, read_end, _ in children:
            if read_end >= 0:
                with contextlib.suppress(OSError):
                    os.close(read_end)
        for pid, _, _ in children:
            if pid is not None:
                _kill(pid)


def _start(function: Callable[[_T], _R], share: _T, inherited: list[int]) -> tuple[Optional[int], int, _T]:
    """``(pid, read end, share)`` of a child forked to answer ``function(share)``, or
    ``(None, -1, share)`` when no process can be made now (the caller answers it).
    The child closes the pipes of its elder siblings, which it inherited."""
    try:
        read_end, write_end = os.pipe()
    except OSError:
        return None, -1, share
    try:
        pid = os.fork()
    except OSError:  # EAGAIN, ENOMEM: too many processes, or not enough memory
        os.close(read_end)
        os.close(write_end)
        return None, -1, share
    if pid == 0:
        os.close(read_end)
        for fd in inherited:
            if fd >= 0:
                with contextlib.suppress(OSError):
                    os.close(fd)
        _answer_and_exit(function, share, write_end)
    os.close(write_end)
    return pid, read_end, share


def _answer(data: bytes) -> tuple[object, ...]:
    """``(answer,)`` from a child's pickled answer, or ``()`` if it is not whole."""
    import pickle

    try:
        return (pickle.loads(data),)
    except Exception:  # a child that died mid-write leaves a truncated pickle
        return ()


def _reap(pid: int) -> Optional[bool]:
    """Wait for a child: whether it exited cleanly, or None when that cannot be known
    (SIGCHLD ignored, as a parent process may leave it: the child reaped itself)."""
    try:
        _, status = os.waitpid(pid, 0)
    except ChildProcessError:
        return None
    return status == 0


def _kill(pid: int) -> None:
    """End a child whose answer is not wanted, and reap it."""
    import signal

    with contextlib.suppress(OSError):
        os.kill(pid, signal.SIGKILL)
    with contextlib.suppress(OSError):
        os.waitpid(pid, 0)


class FromTheEnd(Generic[_R]):
    """A forked child that does ``work(index)`` from the last index backwards while this
    process works from the first one forwards, until the two meet: however the
    machine shares its cores between them, neither waits long for the other.

    Each side claims an index before working on it: this process by raising the
    count it has taken from the start (:meth:`claim`), the child by lowering the
    first index it has taken from the end (both in shared memory, each written by
    one side only), and each stops where the other has claimed.  A stale read can
    only make both do one index, never leave one to nobody; and the caller does
    whatever the child did not answer.  The child runs ``start()`` first and sends
    ``finish()`` last; it skips the indices :meth:`publish` marks as not wanted.
    Answers come in batches through a pipe, taken in (:meth:`poll`) as they arrive.
    """

    def __init__(
        self, count: int, work: Callable[[int], _R], start: Optional[Callable[[], None]] = None,
        finish: Optional[Callable[[], object]] = None,
    ) -> None:
        import mmap

        # Before the fork, so that the child starts with it: this process reads the
        # answers with it anyway.
        import pickle  # noqa: F401

        # Taken from the start, first index taken from the end, then a flag per index
        # (0: not known yet, 1: wanted, 2: not wanted).
        self._count = count
        self._shared = mmap.mmap(-1, 16 + count)
        self._shared[8:16] = count.to_bytes(8, "little")
        self._received = bytearray()  # not yet unpickled
        self._answers: dict[int, _R] = {}
        self._finished: Optional[tuple[object]] = None  # (what finish() returned,) once received
        self._pid: Optional[int] = None  # None once reaped, or if no child could be made
        self._read_end = -1  # -1 once closed
        try:
            read_end, write_end = _pipe()
        except OSError:
            return  # no child: this process claims every index (see claim)
        try:
            pid = os.fork()
        except OSError:
            os.close(read_end)
            os.close(write_end)
            return
        if pid == 0:
            os.close(read_end)
            self._child(count, work, start, finish, write_end)
        os.close(write_end)
        os.set_blocking(read_end, False)
        self._pid, self._read_end = pid, read_end

    def publish(self, wanted: Iterable[bool]) -> None:
        """Tell the child which indices are wanted (one flag each, in order)."""
        flags = bytes(1 if want else 2 for want in wanted)
        self._shared[16:16 + len(flags)] = flags

    def claim(self, index: int) -> bool:
        """Take ``index`` for this process, unless the child has taken it."""
        # min(): the count is copied, not written atomically; a torn read may only make
        # both sides do an index, and never send this side past the end.
        if index >= min(int.from_bytes(self._shared[8:16], "little"), self._count):
            return False
        self._shared[0:8] = (index + 1).to_bytes(8, "little")
        return True

    def poll(self) -> list[tuple[int, _R]]:
        """Take in what the child has sent so far, without waiting; return the answers
        that came in with it, as (index, answer) pairs."""
        while self._read_end >= 0:
            try:
                data = os.read(self._read_end, 1 << 20)
            except BlockingIOError:
                break
            if not data:
                break
            self._received += data
        return self._unpickle()

    def _unpickle(self) -> list[tuple[int, _R]]:
        """Unpickle the messages received whole (each a pickle after its length, 8 bytes),
        and return the answers they held."""
        import pickle

        received = self._received
        new: list[tuple[int, _R]] = []
        start = 0
        while start + 8 <= len(received):
            size = int.from_bytes(received[start:start + 8], "little")
            if start + 8 + size > len(received):
                break
            message = pickle.loads(received[start + 8:start + 8 + size])
            start += 8 + size
            if isinstance(message, tuple):  # the last one: what finish() returned
                self._finished = message
            else:
                self._answers.update(message)
                new.extend(message)
        del received[:start]
        return new

    def result(self) -> Optional[tuple[dict[int, _R], object]]:
        """The child's answers (index -> answer) and what its ``finish()`` returned, once it
        has ended; None if it failed (then none of its answers is used)."""
        if self._read_end >= 0:
            read_end, self._read_end = self._read_end, -1
            os.set_blocking(read_end, True)
            with os.fdopen(read_end, "rb") as pipe:
                self._received += pipe.read()
        if self._pid is None:
            return None
        pid, self._pid = self._pid, None
        exited_cleanly = _reap(pid)
        self._unpickle()
        # Unknown exit status (SIGCHLD ignored): the final message says it finished.
        if exited_cleanly is False or self._finished is None:
            return None
        return self._answers, self._finished[0]

    def stop(self) -> None:
        """End the child now if :meth:`result` has not reaped it (its answers are not wanted)."""
        if self._read_end >= 0:
            with contextlib.suppress(OSError):
                os.close(self._read_end)
            self._read_end = -1
        if self._pid is not None:
            pid, self._pid = self._pid, None
            _kill(pid)

    def _child(
        self, count: int, work: Callable[[int], _R], start: Optional[Callable[[], None]],
        finish: Optional[Callable[[], object]], write_end: int,
    ) -> NoReturn:
        import pickle

        status = 1
        try:
            if start is not None:
                start()
            shared = self._shared
            with os.fdopen(write_end, "wb") as pipe:

                def send(message: object) -> None:
                    data = pickle.dumps(message, protocol=pickle.HIGHEST_PROTOCOL)
                    pipe.write(len(data).to_bytes(8, "little") + data)
                    pipe.flush()

                batch: list[tuple[int, _R]] = []
                index = count
                while index > int.from_bytes(shared[0:8], "little"):
                    index -= 1
                    shared[8:16] = index.to_bytes(8, "little")
                    if shared[16 + index] != 2:
                        batch.append((index, work(index)))
                    if len(batch) == _BATCH:
                        send(batch)
                        batch = []
                send(batch)
                send((finish() if finish is not None else None,))
            status = 0
        finally:
            os._exit(status)


# Answers per message of a child working from the end: small enough that little is left
# to unpickle once it ends, large enough that pickling stays cheap per answer.
_BATCH = 16


def _pipe() -> tuple[int, int]:
    """``os.pipe()``, with room for a whole answer where Linux allows: a child can then
    write it all and end without waiting for this process to read."""
    read_end, write_end = os.pipe()
    if sys.platform.startswith("linux"):
        with contextlib.suppress(OSError, ImportError):
            import fcntl

            fcntl.fcntl(write_end, getattr(fcntl, "F_SETPIPE_SZ", 1031), 1 << 20)
    return read_end, write_end


def _answer_and_exit(function: Callable[[_T], _R], share: _T, write_end: int) -> NoReturn:
    """The forked child's whole life: answer, hand the answer over, and leave at once
    (no ``atexit`` handlers, no flushing of buffers it shares with its parent)."""
    import pickle

    status = 1
    try:
        with os.fdopen(write_end, "wb") as pipe:
            pickle.dump(function(share), pipe, protocol=pickle.HIGHEST_PROTOCOL)
        status = 0
    finally:
        os._exit(status)
