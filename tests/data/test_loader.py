"""Dataset, TensorDataset, Subset, random_split and DataLoader."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import learndl as ld
from learndl.data import DataLoader, Dataset, Subset, TensorDataset, random_split
from learndl.data.loader import default_collate


def rows(n, width=3):
    """A TensorDataset whose sample i is (row of i's, label i), so batches show their ids."""
    X = np.repeat(np.arange(n, dtype=np.float32)[:, None], width, axis=1)
    return TensorDataset(X, np.arange(n))


def ids(loader):
    """Sample ids of every batch of one epoch."""
    return [y.numpy().tolist() for _, y in loader]


class Pairs(Dataset):
    """A plain Python dataset, to exercise the general (per-sample) path."""

    def __init__(self, n):
        self.n = n

    def __len__(self):
        return self.n

    def __getitem__(self, i):
        return np.full(2, float(i), dtype=np.float32), int(i)


# --- datasets -----------------------------------------------------------------------


def test_dataset_is_abstract():
    with pytest.raises(TypeError, match="abstract"):
        Dataset()


def test_tensor_dataset_indexing_and_len():
    ds = TensorDataset(ld.tensor(np.arange(12.0).reshape(4, 3)), np.array([5, 6, 7, 8]))
    assert len(ds) == 4
    x, y = ds[2]
    assert isinstance(x, ld.Tensor) and x.shape == (3,)
    assert x.numpy().tolist() == [6.0, 7.0, 8.0] and y.item() == 7


def test_tensor_dataset_size_mismatch_names_the_sizes():
    with pytest.raises(ValueError, match=r"\(5, 2\), \(4,\).*\[5, 4\]"):
        TensorDataset(np.zeros((5, 2)), np.zeros(4))
    with pytest.raises(ValueError, match="at least one"):
        TensorDataset()


def test_subset():
    sub = Subset(rows(10), [9, 0, 4])
    assert len(sub) == 3 and sub[0][1].item() == 9 and sub[2][1].item() == 4


# --- random_split -------------------------------------------------------------------


@settings(max_examples=40, deadline=None)
@given(n=st.integers(0, 60), cuts=st.lists(st.integers(0, 60), min_size=1, max_size=4))
def test_random_split_is_disjoint_and_complete(n, cuts):
    bounds = sorted(min(c, n) for c in cuts)
    lengths = np.diff([0, *bounds, n]).tolist()
    parts = random_split(rows(n), lengths, generator=1)
    assert [len(p) for p in parts] == lengths
    seen = np.concatenate([p.indices for p in parts]) if parts else np.array([])
    assert sorted(seen.tolist()) == list(range(n))


def test_random_split_fractions_and_seeds():
    a, b, c = random_split(rows(10), [0.5, 0.3, 0.2], generator=0)
    assert (len(a), len(b), len(c)) == (5, 3, 2)
    a, b = random_split(rows(11), [0.5, 0.5], generator=0)
    assert (len(a), len(b)) == (6, 5)  # the leftover sample goes to the first part
    again = random_split(rows(11), [0.5, 0.5], generator=0)
    np.testing.assert_array_equal(a.indices, again[0].indices)
    ld.manual_seed(3)
    x = random_split(rows(20), [10, 10])[0].indices
    ld.manual_seed(3)
    np.testing.assert_array_equal(x, random_split(rows(20), [10, 10])[0].indices)


@pytest.mark.parametrize("lengths", [[5, 4], [0.5, 0.6], [-1, 11], [1.5, -0.5]])
def test_random_split_rejects_bad_lengths(lengths):
    with pytest.raises(ValueError, match="random_split"):
        random_split(rows(10), lengths)


# --- DataLoader ---------------------------------------------------------------------


@settings(max_examples=60, deadline=None)
@given(
    n=st.integers(0, 50),
    batch_size=st.integers(1, 12),
    shuffle=st.booleans(),
    drop_last=st.booleans(),
)
def test_each_epoch_visits_every_sample_once(n, batch_size, shuffle, drop_last):
    loader = DataLoader(rows(n), batch_size, shuffle=shuffle, drop_last=drop_last)
    batches = ids(loader)
    assert len(batches) == len(loader)
    assert all(len(b) == batch_size for b in batches[:-1])
    seen = [i for b in batches for i in b]
    assert len(seen) == len(set(seen))
    if drop_last:
        assert len(seen) == n - n % batch_size and all(len(b) == batch_size for b in batches)
    else:
        assert sorted(seen) == list(range(n))
    if not shuffle:
        assert seen == sorted(seen)


def test_len_and_drop_last():
    assert len(DataLoader(rows(10), 3)) == 4
    assert len(DataLoader(rows(10), 3, drop_last=True)) == 3
    assert ids(DataLoader(rows(5), 2)) == [[0, 1], [2, 3], [4]]
    assert ids(DataLoader(rows(5), 2, drop_last=True)) == [[0, 1], [2, 3]]


def test_batches_are_tensors_with_stacked_rows():
    x, y = next(iter(DataLoader(rows(10), 4)))
    assert isinstance(x, ld.Tensor) and x.shape == (4, 3) and y.shape == (4,)
    assert x.numpy()[:, 0].tolist() == y.numpy().tolist()
    assert y.numpy().dtype == np.int64


def test_batch_dtypes_follow_learndl_rules_and_batches_own_their_memory():
    X, y = np.arange(12.0).reshape(6, 2), np.arange(6, dtype=np.int32)  # float64 NumPy data
    ds = TensorDataset(X, y)
    xb, yb = next(iter(DataLoader(ds, batch_size=4)))
    assert (xb.dtype, yb.dtype) == (np.float32, np.int32)  # as ld.tensor(X) would give
    assert (ds[0][0].dtype, ds[0][1].dtype) == (np.float32, np.int32)  # loader == indexing
    xb.data[:] = -1  # a batch is a copy: changing it leaves the dataset alone
    assert ds.arrays[0].min() == 0
    x64 = ld.tensor(X, dtype="float64")  # a float64 *tensor* keeps its dtype, as in PyTorch
    xb64, _ = next(iter(DataLoader(TensorDataset(x64, y), batch_size=4)))
    assert xb64.dtype == np.float64 and TensorDataset(x64, y)[0][0].dtype == np.float64


def test_shuffle_reproducible_under_manual_seed_and_new_each_epoch():
    loader = DataLoader(rows(30), 7, shuffle=True)
    ld.manual_seed(0)
    first, second = ids(loader), ids(loader)
    ld.manual_seed(0)
    assert ids(loader) == first and ids(loader) == second
    assert first != second
    assert first != ids(DataLoader(rows(30), 7))


@pytest.mark.parametrize("make", [lambda: 5, lambda: np.random.default_rng(5)])
def test_generator_seed_or_numpy_generator(make):
    run1 = [ids(loader) for loader in [DataLoader(rows(20), 5, True, generator=make())] * 2]
    run2 = [ids(loader) for loader in [DataLoader(rows(20), 5, True, generator=make())] * 2]
    assert run1 == run2 and run1[0] != run1[1]


def test_seeded_generator_ignores_global_rng():
    ld.manual_seed(1)
    a = ids(DataLoader(rows(20), 5, shuffle=True, generator=9))
    ld.manual_seed(2)
    assert ids(DataLoader(rows(20), 5, shuffle=True, generator=9)) == a


def test_fast_path_takes_whole_batches_without_per_sample_calls(monkeypatch):
    def no_per_sample(self, index):
        raise AssertionError("TensorDataset.__getitem__ called per sample")

    ds = rows(100)
    monkeypatch.setattr(TensorDataset, "__getitem__", no_per_sample)
    assert sum(len(b) for b in ids(DataLoader(ds, 16, shuffle=True))) == 100
    train, _ = random_split(ds, [0.8, 0.2], generator=0)  # Subsets keep the fast path
    assert sorted(i for b in ids(DataLoader(train, 16)) for i in b) == sorted(train.indices)


def test_subclass_overriding_getitem_is_called_per_sample():
    class Doubled(TensorDataset):
        def __getitem__(self, index):
            x, y = super().__getitem__(index)
            return ld.tensor(x.numpy() * 2), y

    x, y = next(iter(DataLoader(Doubled(np.ones((4, 2)), np.arange(4)), 4)))
    assert x.numpy().tolist() == [[2.0, 2.0]] * 4 and y.shape == (4,)


def test_fast_and_general_paths_agree():
    ds = rows(23)
    fast = DataLoader(ds, 5, shuffle=True, generator=4)
    slow = DataLoader(ds, 5, shuffle=True, generator=4, collate_fn=default_collate)
    for (xf, yf), (xs, ys) in zip(fast, slow, strict=True):
        np.testing.assert_array_equal(xf.numpy(), xs.numpy())
        np.testing.assert_array_equal(yf.numpy(), ys.numpy())
        assert xf.numpy().dtype == xs.numpy().dtype


def test_plain_dataset_of_tuples_collates_to_tuple_of_tensors():
    x, y = next(iter(DataLoader(Pairs(10), 4)))
    assert x.shape == (4, 2) and y.numpy().tolist() == [0, 1, 2, 3]


def test_default_collate_nested_and_dicts():
    batch = default_collate([{"a": np.ones(2), "b": (1, 2.0)}, {"a": np.zeros(2), "b": (3, 4.0)}])
    assert batch["a"].shape == (2, 2)
    assert batch["b"][0].numpy().tolist() == [1, 3] and batch["b"][1].shape == (2,)
    assert default_collate([ld.tensor([1.0, 2.0]), ld.tensor([3.0, 4.0])]).shape == (2, 2)


def test_custom_collate_fn_gets_the_list_of_samples():
    seen = []
    loader = DataLoader(Pairs(5), 2, collate_fn=lambda batch: seen.append(len(batch)) or batch)
    assert [len(b) for b in loader] == [2, 2, 1] and seen == [2, 2, 1]


@pytest.mark.parametrize(("kwargs", "error"), [({"batch_size": 0}, ValueError),
                                               ({"batch_size": 2.5}, TypeError),
                                               ({"generator": "seed"}, TypeError)])  # fmt: skip
def test_bad_settings_are_rejected(kwargs, error):
    with pytest.raises(error):
        DataLoader(rows(4), **kwargs)
