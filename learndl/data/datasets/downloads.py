"""MNIST and Fashion-MNIST: download once, check, cache, read.

The four official files of each set are fetched from a list of mirrors into a cache
folder, each checked against its published SHA-256 before it is used. A download goes
to a temporary file in the cache folder and is renamed into place only once complete
and verified, so an interrupted download never leaves a half file behind.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
import urllib.request
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from learndl.data.datasets.idx import read_idx


class ChecksumError(RuntimeError):
    """A file's SHA-256 differs from the published one (corrupt, partial or foreign)."""


@dataclass(frozen=True)
class Source:
    """Where a data set lives: folder name in the cache, mirrors, file -> SHA-256."""

    name: str
    mirrors: tuple[str, ...]
    sha256: dict[str, str]


def _sha256sums(text: str) -> dict[str, str]:
    # The tables below are in the format of `sha256sum` output: "<hash>  <file>".
    return {name: digest for digest, name in (line.split() for line in text.strip().splitlines())}


# SHA-256 of the official .gz files, as listed identically by several independent
# public loaders (see README.md, "MNIST checksums"). torchvision publishes MD5s
# for the same files (train images f68b3c2d..., train labels d53e105e..., test images
# 9fb629c4..., test labels ec29112d...); learndl checks SHA-256 only.
MNIST = Source(
    name="mnist",
    mirrors=(
        "https://ossci-datasets.s3.amazonaws.com/mnist/",
        "https://storage.googleapis.com/cvdf-datasets/mnist/",
        "http://yann.lecun.com/exdb/mnist/",
    ),
    sha256=_sha256sums("""
440fcabf73cc546fa21475e81ea370265605f56be210a4024d2ca8f203523609  train-images-idx3-ubyte.gz
3552534a0a558bbed6aed32b30c495cca23d567ec52cac8be1a0730e8010255c  train-labels-idx1-ubyte.gz
8d422c7b0a1c1c79245a5bcf07fe86e33eeafee792b84584aec276f5a2dbc4e6  t10k-images-idx3-ubyte.gz
f7ae60f92e00ec6debd23a6088c31dbd2371eca3ffa0defaefb259924204aec6  t10k-labels-idx1-ubyte.gz
"""),
)

# Fashion-MNIST publishes MD5s (train images 8d4fb7e6..., train labels 25c81989...,
# test images bef4ecab..., test labels bb300cfd...); these SHA-256s of the same files
# come from two independent public loaders that agree (see README.md).
FASHION_MNIST = Source(
    name="fashion-mnist",
    mirrors=(
        "http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/",
        "https://raw.githubusercontent.com/zalandoresearch/fashion-mnist/master/data/fashion/",
    ),
    sha256=_sha256sums("""
08dc20ab1689590a0bcd66e874647b6ee8464e2d501b5a3f1f78831db19a3fdc  train-images-idx3-ubyte.gz
b0197879cbda89f3dc7b894f9fd52b858e68ea4182b6947c9d8c2b67e5f18dcc  train-labels-idx1-ubyte.gz
78dcbbfb5a27efaf1b6c1d616caca68560be8766c5bffcb2791df9273a534229  t10k-images-idx3-ubyte.gz
42bd18137a62d5998cdeae52bf3a0676ac6b706f5cf8439b47bb5b151ae3dccf  t10k-labels-idx1-ubyte.gz
"""),
)

FASHION_MNIST_CLASSES: tuple[str, ...] = (
    "T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
    "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot",
)  # fmt: skip


def sha256_of(path: str | os.PathLike) -> str:
    """Hex SHA-256 of a file, read in 1 MiB blocks so big files need little memory."""
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def fetch(url: str, dest: Path, timeout: float = 60.0) -> None:
    """Copy ``url`` (http, https or file) to ``dest``. Tests replace this function."""
    with urllib.request.urlopen(url, timeout=timeout) as response, open(dest, "wb") as out:
        for block in iter(lambda: response.read(1 << 20), b""):
            out.write(block)


