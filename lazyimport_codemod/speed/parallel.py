"""Parsing and judging files over several processes, with the same answers as one.

The two expensive steps of a cold lint, parsing each file (:func:`extract`)
and judging each file's imports (the rules), work on one file at a time, so
they can be shared out.  A forked child starts with everything this process
holds, and only its answers cross back, pickled.  Whatever a child does not
answer (it failed, or could not be started) is done here, so an answer never
depends on a child.

With exactly two processes, the child works from the last file backwards
while this process works from the first one forwards, until the two meet
(:class:`~lazyimport_codemod.speed.forking.FromTheEnd`): neither waits long for
the other however the machine shares its cores.  For parsing, that child is
started as soon as the prefilter meets a file that imports a heavy package
(:meth:`Parsing.start_early`), so parsing overlaps the rest of the prefilter,
and a clean tree never pays for a child.
"""

from __future__ import annotations

import os
from pathlib import Path

from lazyimport_codemod.parse.facts import FileFacts, extract
from lazyimport_codemod.parse.source import SourceError
from lazyimport_codemod.project.graph import Footprint, ModuleFacts, Project
from lazyimport_codemod.speed import pickling  # noqa: F401  (compact pickles of the records)
from lazyimport_codemod.speed.facts_cache import FactsCache

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Callable, Iterator, Mapping, Optional, Sequence, TypeVar, Union

    from lazyimport_codemod.speed.forking import FromTheEnd

# Below this many files, starting helper processes costs more than it saves.
PARALLEL_THRESHOLD = 160

if TYPE_CHECKING:
    _Job = tuple[bytes, str, Optional[str], bool, tuple[str, ...], frozenset[str]]  # extract()'s arguments
    Summary = Union[FileFacts, str]  # a file's facts, or why it cannot be parsed
    _R = TypeVar("_R")


def processes(jobs: Optional[int], items: int) -> int:
    """How many processes share work on ``items`` files: ``jobs`` if given, else one per
    core (up to 8) once there are enough files to repay starting them."""
    if jobs is not None:
        return max(jobs, 1)
    return min(os.cpu_count() or 1, 8) if items >= PARALLEL_THRESHOLD else 1


def _extract_or_error(job: _Job) -> Summary:
    """Never raises, so one bad file cannot stop the others."""
    try:
        return extract(*job)
    except SourceError as exc:
        return str(exc)


def _extract_all(work: list[_Job]) -> list[Summary]:
    return [_extract_or_error(job) for job in work]


class Parsing:
    """The files of one analysis, parsed (or taken from the facts cache) over processes.

    Use as a context manager: leaving it stops a child that is still parsing.
    """

    def __init__(self, project: Project, datas: Mapping[Path, bytes], jobs: Optional[int],
                 cache: Optional[FactsCache]) -> None:
        self.project = project
        self.datas = datas
        self.jobs = jobs
        self.cache = cache
        self._early: Optional[FromTheEnd[Summary]] = None

    def __enter__(self) -> Parsing:
        return self

    def __exit__(self, *exc: object) -> None:
        if self._early is not None:
            self._early.stop()

    def start_early(self) -> None:
        """Start a child that parses the files from the last one, if two processes share
        the work and no facts cache is used (its hits are looked up per file).

        The child first names every file, as the prefilter does, in the same order,
        so that it has this process's roots (and so its module names and first-party
        names) when it parses.
        """
        project, datas = self.project, self.datas
        if self.cache is not None or processes(self.jobs, len(datas)) != 2 or not datas:
            return
        from lazyimport_codemod.speed.forking import FromTheEnd, can_fork  # only when forking

        if not can_fork():
            return
        paths = list(datas)
        first_party: list[frozenset[str]] = []

        def start() -> None:
            for path in paths:
                project.modules.name_for_path(path)
            first_party.append(project.modules.first_party())

        def parse(index: int) -> Summary:
            path = paths[index]
            name, is_package = project.modules.name_for_path(path)
            return _extract_or_error((datas[path], str(path), name, is_package, project.heavy, first_party[0]))

        self._early = FromTheEnd(len(paths), parse, start)

    def summaries(self, paths: Sequence[Path], meanwhile: Optional[Callable[[], None]] = None
                  ) -> Iterator[tuple[Path, Summary]]:
        """Each path with its facts (or a one-line error), in order.  Lazily: the caller
        works on this process's share while the children finish theirs.  ``meanwhile``
        runs here while children parse (not at all when none does)."""
        early, self._early = self._early, None
        if early is not None:
            if paths:
                try:
                    yield from self._from_both_ends(paths, meanwhile, early)
                finally:
                    early.stop()
                return
            early.stop()
        yield from self._shared_out(paths, meanwhile)

    def _shared_out(self, paths: Sequence[Path], meanwhile: Optional[Callable[[], None]]
                    ) -> Iterator[tuple[Path, Summary]]:
        """Cache hits, and the misses parsed in contiguous shares of about equal size."""
        project, datas, cache = self.project, self.datas, self.cache
        hits: dict[Path, FileFacts] = {}
        misses: list[tuple[Path, Optional[str], bool]] = []
        names = [(path, *project.modules.name_for_path(path)) for path in paths]
        first_party = project.modules.first_party()  # once every path's root is known
        for path, name, is_package in names:
            hit = cache.get(datas[path], name, is_package, first_party) if cache is not None else None
            if hit is not None:
                hits[path] = hit
            else:
                misses.append((path, name, is_package))
        work = [(datas[p], str(p), name, is_package, project.heavy, first_party) for p, name, is_package in misses]
        count = min(processes(self.jobs, len(misses)), len(misses))
        results = _extract_in_parallel(work, count, meanwhile) if count > 1 else iter(_extract_all(work))
        parsed = iter(misses)
        for path in paths:
            if path in hits:
                yield path, hits[path]
                continue
            _, name, is_package = next(parsed)
            result = next(results)
            if cache is not None and not isinstance(result, str):
                cache.put(datas[path], name, is_package, result, first_party)
            yield path, result

    def _from_both_ends(self, paths: Sequence[Path], meanwhile: Optional[Callable[[], None]],
                        early: FromTheEnd[Summary]) -> Iterator[tuple[Path, Summary]]:
        """This process parses the kept files from the start until it meets the child,
        handing each answer on at once, then takes the child's.  Each of the child's
        answers becomes module facts as soon as it comes in, between this process's
        own files, rather than all at once after the two meet."""
        project, datas = self.project, self.datas
        order = list(datas)
        wanted = set(paths)
        early.publish(path in wanted for path in order)
        if meanwhile is not None:
            meanwhile()
        first_party = project.modules.first_party()
        index = {path: i for i, path in enumerate(order)}

        def parse(i: int) -> Summary:
            path = order[i]
            name, is_package = project.modules.name_for_path(path)
            return _extract_or_error((datas[path], str(path), name, is_package, project.heavy, first_party))

        answers: dict[int, Summary] = {}
        pending = iter(paths)
        upcoming = next(pending, None)
        i = 0
        while early.claim(i):
            if order[i] in wanted:
                answers[i] = parse(i)
                while upcoming is not None and index[upcoming] in answers:
                    yield upcoming, answers[index[upcoming]]
                    upcoming = next(pending, None)
            for at, answer in early.poll():
                if order[at] in wanted and not isinstance(answer, str):
                    project.facts_for_path(order[at], datas[order[at]], answer)
            i += 1
        theirs = early.result()
        if theirs is not None:
            answers.update(theirs[0])
        while upcoming is not None:
            at = index[upcoming]
            if at not in answers:
                answers[at] = parse(at)
            yield upcoming, answers[at]
            upcoming = next(pending, None)


