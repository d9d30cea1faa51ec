"""Certificate files named by settings: read bounded, checked when the settings are loaded.

Like every other file input (models.domain.file_input), a certificate is read only if it is a
regular
file of at most MAX_CONFIG_BYTES: `/dev/zero` or a FIFO in `LOV_SMTP_TLS_CA_CERT` would
otherwise be read by ssl until the worker is killed, at the first e-mail. A path that cannot be
used is bad input, refused at start-up with one line naming the setting (exit 2).
"""

from __future__ import annotations

import ssl
from pathlib import Path

from models.domain.file_input import MAX_CONFIG_BYTES, FileInputError, read_bytes
from models.domain.quote import short


class CertificateError(ValueError):
    """One line: the setting's LOV_<NAME>, the path and what is wrong."""


def read_certificate(path: Path, setting: str) -> bytes:
    """The bytes of a certificate or key file (PEM), bounded; CertificateError otherwise."""
    try:
        return read_bytes(path, MAX_CONFIG_BYTES)
    except FileInputError as err:
        raise CertificateError(f"{setting}: {short(str(path), 120)}: {err}") from None


def ca_context(path: Path, setting: str) -> ssl.SSLContext:
    """A client TLS context that trusts the CA certificate(s) in `path` (hostnames checked, as
    ssl's default context does)."""
    data = read_certificate(path, setting)
    try:
        return ssl.create_default_context(cadata=data.decode("ascii"))
    except (UnicodeDecodeError, ssl.SSLError, ValueError) as err:
        reason = " ".join(str(err).split())[:120]
        raise CertificateError(
            f"{setting}: {short(str(path), 120)}: inget användbart PEM-certifikat "
            f"(not a usable PEM CA certificate: {reason})"
        ) from None
