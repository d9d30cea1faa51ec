"""Reading the files an administrator hands to lovflow (plans, scenarios, `--fields-file`,
minutes, audit exports, documents) without trusting them.

A file may be huge, endless (`/dev/zero`, a FIFO), binary, nested thousands of levels deep or
hold a 5,000-digit number. Each of these used to end in a traceback, a parser spinning for
minutes or the kernel killing the process. Here every file is read with a size limit (never past
it), decoded as UTF-8, and its nesting measured by a cheap scan *before* tomllib or json see it,
so a hostile file is refused at once with one `FileInputError` whose message callers put after
the name of the input.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import stat
import tomllib
from collections.abc import Callable
from pathlib import Path
from typing import Any

from models.domain.quote import short

MIB = 1024 * 1024
# Plans, scenarios, field files and minutes are written by hand: the largest real plan is
# 15 KB, so 1 MiB leaves ample room while keeping a mistaken or hostile file cheap to refuse.
MAX_PLAN_BYTES = 1 * MIB
MAX_SCENARIO_BYTES = 1 * MIB
MAX_FIELDS_BYTES = 1 * MIB
MAX_MINUTES_BYTES = 1 * MIB
# lov.toml and certificate files (PEM): a few KB each.
MAX_CONFIG_BYTES = 1 * MIB
# A claim CSV has one line per claim line; 10 MiB is hundreds of thousands of them.
MAX_CSV_BYTES = 10 * MIB
# An audit export is one line per recorded event of one provider (about 0.5 KB each): 256 MiB
# is half a million events, far beyond a provider's lifetime, and still fits in memory.
MAX_AUDIT_EXPORT_BYTES = 256 * MIB
# `--document` is only hashed (streamed), never held in memory; the limit stops `/dev/zero`-like
# inputs and documents nobody would send as a self-inspection report.
MAX_DOCUMENT_BYTES = 100 * MIB
# Real plans nest 4 levels (plan → obligations → item → schedule); Python's parsers recurse per
# level and give up with RecursionError near 1,000, so 32 is generous and far from that.
MAX_DEPTH = 32
# Keys (`=`) and table headers of a TOML file. sundsvall.toml has about 230; tomllib slows down
# badly on files built of very many or very long dotted keys.
MAX_TOML_KEYS = 10_000
_CHUNK = 1 * MIB


class FileInputError(ValueError):
    """A file that cannot be used. `str()` is one line saying what is wrong, without the file's
    name: callers name the input their own way (`--fields-file: x.toml: …`)."""


def _open(path: Path) -> int:
    """An open descriptor of a regular file, or FileInputError. O_NONBLOCK: opening a FIFO
    without a writer would otherwise wait forever before we could look at what it is."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
    except FileNotFoundError:
        raise FileInputError("filen finns inte (no such file)") from None
    except OSError as err:
        raise FileInputError(f"kan inte läsa (cannot read): {err.strerror or err}") from None
    mode = os.fstat(fd).st_mode
    if not stat.S_ISREG(mode):
        os.close(fd)
        if stat.S_ISDIR(mode):
            raise FileInputError("är en mapp, inte en fil (is a directory)")
        raise FileInputError("är ingen vanlig fil (not a regular file: a device or a pipe)")
    return fd


def _too_large(limit: int) -> FileInputError:
    return FileInputError(f"filen är för stor (too large): högst {limit:,} byte".replace(",", " "))


def read_bytes(path: Path, limit: int) -> bytes:
    """The bytes of the regular file `path`; FileInputError when it is larger than `limit`
    (checked before reading, and never more than `limit + 1` bytes are read, in case it grows)."""
    fd = _open(path)
    try:
        if os.fstat(fd).st_size > limit:
            raise _too_large(limit)
        chunks: list[bytes] = []
        total = 0
        while total <= limit:
            chunk = os.read(fd, min(_CHUNK, limit + 1 - total))
            if not chunk:
                break
            chunks.append(chunk)
            total += len(chunk)
        if total > limit:
            raise _too_large(limit)
        return b"".join(chunks)
    except OSError as err:
        raise FileInputError(f"kan inte läsa (cannot read): {err.strerror or err}") from None
    finally:
        os.close(fd)


