"""``ld.save`` / ``ld.load``: state dicts in one ``.npz`` file, without pickle.

The file is a zip archive, as ``np.savez`` writes it: one ``.npy`` entry per array plus a
``learndl.json`` entry that describes the structure — which dict keys (and their types),
lists, tuples, numbers and strings surround the arrays, and which arrays were tensors
(with their ``requires_grad`` and device). So NumPy alone can read the numbers back,
``unzip -p model.npz learndl.json`` shows what is inside, and loading a file never runs
code from it (PyTorch's pickle-based ``torch.load`` can).

Saving is atomic: the file is written under a temporary name in the same folder, synced
to disk, then renamed over the target, so a crash mid-save leaves the old file intact.

Example:
    >>> import os, tempfile
    >>> import learndl as ld
    >>> state = {"weight": ld.ones(2, 3), "step": 7, "history": [0.5, 0.25]}
    >>> path = os.path.join(tempfile.mkdtemp(), "checkpoint.npz")
    >>> ld.save(state, path)
    >>> back = ld.load(path)
    >>> back["weight"].shape, back["step"], back["history"]
    ((2, 3), 7, [0.5, 0.25])
"""

from __future__ import annotations

import json
import os
import secrets
import zipfile
from collections import OrderedDict
from typing import IO, Any

import numpy as np

from learndl.errors import SerializationError
from learndl.tensor import Tensor

MAGIC = "learndl"
FORMAT_VERSION = 1
METADATA = "learndl.json"  # the zip entry that describes the structure

_SCALARS = {bool: "bool", int: "int", float: "float", str: "str", type(None): "none"}
_CONTAINERS = {dict: "dict", OrderedDict: "OrderedDict", list: "list", tuple: "tuple"}


def save(obj: Any, path: str | os.PathLike) -> None:
    """Write ``obj`` — a state dict — to ``path`` as one ``.npz`` file.

    ``obj`` may nest dicts, lists and tuples of tensors, NumPy arrays and scalars,
    ints, floats, bools, strings and ``None``; dict keys may be strings, ints, floats,
    bools or ``None``. The file is written exactly at ``path`` (no ``.npz`` is appended).

    Raises:
        SerializationError: for anything else (modules, functions, object arrays, ...):
            learndl stores data, never pickled objects.
    """
    path = os.fspath(path)
    arrays: dict[str, np.ndarray] = {}
    root = _encode(obj, "obj", arrays, memo={}, parents=set())
    metadata = {
        "magic": MAGIC,
        "format_version": FORMAT_VERSION,
        "learndl_version": _version(),
        "arrays": {k: {"dtype": a.dtype.str, "shape": list(a.shape)} for k, a in arrays.items()},
        "root": root,
    }
    folder, name = os.path.split(os.path.abspath(path))
    tmp = os.path.join(folder, f".{name}.{secrets.token_hex(4)}.tmp")
    try:
        # O_EXCL: never clobber another file; 0o666 lets the umask decide, as open() would.
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0), 0o666)
        with os.fdopen(fd, "wb") as f:
            _write_zip(f, arrays, metadata)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.remove(tmp)
        raise
    _fsync_folder(folder)


def load(path: str | os.PathLike, map_location: str | None = None) -> Any:
    """Read what ``save`` wrote. Never unpickles: a file can only hold data.

    Args:
        path: the file.
        map_location: ``None`` puts each tensor back on the device it was saved from;
            ``"cpu"`` (or ``"cuda"``) puts them all there.

    Raises:
        SerializationError: if the file is not a complete learndl file (not a zip,
            truncated, written by something else, or its parts disagree).
    """
    path = os.fspath(path)
    if map_location is not None and map_location != "cpu" and not map_location.startswith("cuda"):
        raise ValueError(f"load: map_location must be None, 'cpu' or 'cuda', not {map_location!r}")
    with open(path, "rb") as f:
        head = f.read(6)
    if not head:
        raise _not_ours(path, "the file is empty")
    if head.startswith(b"\x93NUMPY"):
        raise _not_ours(path, "it holds a single .npy array, not a zip archive")
    if not head.startswith(b"PK"):
        raise _not_ours(path, f"it is not a zip archive (it starts with {head!r})")
    try:
        with np.load(path, allow_pickle=False) as npz:
            if METADATA not in npz.files:
                raise _not_ours(path, f"it is a zip archive without a {METADATA} entry")
            metadata = _read_metadata(path, npz[METADATA])
            arrays = {key: npz[key] for key in npz.files if key != METADATA}
    except (SerializationError, FileNotFoundError, IsADirectoryError, PermissionError):
        raise
    except (zipfile.BadZipFile, EOFError, ValueError, OSError, KeyError) as e:
        raise SerializationError(
            f"load: {path!r} is not a complete learndl file ({type(e).__name__}: {e}). "
            "It may be truncated (an interrupted copy or download) or not written by ld.save."
        ) from e
    _check_arrays(path, metadata["arrays"], arrays)
    return _decode(metadata["root"], arrays, map_location, memo={})


