"""IDX reading and writing: round trips, and clear errors on foreign or damaged files."""

import gzip

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from learndl.data.datasets import IDXError, read_idx, write_idx
from learndl.data.datasets.idx import parse_idx

DTYPES = [np.uint8, np.int8, np.int16, np.int32, np.float32, np.float64]


@settings(max_examples=60, deadline=None)
@given(
    array=st.sampled_from(DTYPES).flatmap(
        lambda dt: hnp.arrays(dt, hnp.array_shapes(min_dims=1, max_dims=4, max_side=6))
    ),
    compressed=st.booleans(),
)
def test_round_trip(tmp_path_factory, array, compressed):
    path = tmp_path_factory.mktemp("idx") / ("a.idx.gz" if compressed else "a.idx")
    write_idx(path, array)
    back = read_idx(path)
    assert back.dtype == array.dtype and back.dtype.isnative
    np.testing.assert_array_equal(back, array)
    assert (path.read_bytes()[:2] == b"\x1f\x8b") == compressed


def test_header_layout_is_big_endian(tmp_path):
    path = tmp_path / "x-idx3-ubyte"
    write_idx(path, np.zeros((60000, 28, 28), dtype=np.uint8)[:2])
    raw = path.read_bytes()
    assert raw[:4] == bytes([0, 0, 0x08, 3])
    assert raw[4:16] == (2).to_bytes(4, "big") + (28).to_bytes(4, "big") * 2
    assert len(raw) == 16 + 2 * 28 * 28
    path = tmp_path / "i32"
    write_idx(path, np.array([1, 256], dtype=np.int32))
    assert path.read_bytes()[8:] == bytes([0, 0, 0, 1, 0, 0, 1, 0])


def test_gzip_detected_by_content_not_name(tmp_path):
    path = tmp_path / "labels-idx1-ubyte"  # no .gz suffix, gzip content
    path.write_bytes(gzip.compress(bytes([0, 0, 8, 1, 0, 0, 0, 2, 4, 2])))
    assert read_idx(path).tolist() == [4, 2]


def test_truncated_data_is_reported(tmp_path):
    path = tmp_path / "t.idx"
    write_idx(path, np.arange(12, dtype=np.uint8).reshape(3, 4))
    path.write_bytes(path.read_bytes()[:-5])
    with pytest.raises(IDXError, match=r"truncated.*\(3, 4\).*needs 12.*found 7"):
        read_idx(path)


def test_truncated_gzip_is_reported(tmp_path):
    path = tmp_path / "t.idx.gz"
    write_idx(path, np.arange(3000, dtype=np.int32))
    path.write_bytes(path.read_bytes()[:40])
    with pytest.raises(IDXError, match="gzip stream is damaged or cut short"):
        read_idx(path)


def test_trailing_data_is_reported():
    with pytest.raises(IDXError, match="trailing data"):
        parse_idx(bytes([0, 0, 8, 1, 0, 0, 0, 1, 9, 9]))


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "too short"),
        (b"PK\x03\x04 a zip file", "not an IDX file"),
        (bytes([0, 0, 0x42, 1, 0, 0, 0, 1, 0]), "unknown IDX type code 0x42"),
        (bytes([0, 0, 8, 3, 0, 0, 0, 1]), "header says 3 dims"),
    ],
)
def test_foreign_files_are_rejected(data, message):
    with pytest.raises(IDXError, match=message):
        parse_idx(data, name="f")


def test_write_rejects_unsupported_dtype(tmp_path):
    with pytest.raises(TypeError, match="int64"):
        write_idx(tmp_path / "x", np.arange(3, dtype=np.int64))