def read_text(path: Path, limit: int, encoding: str = "utf-8") -> str:
    """`read_bytes` decoded as UTF-8 (`utf-8-sig` for spreadsheet exports)."""
    data = read_bytes(path, limit)
    try:
        return data.decode(encoding)
    except UnicodeDecodeError as err:
        raise FileInputError(
            f"inte UTF-8-text (not UTF-8 text, a binary file?): byte {err.start + 1}"
        ) from None


def file_digest(path: Path, limit: int = MAX_DOCUMENT_BYTES) -> tuple[str, int]:
    """(SHA-256 hex, size) of the regular file `path`, streamed; FileInputError beyond `limit`."""
    fd = _open(path)
    digest = hashlib.sha256()
    size = 0
    try:
        if os.fstat(fd).st_size > limit:
            raise _too_large(limit)
        while chunk := os.read(fd, _CHUNK):
            size += len(chunk)
            if size > limit:
                raise _too_large(limit)
            digest.update(chunk)
    except OSError as err:
        raise FileInputError(f"kan inte läsa (cannot read): {err.strerror or err}") from None
    finally:
        os.close(fd)
    return digest.hexdigest(), size


def _too_deep(max_depth: int) -> FileInputError:
    return FileInputError(f"för djupt nästlad (nested too deeply): högst {max_depth} nivåer")


# JSON strings (a backslash escapes the next character) and the characters that nest.
_JSON_TOKENS = re.compile(r'"(?:[^"\\\n]|\\.)*(?:"|$)|[\[\]{}\n]', re.MULTILINE)


def check_json_depth(text: str, max_depth: int = MAX_DEPTH, *, per_line: bool = False) -> None:
    """FileInputError when arrays/objects in `text` nest deeper than `max_depth`. With
    `per_line` (JSON Lines) each line counts on its own: a line never continues the last one."""
    depth = 0
    for match in _JSON_TOKENS.finditer(text):
        token = match.group()
        if token in "[{":
            depth += 1
            if depth > max_depth:
                raise _too_deep(max_depth)
        elif token in "]}":
            depth = max(depth - 1, 0)
        elif token == "\n" and per_line:
            depth = 0


# TOML strings (multi-line first; an unterminated one runs to the end instead of making the
# scan quadratic), comments, and the characters that make keys and values nest.
_TOML_TOKENS = re.compile(
    r'"""(?:[^\\]|\\.)*?(?:"""|\Z)|\'\'\'.*?(?:\'\'\'|\Z)'
    r'|"(?:[^"\\\n]|\\.)*(?:"|$)|\'[^\'\n]*(?:\'|$)|#[^\n]*'
    r"|[\[\]{}=,.\n]",
    re.DOTALL | re.MULTILINE,
)