# ---------------------------------------------------------------- saving: structure -> JSON
def _encode(obj: Any, where: str, arrays: dict, memo: dict, parents: set) -> dict:
    """Describe ``obj`` as JSON, moving its arrays into ``arrays``; ``where`` names it in errors."""
    kind = _SCALARS.get(type(obj))
    if kind == "none":
        return {"kind": "none"}
    if kind is not None:
        return {"kind": kind, "value": obj}
    if isinstance(obj, Tensor):
        node = {"kind": "tensor", "requires_grad": obj.requires_grad, "device": obj.device}
        return {**node, "array": _add_array(obj, obj.numpy(), where, arrays, memo)}
    if isinstance(obj, np.ndarray):
        return {"kind": "ndarray", "array": _add_array(obj, obj, where, arrays, memo)}
    if isinstance(obj, np.generic):
        return {
            "kind": "numpy_scalar",
            "array": _add_array(obj, np.asarray(obj), where, arrays, {}),
        }
    if type(obj).__module__.startswith("cupy") and hasattr(obj, "get"):
        return {"kind": "ndarray", "array": _add_array(obj, obj.get(), where, arrays, memo)}
    kind = _CONTAINERS.get(type(obj))
    if kind is None:
        raise SerializationError(
            f"save: cannot store {where}, a {type(obj).__module__}.{type(obj).__qualname__}. "
            "ld.save stores tensors, NumPy arrays, numbers, strings, bools, None and dicts, "
            "lists and tuples of them — data, never pickled objects. For a model or an "
            "optimizer, save its state_dict()."
        )
    if id(obj) in parents:
        raise SerializationError(f"save: {where} contains itself; cannot store a cycle.")
    parents.add(id(obj))
    if kind in ("list", "tuple"):
        items = [_encode(v, f"{where}[{i}]", arrays, memo, parents) for i, v in enumerate(obj)]
        node = {"kind": kind, "items": items}
    else:
        keys = [_encode_key(k, where) for k in obj]
        values = [_encode(v, f"{where}[{k!r}]", arrays, memo, parents) for k, v in obj.items()]
        node = {"kind": kind, "keys": keys, "values": values}
    parents.discard(id(obj))
    return node


def _encode_key(key: Any, where: str) -> dict:
    kind = _SCALARS.get(type(key))
    if kind is None:
        raise SerializationError(
            f"save: {where} has a key {key!r} of type {type(key).__name__}; keys must be "
            "strings, ints, floats, bools or None."
        )
    return {"kind": kind} if kind == "none" else {"kind": kind, "value": key}


def _add_array(owner: Any, array: np.ndarray, where: str, arrays: dict, memo: dict) -> str:
    """Store ``array`` once per owner object (a tensor saved twice is one entry)."""
    if id(owner) in memo:
        return memo[id(owner)]
    if array.dtype.hasobject:
        raise SerializationError(
            f"save: {where} is an array of dtype {array.dtype}, which holds Python objects "
            "and could only be stored by pickling. Convert it to a numeric dtype first, "
            "e.g. np.asarray(a, dtype=np.float32)."
        )
    key = f"arr_{len(arrays)}"
    arrays[key] = array
    memo[id(owner)] = key
    return key


def _write_zip(f: IO[bytes], arrays: dict[str, np.ndarray], metadata: dict) -> None:
    """The .npz layout of ``np.savez``, written through a file object (so no name change)."""
    with zipfile.ZipFile(f, "w", compression=zipfile.ZIP_STORED, allowZip64=True) as zf:
        for key, array in arrays.items():
            _write_array(zf, key, array)
        zf.writestr(METADATA, json.dumps(metadata, indent=1))


