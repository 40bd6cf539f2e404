"""ld.save / ld.load: one .npz file, no pickle, atomic writes, clear errors."""

from __future__ import annotations

import json
import os
import pathlib
import zipfile
from collections import OrderedDict

import numpy as np
import pytest

import learndl as ld
from learndl import serialization
from learndl.errors import LearnDLError, SerializationError


def roundtrip(obj, tmp_path, name="state.npz"):
    path = tmp_path / name
    ld.save(obj, path)
    return ld.load(path)


def test_nested_state_round_trips_with_types(tmp_path):
    w = ld.tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True)
    state = {
        "model": OrderedDict(weight=w, bias=ld.zeros(2, dtype=ld.float64)),
        "ints": ld.tensor([1, 2, 3]),
        "mask": ld.tensor([True, False]),
        "array": np.arange(6, dtype=np.int16).reshape(2, 3),
        "scalar": np.float32(0.5),
        "numbers": [1, 2.5, float("inf"), True, None, "text"],
        "pair": (0.9, 0.999),
        7: "int key",
        2.5: "float key",
        None: "none key",
        False: "bool key",
        "empty": {},
        "nested": {"deeper": [{"x": np.ones((0, 3))}]},
    }
    back = roundtrip(state, tmp_path)
    assert list(back) == list(state)
    assert type(back["model"]) is OrderedDict
    assert isinstance(back["model"]["weight"], ld.Tensor)
    assert back["model"]["weight"].requires_grad and back["model"]["weight"].dtype == np.float32
    np.testing.assert_array_equal(back["model"]["weight"].numpy(), w.numpy())
    assert back["model"]["bias"].dtype == np.float64 and not back["model"]["bias"].requires_grad
    assert back["ints"].dtype == np.int64 and back["mask"].dtype == np.bool_
    assert type(back["array"]) is np.ndarray and back["array"].dtype == np.int16
    assert type(back["scalar"]) is np.float32 and back["scalar"] == 0.5
    assert back["numbers"] == [1, 2.5, float("inf"), True, None, "text"]
    assert [type(v) for v in back["numbers"][:4]] == [int, float, float, bool]
    assert back["pair"] == (0.9, 0.999) and type(back["pair"]) is tuple
    assert back[7] == "int key" and back[2.5] == "float key" and back[None] == "none key"
    assert back[False] == "bool key" and back["empty"] == {}
    assert back["nested"]["deeper"][0]["x"].shape == (0, 3)


def test_top_level_values_and_nan(tmp_path):
    assert roundtrip(3, tmp_path) == 3
    assert roundtrip([], tmp_path) == []
    assert np.isnan(roundtrip(float("nan"), tmp_path))
    t = roundtrip(ld.tensor(2.0), tmp_path)
    assert t.shape == () and t.item() == 2.0


def test_a_tensor_saved_twice_is_stored_once(tmp_path):
    w = ld.ones(3, 3)
    ld.save({"a": w, "b": w}, tmp_path / "tied.npz")
    back = ld.load(tmp_path / "tied.npz")
    assert back["a"] is back["b"]
    with zipfile.ZipFile(tmp_path / "tied.npz") as zf:
        assert sorted(zf.namelist()) == ["arr_0.npy", "learndl.json"]


def test_file_is_a_plain_npz_with_json_metadata(tmp_path):
    path = tmp_path / "x.npz"
    ld.save({"w": ld.ones(2), "lr": 0.1}, path)
    with np.load(path, allow_pickle=False) as npz:
        np.testing.assert_array_equal(npz["arr_0"], [1.0, 1.0])
    with zipfile.ZipFile(path) as zf:
        meta = json.loads(zf.read("learndl.json"))
    assert meta["magic"] == "learndl" and meta["format_version"] == 1
    assert meta["arrays"] == {"arr_0": {"dtype": "<f4", "shape": [2]}}


@pytest.mark.parametrize("name", ["checkpoint", "model.pt", "weights.npz"])
def test_writes_exactly_to_the_given_path(tmp_path, name):
    ld.save({"a": 1}, str(tmp_path / name))
    assert os.listdir(tmp_path) == [name]
    assert ld.load(str(tmp_path / name)) == {"a": 1}


def test_overwrites_and_keeps_permissions_like_open(tmp_path):
    path = tmp_path / "s.npz"
    ld.save({"v": 1}, path)
    ld.save({"v": 2}, path)
    assert ld.load(path) == {"v": 2}
    umask = os.umask(0)
    os.umask(umask)
    assert (path.stat().st_mode & 0o777) == 0o666 & ~umask