def check_toml_shape(text: str, max_depth: int = MAX_DEPTH, max_keys: int = MAX_TOML_KEYS) -> None:
    """FileInputError when the TOML `text` would nest deeper than `max_depth` tables/arrays
    (table headers, dotted keys and inline arrays/tables all count) or has more than `max_keys`
    keys. Not a parser: for valid TOML it measures exactly, for invalid TOML it only has to
    stay linear; tomllib reports the syntax error afterwards."""
    table = 1  # depth of the current [table]: the document itself is one level
    stack: list[tuple[str, int]] = []  # open `[`/`{` in values, with the depth they open
    in_key, header, dots, keys = True, 0, 0, 0
    value_parent = table

    def deeper(level: int) -> None:
        if level > max_depth:
            raise _too_deep(max_depth)

    for match in _TOML_TOKENS.finditer(text):
        token = match.group()
        if header:  # inside a [table] or [[array of tables]] header
            if token == ".":
                dots += 1
                deeper(1 + dots + header)
            elif token == "[":
                header = 2  # `[[`: the array adds a level
            elif token == "]":
                table = 1 + dots + header
                header, in_key, dots = 0, False, 0
            continue
        if token == "\n":
            if not stack:
                in_key, dots = True, 0
        elif token == "." and in_key:
            dots += 1
            deeper((stack[-1][1] if stack else table) + dots)
        elif token == "=" and in_key:
            keys += 1
            if keys > max_keys:
                raise FileInputError(f"för många nycklar (too many keys): högst {max_keys}")
            value_parent = (stack[-1][1] if stack else table) + dots
            in_key, dots = False, 0
        elif token == "[" and in_key and not stack:
            keys += 1
            header, dots = 1, 0
        elif token in "[{" and not in_key:
            level = value_parent + 1
            deeper(level)
            stack.append((token, level))
            value_parent = level
            if token == "{":
                in_key, dots = True, 0
        elif token in "]}" and stack:
            stack.pop()
            in_key = False
            if stack:
                value_parent = stack[-1][1]
        elif token == "," and stack:
            if stack[-1][0] == "{":
                in_key, dots = True, 0
            else:
                value_parent = stack[-1][1]


def _value_error(err: ValueError) -> FileInputError:
    """A ValueError from a parser's number conversion, e.g. Python's 4,300-digit int limit."""
    if "integer string conversion" in str(err):
        return FileInputError("ett tal har för många siffror (a number has too many digits)")
    return FileInputError(f"ogiltigt värde (invalid value): {short(str(err), 80)}")


def parse_toml(text: str) -> dict[str, Any]:
    """`tomllib.loads` after `check_toml_shape`. tomllib.TOMLDecodeError passes through (each
    caller words syntax errors its own way); every other failure is FileInputError."""
    check_toml_shape(text)
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError:
        raise
    except ValueError as err:
        raise _value_error(err) from None
    except RecursionError:  # the scan above should make this unreachable; never a traceback
        raise _too_deep(MAX_DEPTH) from None


def parse_json(
    text: str,
    *,
    per_line: bool = False,
    object_pairs_hook: Callable[[list[tuple[str, Any]]], Any] | None = None,
) -> Any:
    """`json.loads` after `check_json_depth`. json.JSONDecodeError passes through; an int too
    long to convert is FileInputError."""
    check_json_depth(text, per_line=per_line)
    try:
        return json.loads(text, object_pairs_hook=object_pairs_hook)
    except json.JSONDecodeError:
        raise
    except ValueError as err:
        raise _value_error(err) from None
    except RecursionError:
        raise _too_deep(MAX_DEPTH) from None


def load_toml(path: Path, limit: int) -> dict[str, Any]:
    """A TOML file read with `read_text` and parsed with `parse_toml`."""
    return parse_toml(read_text(path, limit))


def check_output_target(path: Path) -> None:
    """FileInputError unless a file can be written at `path`: checked before the work whose
    result goes there, so a typo does not cost a long report run."""
    if not path.parent.is_dir():
        raise FileInputError(f"mappen finns inte (no such folder): {path.parent}")
    if path.is_dir():
        raise FileInputError("är en mapp (is a directory)")
    # Devices stay allowed (`--html /dev/stdout`); a write that fails is reported by write_text.
    target = path if path.exists() else path.parent
    if not os.access(target, os.W_OK):
        raise FileInputError("får inte skriva här (permission denied)")


def write_text(path: Path, text: str) -> None:
    """`path.write_text`, with an OS refusal (read-only disk, full disk, permissions) as
    FileInputError."""
    try:
        path.write_text(text, encoding="utf-8")
    except OSError as err:
        raise FileInputError(f"kan inte skriva (cannot write): {err.strerror or err}") from None
