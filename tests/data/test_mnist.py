"""MNIST/Fashion-MNIST download code, run against small fake files — never the network.

A fake "server" folder holds tiny IDX files under the official names; the mirrors are
``file://`` URLs into it, so the real urllib download path runs end to end.
"""

import hashlib
import re
import urllib.request

import numpy as np
import pytest

from learndl.data import datasets
from learndl.data.datasets import downloads
from learndl.data.datasets.downloads import ChecksumError, Source
from learndl.data.datasets.idx import IDXError, write_idx

FILES = [
    "train-images-idx3-ubyte.gz",
    "train-labels-idx1-ubyte.gz",
    "t10k-images-idx3-ubyte.gz",
    "t10k-labels-idx1-ubyte.gz",
]


@pytest.fixture(autouse=True)
def no_network(monkeypatch):
    real_urlopen = urllib.request.urlopen

    def guarded(url, *args, **kwargs):
        if not str(url).startswith("file://"):
            raise AssertionError(f"a test tried to reach the network: {url}")
        return real_urlopen(url, *args, **kwargs)

    monkeypatch.setattr(urllib.request, "urlopen", guarded)


@pytest.fixture
def server(tmp_path):
    """Write fake train (5 images) and test (3 images) files; return (folder, arrays)."""
    folder = tmp_path / "server"
    folder.mkdir()
    rng = np.random.default_rng(0)
    arrays = {
        "train": (rng.integers(0, 256, (5, 28, 28), dtype=np.uint8), np.arange(5, dtype=np.uint8)),
        "t10k": (rng.integers(0, 256, (3, 28, 28), dtype=np.uint8), np.array([7, 2, 1], np.uint8)),
    }
    for prefix, (images, labels) in arrays.items():
        write_idx(folder / f"{prefix}-images-idx3-ubyte.gz", images)
        write_idx(folder / f"{prefix}-labels-idx1-ubyte.gz", labels)
    return folder, arrays


def sha(path):
    return hashlib.sha256(path.read_bytes()).hexdigest()


def fake_source(folder, mirrors=None, name="mnist"):
    mirrors = mirrors or (folder.as_uri() + "/",)
    return Source(name=name, mirrors=tuple(mirrors), sha256={f: sha(folder / f) for f in FILES})


def test_download_verify_cache_then_offline(server, tmp_path, monkeypatch):
    folder, arrays = server
    dead = (tmp_path / "nowhere").as_uri() + "/"
    monkeypatch.setattr(downloads, "MNIST", fake_source(folder, [dead, folder.as_uri() + "/"]))
    root = tmp_path / "cache"
    images, labels = datasets.mnist(root=root, train=True)
    np.testing.assert_array_equal(images, arrays["train"][0])
    assert labels.dtype == np.int64 and labels.tolist() == [0, 1, 2, 3, 4]
    images, labels = datasets.mnist(root=root, train=False)
    assert images.shape == (3, 28, 28) and labels.tolist() == [7, 2, 1]
    assert sorted(p.name for p in (root / "mnist").iterdir()) == sorted(FILES)  # no .part

    # Second time the cache answers: a broken fetch must not even be called.
    def broken(url, dest, timeout=60.0):
        raise AssertionError("fetched although the file was cached")

    monkeypatch.setattr(downloads, "fetch", broken)
    assert datasets.mnist(root=root, train=False)[1].tolist() == [7, 2, 1]


def test_fashion_mnist_uses_its_own_folder(server, tmp_path, monkeypatch):
    folder, _ = server
    source = fake_source(folder, name="fashion-mnist")
    monkeypatch.setattr(downloads, "FASHION_MNIST", source)
    datasets.fashion_mnist(root=tmp_path / "c", train=False)
    assert (tmp_path / "c" / "fashion-mnist" / "t10k-images-idx3-ubyte.gz").exists()
    assert len(datasets.FASHION_MNIST_CLASSES) == 10


def test_checksum_mismatch_is_a_clear_error_and_leaves_nothing(server, tmp_path, monkeypatch):
    folder, _ = server
    source = fake_source(folder)
    wrong = dict(source.sha256, **{"train-images-idx3-ubyte.gz": "0" * 64})
    monkeypatch.setattr(downloads, "MNIST", Source("mnist", source.mirrors, wrong))
    root = tmp_path / "cache"
    with pytest.raises(RuntimeError) as info:
        datasets.mnist(root=root)
    message = str(info.value)
    assert "ChecksumError" in message and "0" * 64 in message
    assert sha(folder / "train-images-idx3-ubyte.gz") in message
    assert list((root / "mnist").iterdir()) == []


def test_damaged_cached_file_raises_checksum_error(server, tmp_path, monkeypatch):
    folder, _ = server
    monkeypatch.setattr(downloads, "MNIST", fake_source(folder))
    root = tmp_path / "cache"
    datasets.mnist(root=root)
    cached = root / "mnist" / "train-images-idx3-ubyte.gz"
    cached.write_bytes(cached.read_bytes()[:-10])
    with pytest.raises(ChecksumError, match="Delete it"):
        datasets.mnist(root=root)


def test_interrupted_download_leaves_no_partial_file(server, tmp_path, monkeypatch):
    folder, _ = server
    monkeypatch.setattr(downloads, "MNIST", fake_source(folder))

    def dies_halfway(url, dest, timeout=60.0):
        dest.write_bytes(b"\x1f\x8b half a file")
        raise ConnectionResetError("connection reset by peer")

    monkeypatch.setattr(downloads, "fetch", dies_halfway)
    root = tmp_path / "cache"
    with pytest.raises(RuntimeError, match="connection reset by peer"):
        datasets.mnist(root=root)
    assert list((root / "mnist").iterdir()) == []


def test_no_download_means_file_not_found(tmp_path):
    with pytest.raises(FileNotFoundError, match="download=True"):
        datasets.mnist(root=tmp_path, download=False)


def test_truncated_file_with_matching_hash_fails_while_parsing(server, tmp_path, monkeypatch):
    folder, _ = server
    path = folder / "t10k-labels-idx1-ubyte.gz"
    path.write_bytes(path.read_bytes()[:-4])
    monkeypatch.setattr(downloads, "MNIST", fake_source(folder))
    with pytest.raises(IDXError, match="t10k-labels"):
        datasets.mnist(root=tmp_path / "cache", train=False)


def test_images_and_labels_must_agree(server, tmp_path, monkeypatch):
    folder, _ = server
    write_idx(folder / "t10k-labels-idx1-ubyte.gz", np.arange(4, dtype=np.uint8))
    monkeypatch.setattr(downloads, "MNIST", fake_source(folder))
    with pytest.raises(ValueError, match=r"\(3, 28, 28\).*\(4,\)"):
        datasets.mnist(root=tmp_path / "cache", train=False)


@pytest.mark.parametrize("source", [downloads.MNIST, downloads.FASHION_MNIST])
def test_published_checksum_tables_are_well_formed(source):
    assert sorted(source.sha256) == sorted(FILES)
    assert all(re.fullmatch("[0-9a-f]{64}", h) for h in source.sha256.values())
    assert len(set(source.sha256.values())) == 4
    assert all(m.endswith("/") for m in source.mirrors)


def test_known_mnist_checksum():
    # Spot-check one value against the widely published table (see README.md).
    assert downloads.MNIST.sha256["t10k-labels-idx1-ubyte.gz"].startswith("f7ae60f9")
