"""Files written whole or not at all: a report, a retry file or an export replaces its path
only once every row is in it.

They were written in place: a Ctrl-C, a kill or a full disk in the middle left a file cut
off at some row that read back as a whole sheet (a retry file missing most of its rows, an
export whose sync then removed what the lost rows held), over the earlier run's file.  Now
the rows go to a hidden file beside the path, which is renamed over it at the end (one step
on every disk: the old file or the new, never part of one) and deleted when the write fails.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import stat
from collections.abc import Iterator
from pathlib import Path

#: Hidden files being written end so (deleted when the write fails).
PARTIAL_SUFFIX = ".partial"


@contextlib.contextmanager
def written_whole(path: Path) -> Iterator[Path]:
    """A new hidden path beside ``path`` to write the file to: it replaces ``path`` once the
    block ends, and is deleted if the block raises (a KeyboardInterrupt included).  A path
    that is a symbolic link is written where it points, as an open for writing would.  A path
    that is not a file (a device such as ``/dev/full``, a named pipe) is written in place, as
    before: a rename would put a file in its place (as root, over a device of ``/dev``)."""
    target = Path(os.path.realpath(path))
    if target.exists() and not target.is_file():
        yield target
        return
    target.parent.mkdir(parents=True, exist_ok=True)
    temp = hidden_beside(target, target.name, secrets.token_hex(8), PARTIAL_SUFFIX)
    replaced = False
    try:  # the file is made inside it: a Ctrl-C just after its creation left it behind
        os.close(os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, _mode(target)))
        yield temp
        os.replace(temp, target)
        replaced = True
    finally:
        if not replaced:
            with contextlib.suppress(OSError):
                temp.unlink()


def hidden_beside(target: Path, name: str, tag: str, end: str) -> Path:
    """The path of a hidden file beside ``target``, ``.{name}.{tag}{end}``, with ``name`` cut
    so that the whole stays within the longest name the folder's file system takes (255 bytes
    on most, 143 on eCryptfs).  Before, a report or retry file whose own name was within it
    but not with the tag added passed every check made before sending, then could not be
    written once the rows were sent ("File name too long")."""
    room = name_max(target.parent) - len(f"..{tag}{end}".encode())
    cut = name.encode()[: max(room, 1)].decode("utf-8", "ignore")
    return target.with_name(f".{cut}.{tag}{end}")


def name_max(folder: Path) -> int:
    """The longest file name ``folder``'s file system takes, in bytes: its nearest folder
    that exists says (255 when none can tell)."""
    for place in (folder, *folder.parents):
        try:
            return int(os.pathconf(place, "PC_NAME_MAX"))
        except FileNotFoundError:
            continue
        except (OSError, ValueError, AttributeError):
            break
    return 255


def _mode(target: Path) -> int:
    """The permissions of the file replaced (a report kept private stays private: it holds
    the sheet's own columns, e-mail addresses among them), or the umask's for a new one."""
    try:
        return stat.S_IMODE(os.stat(target).st_mode)
    except OSError:
        return 0o666


__all__ = ["PARTIAL_SUFFIX", "hidden_beside", "name_max", "written_whole"]