def test_a_failure_mid_write_leaves_the_old_file_and_no_temp_file(tmp_path, monkeypatch):
    path = tmp_path / "ckpt.npz"
    ld.save({"w": ld.ones(3), "step": 1}, path)
    before = path.read_bytes()
    written = []

    def failing_write(zf, key, array):
        if written:
            raise OSError("disk full")  # the second array fails
        written.append(key)
        real_write(zf, key, array)

    real_write = serialization._write_array
    monkeypatch.setattr(serialization, "_write_array", failing_write)
    with pytest.raises(OSError, match="disk full"):
        ld.save({"w": ld.zeros(3), "b": ld.zeros(2), "step": 2}, path)
    assert written == ["arr_0"]
    assert path.read_bytes() == before
    assert os.listdir(tmp_path) == ["ckpt.npz"]
    assert ld.load(path)["step"] == 1


def test_a_failed_rename_leaves_no_temp_file(tmp_path, monkeypatch):
    def failing_replace(src, dst):
        raise KeyboardInterrupt

    monkeypatch.setattr(serialization.os, "replace", failing_replace)
    with pytest.raises(KeyboardInterrupt):
        ld.save({"a": 1}, tmp_path / "x.npz")
    assert os.listdir(tmp_path) == []


def test_writes_are_synced_before_the_rename(tmp_path, monkeypatch):
    events = []
    real_fsync, real_replace = os.fsync, os.replace
    monkeypatch.setattr(
        serialization.os, "fsync", lambda fd: events.append("fsync") or real_fsync(fd)
    )
    monkeypatch.setattr(
        serialization.os, "replace", lambda a, b: events.append("replace") or real_replace(a, b)
    )
    ld.save({"a": ld.ones(2)}, tmp_path / "x.npz")
    assert events[:2] == ["fsync", "replace"]


@pytest.mark.parametrize(
    "obj, message",
    [
        ({"a": np.array([1, "x"], dtype=object)}, r"obj\['a'\] is an array of dtype object"),
        ({"f": print}, r"cannot store obj\['f'\], a builtins.builtin_function_or_method"),
        ([1, {2, 3}], r"cannot store obj\[1\], a builtins.set"),
        ({(1, 2): 3}, "has a key"),
        ({"c": 1 + 2j}, "a builtins.complex"),
    ],
)
def test_save_refuses_what_needs_pickle(tmp_path, obj, message):
    with pytest.raises(SerializationError, match=message):
        ld.save(obj, tmp_path / "x.npz")
    assert os.listdir(tmp_path) == []  # refused before anything was written


def test_save_refuses_cycles(tmp_path):
    loop: list = [1]
    loop.append(loop)
    with pytest.raises(SerializationError, match="contains itself"):
        ld.save(loop, tmp_path / "x.npz")


def test_serialization_error_is_a_learndl_error():
    assert issubclass(SerializationError, LearnDLError)


def good_file(tmp_path) -> pathlib.Path:
    path = tmp_path / "good.npz"
    ld.save({"w": ld.ones(100, 10), "b": ld.zeros(10), "step": 3}, path)
    return path


