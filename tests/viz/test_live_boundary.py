"""ld.viz.LiveDecisionBoundary: redrawn during training, throttled, final state kept."""

from __future__ import annotations

import numpy as np
import pytest

import learndl as ld

nn = pytest.importorskip("learndl.nn")


def setup(every_steps=5, every=0.0):
    ld.manual_seed(0)
    X, y = ld.data.datasets.moons(128, seed=0)
    model = nn.Sequential(nn.Linear(2, 16), nn.ReLU(), nn.Linear(16, 2))
    live = ld.viz.LiveDecisionBoundary(model, X, y, every_steps, every, resolution=12, live=False)
    return model, X, y, live


def test_redraws_every_n_steps_and_follows_the_model():
    model, X, y, live = setup()
    before = live.current.grid.copy()
    opt = ld.optim.SGD(model.parameters(), lr=0.5)
    for _ in range(40):
        loss = ld.cross_entropy(model(ld.tensor(X)), ld.tensor(y))
        opt.zero_grad()
        loss.backward()
        opt.step()
        live.step()
    assert live.steps == 40 and live.redraws == 8
    assert not np.array_equal(before, live.current.grid)  # the regions moved
    after = ld.viz.decision_boundary(model, X, y, resolution=12).grid
    np.testing.assert_array_equal(live.current.grid, after)
    assert live.text().endswith("after 40 steps")
    assert live._repr_mimebundle_()["text/html"].count("<rect") == 144


def test_seconds_throttle_and_close_draws_the_final_state():
    _, _, _, live = setup(every_steps=1, every=3600.0)
    for _ in range(5):
        live.step()
    assert live.redraws == 1  # the first redraw only; then the clock holds it back
    live.close()
    assert live.redraws == 2


def test_keeps_training_mode_and_rejects_bad_settings():
    model, X, y, live = setup()
    model.train()
    live.redraw()
    assert model.training
    with pytest.raises(ValueError, match="every_steps"):
        ld.viz.LiveDecisionBoundary(model, X, y, every_steps=0)


def test_keras_callback_steps_it_during_fit():
    keras = pytest.importorskip("learndl.keras")
    X, y = ld.data.datasets.moons(64, seed=0)
    ld.manual_seed(0)
    model = keras.Sequential([keras.Input((2,)), keras.layers.Dense(8, activation="relu"),
                              keras.layers.Dense(2)])  # fmt: skip
    model.compile("sgd", keras.losses.SparseCategoricalCrossentropy(from_logits=True))
    live = ld.viz.LiveDecisionBoundary(model, X, y, every_steps=2, every=0.0, resolution=6)
    model.fit(X, y, batch_size=16, epochs=2, verbose=0, callbacks=[live.keras_callback()])
    assert live.steps == 8 and live.redraws == 4 + 1  # every 2nd step, and the final one
