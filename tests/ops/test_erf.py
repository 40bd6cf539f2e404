"""erf to float64 precision against ``math.erf``, and the exact GELU built on it."""

from __future__ import annotations

import math
import warnings

import numpy as np

import learndl as ld


def _erf_ref(xs: np.ndarray) -> np.ndarray:
    return np.array([math.erf(v) for v in xs.ravel()]).reshape(xs.shape)


def test_erf_matches_math_erf_on_a_dense_grid_and_the_tails():
    xs = np.concatenate(
        [
            np.linspace(-10, 10, 200_001),  # both branches, and the switch at |x| = 1
            np.linspace(-30, 30, 6_001),  # tails, where erf is ±1
            np.geomspace(1e-300, 1, 2_000),  # tiny x: erf(x) ≈ 2x/√π, checked relatively
            -np.geomspace(1e-300, 1, 2_000),
            np.nextafter([1.0, -1.0], 0.0),  # just inside the |x| < 1 branch
        ]
    )
    got = ld.erf(ld.tensor(xs, dtype="float64")).numpy()
    np.testing.assert_allclose(got, _erf_ref(xs), rtol=1e-14, atol=0)


def test_erf_special_values():
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # an overflow or invalid-value warning fails the test
        got = ld.erf(ld.tensor([np.inf, -np.inf, np.nan, 0.0, -0.0, 1e300], dtype="float64"))
    got = got.numpy()
    assert got[:2].tolist() == [1.0, -1.0]
    assert np.isnan(got[2])
    assert got[3] == 0.0 and not np.signbit(got[3])
    assert got[4] == 0.0 and np.signbit(got[4])  # math.erf(-0.0) is -0.0 too
    assert got[5] == 1.0


def test_erf_float32_stays_float32_to_float32_precision():
    xs = np.linspace(-6, 6, 20_001).astype(np.float32)
    got = ld.erf(ld.tensor(xs)).numpy()
    assert got.dtype == np.float32
    # a few float32 ulps (one ulp is 6e-8 relative near 1)
    np.testing.assert_allclose(got, _erf_ref(xs.astype(np.float64)), rtol=3e-7, atol=1e-38)


def test_erf_gradient_is_two_over_sqrt_pi_e_to_minus_x_squared():
    xs = np.linspace(-3, 3, 13)
    x = ld.tensor(xs, dtype="float64", requires_grad=True)
    ld.erf(x).sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), 2 / math.sqrt(math.pi) * np.exp(-xs * xs))
    assert ld.gradcheck(ld.erf, ld.tensor(xs, dtype="float64", requires_grad=True))


def test_gelu_matches_x_times_the_normal_cdf_from_math_erf():
    xs = np.linspace(-10, 10, 20_001)
    want = np.array([v * 0.5 * (1.0 + math.erf(v / math.sqrt(2.0))) for v in xs])
    got = ld.gelu(ld.tensor(xs, dtype="float64")).numpy()
    # NOTE: for x ≪ 0, 1 + erf(x/√2) cancels to a few ulps of 1 in both formulas, so
    # tiny values there carry an absolute error of about |x| * 1e-16: hence the atol.
    np.testing.assert_allclose(got, want, rtol=1e-14, atol=1e-14)