def download_file(filename: str, folder: Path, mirrors: tuple[str, ...], sha256: str) -> Path:
    """Download ``filename`` from the first mirror that serves it with the right SHA-256.

    Raises:
        RuntimeError: if no mirror worked; the message lists each mirror's failure.
    """
    folder.mkdir(parents=True, exist_ok=True)
    dest = folder / filename
    failures = []
    for mirror in mirrors:
        url = mirror + filename
        # Same folder as dest, so the final os.replace is an atomic rename.
        fd, tmp_name = tempfile.mkstemp(prefix=filename + ".", suffix=".part", dir=folder)
        os.close(fd)
        tmp = Path(tmp_name)
        try:
            fetch(url, tmp)
            actual = sha256_of(tmp)
            if actual != sha256:
                raise ChecksumError(f"SHA-256 {actual}, expected {sha256}")
            os.replace(tmp, dest)
            return dest
        except Exception as err:  # noqa: BLE001 — any failure means: try the next mirror
            failures.append(f"  {url}: {type(err).__name__}: {err}")
        finally:
            tmp.unlink(missing_ok=True)
    raise RuntimeError(
        f"Could not download {filename} from any mirror:\n" + "\n".join(failures) + "\n"
        f"Check your connection, or place the file in {folder} yourself."
    )


def ensure_file(source: Source, filename: str, root: str | os.PathLike, download_ok: bool) -> Path:
    """Path of a verified copy of ``filename`` in the cache, downloading it if allowed."""
    folder = Path(root).expanduser() / source.name
    path = folder / filename
    expected = source.sha256[filename]
    if path.exists():
        actual = sha256_of(path)
        if actual != expected:
            raise ChecksumError(
                f"{path} is damaged or not the official file: its SHA-256 is {actual}, "
                f"expected {expected}. Delete it and call again to download a fresh copy."
            )
        return path
    if not download_ok:
        raise FileNotFoundError(
            f"{path} is missing. Call with download=True, or copy the official "
            f"{filename} there (mirrors: {', '.join(source.mirrors)})."
        )
    return download_file(filename, folder, source.mirrors, expected)


def load(
    source: Source, root: str | os.PathLike, train: bool, download: bool
) -> tuple[np.ndarray, np.ndarray]:
    """Images ``(n, 28, 28)`` uint8 and labels ``(n,)`` int64 of one split of ``source``."""
    prefix = "train" if train else "t10k"
    images_file = ensure_file(source, f"{prefix}-images-idx3-ubyte.gz", root, download)
    labels_file = ensure_file(source, f"{prefix}-labels-idx1-ubyte.gz", root, download)
    images, labels = read_idx(images_file), read_idx(labels_file)
    if images.ndim != 3 or labels.ndim != 1 or len(images) != len(labels):
        raise ValueError(
            f"{source.name}: expected images (n, rows, cols) and labels (n,), got "
            f"{images.shape} from {images_file.name} and {labels.shape} from {labels_file.name}."
        )
    return images, labels.astype(np.int64)


def mnist(
    root: str | os.PathLike = "~/.cache/learndl", train: bool = True, download: bool = True
) -> tuple[np.ndarray, np.ndarray]:
    """The MNIST handwritten digits (LeCun, Cortes, Burges): 60,000 train, 10,000 test.

    Downloads the official files on first use into ``root/mnist`` (about 11 MB), checks
    their SHA-256, and reads them from the cache afterwards — no network needed then.

    Args:
        root: cache folder (``~`` is expanded).
        train: the training split if True, else the test split.
        download: fetch missing files; if False a missing file raises FileNotFoundError.

    Returns:
        ``(images, labels)``: uint8 ``(n, 28, 28)`` in 0..255 and int64 ``(n,)`` in 0..9.
        For a network scale first: ``images.astype(np.float32) / 255``.

    Example:
        >>> images, labels = mnist(train=False)  # doctest: +SKIP
        >>> images.shape, labels[:5].tolist()  # doctest: +SKIP
        ((10000, 28, 28), [7, 2, 1, 0, 4])
    """
    return load(MNIST, root, train, download)


def fashion_mnist(
    root: str | os.PathLike = "~/.cache/learndl", train: bool = True, download: bool = True
) -> tuple[np.ndarray, np.ndarray]:
    """Zalando's Fashion-MNIST: 28x28 clothing pictures in 10 classes (MIT licence).

    Same format and arguments as :func:`mnist`; cached in ``root/fashion-mnist``.
    Label names are in ``FASHION_MNIST_CLASSES``.

    Example:
        >>> images, labels = fashion_mnist(train=False)  # doctest: +SKIP
        >>> FASHION_MNIST_CLASSES[labels[0]]  # doctest: +SKIP
        'Ankle boot'
    """
    return load(FASHION_MNIST, root, train, download)
