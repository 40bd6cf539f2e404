"""keras.Sequential.fit and a PyTorch-style learndl loop train the same MLP identically.

Same start (weights copied with set_weights), same batches (fit's documented shuffling:
one integer drawn from learndl's RNG seeds a Generator, one permutation per epoch),
same optimizer: the final losses agree to 1e-5.
"""

from __future__ import annotations

import numpy as np

import learndl as ld
import learndl.nn as nn
from learndl import keras
from learndl.data import datasets

EPOCHS, BATCH, LR = 3, 32, 0.1


def _torch_style_loop(model: nn.Module, X: np.ndarray, y: np.ndarray, seed: int) -> list[float]:
    opt = ld.optim.SGD(model.parameters(), lr=LR)
    ld.manual_seed(seed)
    rng = np.random.default_rng(int(ld.random.get_rng().integers(2**63)))  # as fit does
    epoch_losses = []
    for _ in range(EPOCHS):
        order, total = rng.permutation(len(X)), 0.0
        for start in range(0, len(X), BATCH):
            idx = order[start : start + BATCH]
            xb, yb = ld.tensor(X[idx]), ld.tensor(y[idx])
            loss = ld.cross_entropy(model(xb), yb)
            opt.zero_grad()
            loss.backward()
            opt.step()
            total += loss.item() * len(idx)
        epoch_losses.append(total / len(X))
    return epoch_losses


def test_fit_matches_a_pytorch_style_loop_on_digits():
    X, y = datasets.digits()
    kmodel = keras.Sequential(
        [keras.Input((64,)), keras.layers.Dense(128, activation="relu"), keras.layers.Dense(10)]
    )
    tmodel = nn.Sequential(nn.Linear(64, 128), nn.ReLU(), nn.Linear(128, 10))
    # Linear keeps (out, in) weights, Dense (in, out) kernels: copy with a transpose.
    kmodel.set_weights([p.numpy().T if p.ndim == 2 else p.numpy() for p in tmodel.parameters()])

    kmodel.compile(
        optimizer=keras.optimizers.SGD(learning_rate=LR),
        loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
    )
    ld.manual_seed(7)
    history = kmodel.fit(X, y, batch_size=BATCH, epochs=EPOCHS, verbose=0)
    loop_losses = _torch_style_loop(tmodel, X, y, seed=7)

    np.testing.assert_allclose(history.history["loss"], loop_losses, atol=1e-5, rtol=0)
    with ld.no_grad():
        loop_final = ld.cross_entropy(tmodel(ld.tensor(X)), ld.tensor(y)).item()
    keras_final = kmodel.evaluate(X, y, batch_size=len(X), verbose=0)
    print(f"final loss: keras.fit {keras_final:.8f}, learndl loop {loop_final:.8f}")
    assert abs(keras_final - loop_final) < 1e-5
    for kw, tp in zip(kmodel.get_weights(), tmodel.parameters()):
        np.testing.assert_allclose(kw, tp.numpy().T if tp.ndim == 2 else tp.numpy(), atol=1e-5)