def _extract_in_parallel(work: list[_Job], count: int, meanwhile: Optional[Callable[[], None]] = None
                         ) -> Iterator[Summary]:
    """:func:`_extract_all` spread over ``count`` processes, this one included where it
    can fork (each process gets about as many bytes to parse), in order."""
    from lazyimport_codemod.speed.forking import can_fork, forked_map

    if not can_fork():
        from concurrent.futures import ProcessPoolExecutor

        with ProcessPoolExecutor(max_workers=count) as pool:
            yield from pool.map(_extract_or_error, work, chunksize=8)
        return
    total = sum(len(job[0]) for job in work) or 1
    shares: list[list[_Job]] = [[] for _ in range(count)]
    done = 0
    for job in work:
        shares[min(done * count // total, count - 1)].append(job)
        done += len(job[0])
    for share in forked_map(_extract_all, shares, meanwhile):
        yield from share


def judge_files(project: Project, files: list[ModuleFacts], judge: Callable[[ModuleFacts], _R],
                jobs: Optional[int]) -> list[_R]:
    """``judge(facts)`` for each file, in order, over several processes when there are
    many (what every judgement shares must be built before).  What a child looked at is
    taken in (:meth:`Project.absorb`), as if done here."""
    count = min(processes(jobs, len(files)), len(files))
    if count < 2:
        return [judge(facts) for facts in files]
    from lazyimport_codemod.speed.forking import can_fork, forked_map  # only when forking

    if not can_fork():
        return [judge(facts) for facts in files]
    before = project.footprint()
    if count == 2:
        return _judge_from_both_ends(project, files, judge, before)

    def share(part: list[ModuleFacts]) -> tuple[list[_R], Footprint]:
        return [judge(facts) for facts in part], project.footprint().since(before)

    # Contiguous shares: a package's modules share the searches from their parents.
    size = -(-len(files) // count)
    answers = list(forked_map(share, [files[start:start + size] for start in range(0, len(files), size)]))
    for _, seen in answers[1:]:
        project.absorb(seen)
    return [answer for part, _ in answers for answer in part]


def _judge_from_both_ends(project: Project, files: list[ModuleFacts], judge: Callable[[ModuleFacts], _R],
                          before: Footprint) -> list[_R]:
    """:func:`judge_files` over two processes, each from one end: shares stay contiguous,
    and a child that fails leaves its files to this process."""
    from lazyimport_codemod.speed.forking import FromTheEnd

    other = FromTheEnd(len(files), lambda index: judge(files[index]),
                       finish=lambda: project.footprint().since(before))
    answers: dict[int, _R] = {}
    try:
        index = 0
        while other.claim(index):
            answers[index] = judge(files[index])
            other.poll()
            index += 1
        theirs = other.result()
    finally:
        other.stop()
    if theirs is not None and isinstance(theirs[1], Footprint):
        answers.update(theirs[0])
        project.absorb(theirs[1])
    return [answers[index] if index in answers else judge(files[index]) for index in range(len(files))]
