"""File-system helpers shared by every step that writes: atomic writes, hashes, and
reading a site file without following symbolic links."""

from __future__ import annotations

import errno
import hashlib
import os
import shutil
import stat
import tempfile
from pathlib import Path, PurePath


def sha256_bytes(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as stream:
        for chunk in iter(lambda: stream.read(1 << 16), b""):
            digest.update(chunk)
    return digest.hexdigest()


def write_atomic(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` so that readers see the old file or the new one, never half.

    The bytes go to a temporary file in the same folder, are flushed to disk, then the
    temporary file replaces the target in one rename.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        os.fchmod(fd, 0o666 & ~current_umask())  # mkstemp's 0600 would hide outputs from the team
        with os.fdopen(fd, "wb") as stream:
            stream.write(data)
            stream.flush()
            os.fsync(stream.fileno())
        os.replace(temporary, path)
    except OSError as error:  # name the file: a failed write() does not
        Path(temporary).unlink(missing_ok=True)
        raise OSError(error.errno, error.strerror, str(path)) from error
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def current_umask() -> int:
    """The process's umask (read by setting it and putting it back)."""
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


class UnsafeFile(Exception):
    """A file that :func:`read_inside` refuses: a symbolic link, or not a regular file."""


def read_inside(root: Path, relative: PurePath) -> bytes:
    """The bytes of ``root / relative``, each folder and the file opened without following
    symbolic links, so that a link swapped in at any level never reads a file elsewhere."""
    parts = relative.parts
    if not parts or relative.is_absolute() or ".." in parts:
        raise UnsafeFile(f"{relative} is not a path inside {root}")
    directory = os.open(root, os.O_RDONLY | os.O_DIRECTORY)
    try:
        for part in parts[:-1]:
            inner = _open_no_follow(part, os.O_RDONLY | os.O_DIRECTORY, directory, relative)
            os.close(directory)
            directory = inner
        fd = _open_no_follow(parts[-1], os.O_RDONLY, directory, relative)
    finally:
        os.close(directory)
    with os.fdopen(fd, "rb") as stream:
        if not stat.S_ISREG(os.fstat(stream.fileno()).st_mode):
            raise UnsafeFile(f"{relative} is not a regular file")
        return stream.read()


def _open_no_follow(name: str, flags: int, directory: int, relative: PurePath) -> int:
    try:
        return os.open(name, flags | os.O_NOFOLLOW | os.O_NONBLOCK, dir_fd=directory)
    except OSError as error:
        if error.errno in (errno.ELOOP, errno.ENOTDIR):  # a symbolic link where a file or folder was
            raise UnsafeFile(f"{relative} passes through a symbolic link ({name}); invoice copies are read only as regular files") from None
        raise


class Staging:
    """Files written under ``<output>/.staging-<random>/`` and moved into ``output``
    together by :meth:`commit`, or thrown away by :meth:`discard`: a build that fails
    midway (a template error in its hundredth document) leaves the output folder as it
    was. Each build has its own staging folder, so shards building into one folder at the
    same time do not meet."""

    def __init__(self, output: Path):
        self.output = output
        self.created_output = not output.exists()
        output.mkdir(parents=True, exist_ok=True)
        self.folder = Path(tempfile.mkdtemp(prefix=".staging-", dir=output))

    def commit(self) -> None:
        """Move every staged file to its place in the output (each move atomic)."""
        if self.folder.is_dir():
            for staged in sorted(path for path in self.folder.rglob("*") if path.is_file()):
                target = self.output / staged.relative_to(self.folder)
                target.parent.mkdir(parents=True, exist_ok=True)
                os.replace(staged, target)
        shutil.rmtree(self.folder, ignore_errors=True)

    def discard(self) -> None:
        """Forget every staged file; remove the output folder too if this build created it."""
        shutil.rmtree(self.folder, ignore_errors=True)
        if self.created_output and self.output.is_dir() and not any(self.output.iterdir()):
            self.output.rmdir()
