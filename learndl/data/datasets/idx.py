"""Read and write IDX files, the plain array format of MNIST and Fashion-MNIST.

An IDX file is a header and then raw numbers, all big-endian::

    bytes 0-1   0x00 0x00          (always zero)
    byte  2     type code          (0x08 = uint8, see _DTYPES)
    byte  3     number of dims d
    next 4*d    each dim as a big-endian uint32
    rest        the values, row-major, big-endian

So ``train-images-idx3-ubyte`` starts ``00 00 08 03`` (uint8, 3 dims), then 60000, 28,
28. Files may be gzip-compressed; we detect that by content, not by the file name.
"""

from __future__ import annotations

import gzip
import os
import struct
from pathlib import Path

import numpy as np

_DTYPES = {
    0x08: np.dtype(">u1"),
    0x09: np.dtype(">i1"),
    0x0B: np.dtype(">i2"),
    0x0C: np.dtype(">i4"),
    0x0D: np.dtype(">f4"),
    0x0E: np.dtype(">f8"),
}
_CODES = {dtype.newbyteorder("="): code for code, dtype in _DTYPES.items()}
_GZIP_MAGIC = b"\x1f\x8b"


class IDXError(ValueError):
    """The bytes are not a valid IDX file (foreign, truncated or with trailing data)."""


def _read_bytes(path: str | os.PathLike) -> bytes:
    raw = Path(path).read_bytes()
    if raw[:2] != _GZIP_MAGIC:
        return raw
    try:
        return gzip.decompress(raw)
    except (EOFError, OSError) as err:
        raise IDXError(
            f"{path}: the gzip stream is damaged or cut short ({err}). "
            f"Delete the file and download it again."
        ) from err


def parse_idx(data: bytes, name: str = "<bytes>") -> np.ndarray:
    """Decode the bytes of an (uncompressed) IDX file into a native-endian array.

    Raises:
        IDXError: with the reason (bad magic, unknown type code, wrong length).

    Example:
        >>> parse_idx(bytes([0, 0, 8, 1, 0, 0, 0, 3, 7, 8, 9])).tolist()
        [7, 8, 9]
    """
    if len(data) < 4:
        raise IDXError(f"{name}: only {len(data)} bytes, too short for an IDX header (4+).")
    zero, code, ndim = struct.unpack(">HBB", data[:4])
    if zero != 0:
        raise IDXError(
            f"{name}: not an IDX file — it should start with two zero bytes, "
            f"found {data[:2].hex(' ')}."
        )
    if code not in _DTYPES:
        known = ", ".join(f"0x{c:02X}" for c in _DTYPES)
        raise IDXError(f"{name}: unknown IDX type code 0x{code:02X} (known: {known}).")
    header = 4 + 4 * ndim
    if len(data) < header:
        raise IDXError(
            f"{name}: header says {ndim} dims but the file ends after {len(data)} bytes."
        )
    shape = struct.unpack(f">{ndim}I", data[4:header])
    dtype = _DTYPES[code]
    expected = int(np.prod(shape, dtype=np.int64)) * dtype.itemsize
    found = len(data) - header
    if found != expected:
        problem = "truncated" if found < expected else "has trailing data"
        raise IDXError(
            f"{name}: {problem} — shape {shape} of {dtype.newbyteorder('=').name} needs "
            f"{expected} data bytes after the {header}-byte header, found {found}."
        )
    array = np.frombuffer(data, dtype=dtype, offset=header).reshape(shape)
    return array.astype(dtype.newbyteorder("="))


def read_idx(path: str | os.PathLike) -> np.ndarray:
    """Read an IDX file, gzip-compressed or not.

    Example:
        >>> import tempfile, os
        >>> path = os.path.join(tempfile.mkdtemp(), "a-idx2-ubyte.gz")
        >>> write_idx(path, np.arange(6, dtype=np.uint8).reshape(2, 3))
        >>> read_idx(path).shape
        (2, 3)
    """
    return parse_idx(_read_bytes(path), name=str(path))


def write_idx(path: str | os.PathLike, array: np.ndarray) -> None:
    """Write ``array`` as an IDX file, gzip-compressed when ``path`` ends in ``.gz``.

    Raises:
        TypeError: if the dtype has no IDX type code (use uint8, int8, int16, int32,
            float32 or float64).
    """
    array = np.asarray(array)
    code = _CODES.get(array.dtype.newbyteorder("="))
    if code is None:
        raise TypeError(f"write_idx: IDX cannot store dtype {array.dtype}.")
    header = struct.pack(f">HBB{array.ndim}I", 0, code, array.ndim, *array.shape)
    data = header + array.astype(_DTYPES[code]).tobytes()
    if str(path).endswith(".gz"):
        # mtime=0 makes the compressed bytes (and so their checksum) reproducible.
        data = gzip.compress(data, mtime=0)
    Path(path).write_bytes(data)