def test_truncated_file(tmp_path):
    path = good_file(tmp_path)
    data = path.read_bytes()
    for cut in (len(data) // 2, len(data) - 10, 30):
        path.write_bytes(data[:cut])
        with pytest.raises(SerializationError, match="not a complete learndl file"):
            ld.load(path)


def test_files_that_are_not_ours(tmp_path):
    cases = {
        "empty.npz": b"",
        "text.npz": b"hello, world",
        "pickle.pt": b"\x80\x04\x95\x00\x00",
    }
    for name, content in cases.items():
        (tmp_path / name).write_bytes(content)
        with pytest.raises(SerializationError, match="is not a learndl file"):
            ld.load(tmp_path / name)
    np.save(tmp_path / "single.npy", np.ones(3))
    with pytest.raises(SerializationError, match="single .npy array"):
        ld.load(tmp_path / "single.npy")
    np.savez(tmp_path / "plain.npz", a=np.ones(3))
    with pytest.raises(SerializationError, match="zip archive without a learndl.json entry"):
        ld.load(tmp_path / "plain.npz")
    with pytest.raises(FileNotFoundError):
        ld.load(tmp_path / "missing.npz")


def rewrite(path, metadata=None, drop=(), extra=None):
    """Copy a learndl file, replacing its metadata and/or dropping or adding entries."""
    with zipfile.ZipFile(path) as zf:
        entries = {n: zf.read(n) for n in zf.namelist() if n not in drop}
    if metadata is not None:
        entries["learndl.json"] = json.dumps(metadata).encode()
    entries.update(extra or {})
    out = path.with_name("changed.npz")
    with zipfile.ZipFile(out, "w") as zf:
        for name, data in entries.items():
            zf.writestr(name, data)
    return out


def metadata_of(path):
    with zipfile.ZipFile(path) as zf:
        return json.loads(zf.read("learndl.json"))


def test_metadata_and_arrays_must_agree(tmp_path):
    path = good_file(tmp_path)
    with pytest.raises(SerializationError, match="inconsistent"):
        ld.load(rewrite(path, drop=["arr_1.npy"]))
    meta = metadata_of(path)
    meta["arrays"]["arr_0"]["shape"] = [10, 100]
    with pytest.raises(SerializationError, match=r"array arr_0 is <f4 \(100, 10\)"):
        ld.load(rewrite(path, meta))
    meta = metadata_of(path)
    meta["root"]["values"][0]["array"] = "arr_9"
    with pytest.raises(SerializationError, match="malformed metadata"):
        ld.load(rewrite(path, meta))


def test_metadata_must_be_learndl_json_of_a_known_version(tmp_path):
    path = good_file(tmp_path)
    with pytest.raises(SerializationError, match="not valid JSON"):
        ld.load(rewrite(path, extra={"learndl.json": b"{not json"}))
    meta = metadata_of(path)
    meta["magic"] = "other"
    with pytest.raises(SerializationError, match="lacks the 'learndl' magic"):
        ld.load(rewrite(path, meta))
    meta = metadata_of(path)
    meta["format_version"] = 99
    with pytest.raises(SerializationError, match="format version 99"):
        ld.load(rewrite(path, meta))


def test_load_never_unpickles(tmp_path):
    path = good_file(tmp_path)
    buf = tmp_path / "obj.npy"
    np.save(buf, np.array([{"evil": 1}], dtype=object), allow_pickle=True)
    meta = metadata_of(path)
    meta["arrays"]["arr_0"]["dtype"] = "|O"
    changed = rewrite(path, meta, extra={"arr_0.npy": buf.read_bytes()})
    with pytest.raises(SerializationError, match="not a complete learndl file"):
        ld.load(changed)


def test_map_location(tmp_path):
    path = good_file(tmp_path)
    assert ld.load(path, map_location="cpu")["w"].device == "cpu"
    with pytest.raises(ValueError, match="map_location"):
        ld.load(path, map_location="tpu")


def test_optimizer_state_dict_round_trips(tmp_path):
    params = [ld.tensor(np.linspace(-1, 1, 6).reshape(2, 3), requires_grad=True)]
    params.append(ld.tensor([0.5, -0.5], requires_grad=True))
    opt = ld.optim.Adam([{"params": params[:1]}, {"params": params[1:], "lr": 0.01}], amsgrad=True)
    for _ in range(3):
        opt.zero_grad()
        ((params[0] ** 2).sum() + (params[1] ** 3).sum()).backward()
        opt.step()
    sd = opt.state_dict()
    back = roundtrip(sd, tmp_path, "optim")
    assert list(back["state"]) == [0, 1] and back["param_groups"][0]["betas"] == (0.9, 0.999)
    assert back["param_groups"][1]["params"] == [1] and back["state"][0]["step"] == 3
    for i in (0, 1):
        for k, v in sd["state"][i].items():
            got = back["state"][i][k]
            assert np.array_equal(getattr(got, "data", got), getattr(v, "data", v))

    # continuing from the loaded state gives the same weights as continuing directly
    clones = [ld.tensor(p.numpy(), requires_grad=True) for p in params]
    opt2 = ld.optim.Adam([{"params": clones[:1]}, {"params": clones[1:]}])
    opt2.load_state_dict(back)
    for ps, o in ((params, opt), (clones, opt2)):
        for _ in range(2):
            o.zero_grad()
            ((ps[0] ** 2).sum() + (ps[1] ** 3).sum()).backward()
            o.step()
    for a, b in zip(params, clones):
        np.testing.assert_array_equal(a.numpy(), b.numpy())


def test_scheduler_state_dict_round_trips(tmp_path):
    opt = ld.optim.SGD([ld.tensor([1.0], requires_grad=True)], lr=0.1)
    sched = ld.optim.lr_scheduler.ReduceLROnPlateau(opt, patience=0)
    sched.step(1.0)
    back = roundtrip(sched.state_dict(), tmp_path)
    assert back == sched.state_dict()
    assert back["mode_worse"] == float("inf")


def test_pathlike_and_str(tmp_path):
    ld.save([1], tmp_path / "p.npz")
    assert ld.load(str(tmp_path / "p.npz")) == [1]
    assert ld.load(pathlib.PurePath(tmp_path / "p.npz")) == [1]