def _write_array(zf: zipfile.ZipFile, key: str, array: np.ndarray) -> None:
    with zf.open(f"{key}.npy", "w", force_zip64=True) as entry:
        np.lib.format.write_array(entry, np.asanyarray(array), allow_pickle=False)


def _fsync_folder(folder: str) -> None:
    """Make the rename itself durable (POSIX); a no-op where folders cannot be opened."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def _version() -> str:
    import learndl

    return learndl.__version__


# ---------------------------------------------------------------- loading: JSON -> structure
def _not_ours(path: str, why: str) -> SerializationError:
    return SerializationError(
        f"load: {path!r} is not a learndl file: {why}. ld.load reads files written by "
        "ld.save; for other .npz/.npy files use np.load."
    )


def _read_metadata(path: str, raw: bytes) -> dict:
    try:
        metadata = json.loads(raw)
    except (TypeError, ValueError) as e:
        raise _not_ours(path, f"its {METADATA} entry is not valid JSON ({e})") from e
    if not isinstance(metadata, dict) or metadata.get("magic") != MAGIC:
        raise _not_ours(path, f"its {METADATA} entry lacks the {MAGIC!r} magic")
    version = metadata.get("format_version")
    if not isinstance(version, int) or version > FORMAT_VERSION:
        raise SerializationError(
            f"load: {path!r} has format version {version!r}, but this learndl reads versions "
            f"up to {FORMAT_VERSION}. Upgrade learndl to read it."
        )
    if not isinstance(metadata.get("arrays"), dict) or "root" not in metadata:
        raise SerializationError(f"load: {path!r} has incomplete metadata (no arrays or root).")
    return metadata


def _check_arrays(path: str, described: dict, found: dict) -> None:
    """The metadata and the arrays must agree on names, dtypes and shapes."""
    if set(described) != set(found):
        missing, extra = sorted(set(described) - set(found)), sorted(set(found) - set(described))
        raise SerializationError(
            f"load: {path!r} is inconsistent: the metadata lists arrays the file lacks "
            f"{missing} or the file holds arrays the metadata does not list {extra}."
        )
    for key, info in described.items():
        array = found[key]
        if array.dtype.str != info.get("dtype") or list(array.shape) != info.get("shape"):
            raise SerializationError(
                f"load: {path!r} is inconsistent: array {key} is {array.dtype.str} "
                f"{tuple(array.shape)}, but the metadata says {info.get('dtype')} "
                f"{tuple(info.get('shape') or ())}."
            )


def _decode(node: Any, arrays: dict, map_location: str | None, memo: dict) -> Any:
    try:
        kind = node["kind"]
        if kind == "none":
            return None
        if kind in ("bool", "int", "float", "str"):
            value = node["value"]
            if type(value) is not {"bool": bool, "int": int, "float": float, "str": str}[kind]:
                if not (kind == "float" and type(value) is int):  # JSON may write 1.0 as 1
                    raise SerializationError(f"load: a {kind} entry holds {value!r}.")
                value = float(value)
            return value
        if kind == "tensor":
            key = node["array"]
            if key not in memo:
                memo[key] = _tensor(arrays[key], node, map_location)
            return memo[key]
        if kind == "ndarray":
            return memo.setdefault(node["array"], arrays[node["array"]])
        if kind == "numpy_scalar":
            return arrays[node["array"]][()]
        if kind in ("list", "tuple"):
            items = [_decode(v, arrays, map_location, memo) for v in node["items"]]
            return items if kind == "list" else tuple(items)
        if kind in ("dict", "OrderedDict"):
            keys = [_decode(k, arrays, map_location, memo) for k in node["keys"]]
            values = [_decode(v, arrays, map_location, memo) for v in node["values"]]
            if len(keys) != len(values):
                raise SerializationError("load: a dict entry has more keys than values.")
            return (dict if kind == "dict" else OrderedDict)(zip(keys, values))
    except (KeyError, TypeError) as e:
        raise SerializationError(f"load: malformed metadata entry {node!r:.200}") from e
    raise SerializationError(f"load: unknown entry kind {kind!r} in the metadata.")


def _tensor(array: np.ndarray, node: dict, map_location: str | None) -> Tensor:
    t = Tensor._make(array, False, None)
    device = map_location or node.get("device", "cpu")
    if device != "cpu":
        t = t.to(device)
    if node.get("requires_grad"):
        t.requires_grad_(True)
    return t
