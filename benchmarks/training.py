"""Training real models: the digits MLP in both styles, and small CNNs on digits and shapes.

Prints, measured in the same run:
- digits, MLP 64-128-10 trained with the PyTorch-style loop (ld.nn, ld.optim, DataLoader):
  test accuracy (target >= 0.97) and the time per training step against a hand-written
  NumPy step (the floor) and PyTorch CPU eager (target: at most half PyTorch's time);
- the same model through ``keras.Sequential(...).fit`` from the same weights (copied with
  ``set_weights``) and the same shuffling seed: the same final loss to 1e-5;
- a small CNN on ``digits`` (target >= 0.98 test accuracy) and on ``shapes``, with the
  training step time against PyTorch with the same weights (target within 1.5x).

Each timed step includes taking the next batch: learndl from its DataLoader, NumPy and
PyTorch by indexing whole-set arrays with a shuffled index (PyTorch's own DataLoader
collates sample by sample and would be far slower; this compares engines, not loaders).

Run: ``.venv/bin/python benchmarks/training.py``
"""

from __future__ import annotations

import itertools
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from _timing import interleaved, report, torch_or_none  # noqa: E402  (sets thread counts first)

# isort: split

import numpy as np  # noqa: E402

import learndl as ld  # noqa: E402
from learndl import keras, nn  # noqa: E402
from learndl.data import DataLoader, TensorDataset, datasets  # noqa: E402

BATCH, LR, MLP_EPOCHS, CNN_EPOCHS = 32, 0.1, 40, 20


def batches_forever(loader):
    """One DataLoader batch per call, epoch after epoch."""
    return itertools.chain.from_iterable(iter(loader) for _ in itertools.count())


def index_batches(n: int, seed: int = 0):
    """Shuffled index batches forever, for the NumPy and PyTorch variants."""
    rng = np.random.default_rng(seed)
    while True:
        order = rng.permutation(n)
        for start in range(0, n, BATCH):
            yield order[start : start + BATCH]


def sgd_recipe(params, steps: int):
    """SGD with momentum and weight decay, the rate cosine-annealed to 0 over the run."""
    opt = ld.optim.SGD(params, lr=LR, momentum=0.9, weight_decay=5e-4)
    return opt, ld.optim.lr_scheduler.CosineAnnealingLR(opt, T_max=steps)


def train(model, loader, epochs: int, make_opt) -> float:
    """The PyTorch-style loop; returns the last epoch's mean loss. ``make_opt(params,
    steps)`` returns an optimizer, or (optimizer, scheduler stepped after every step)."""
    opt = make_opt(model.parameters(), epochs * len(loader))
    opt, sched = opt if isinstance(opt, tuple) else (opt, None)
    for _ in range(epochs):
        total, seen = 0.0, 0
        for xb, yb in loader:
            loss = ld.cross_entropy(model(xb), yb)
            opt.zero_grad()
            loss.backward()
            opt.step()
            if sched is not None:
                sched.step()
            total, seen = total + loss.item() * len(yb), seen + len(yb)
    return total / seen


def accuracy(model, X, y) -> float:
    model.eval()
    with ld.no_grad():
        pred = model(ld.tensor(X)).numpy().argmax(axis=1)
    model.train()
    return float((pred == y).mean())


def to_torch(torch, model, ld_model):
    """Copy learndl's weights into the same PyTorch architecture (same (out, in) layouts)."""
    with torch.no_grad():
        for tp, lp in zip(model.parameters(), ld_model.parameters(), strict=True):
            tp.copy_(torch.tensor(lp.numpy()))
    return model


def torch_step(torch, model, opt, X, y, batches):
    idx = torch.from_numpy(next(batches))
    loss = torch.nn.functional.cross_entropy(model(X[idx]), y[idx])
    opt.zero_grad()
    loss.backward()
    opt.step()


def learndl_step(model, opt, batches):
    xb, yb = next(batches)
    loss = ld.cross_entropy(model(xb), yb)
    opt.zero_grad()
    loss.backward()
    opt.step()


def numpy_mlp_step(params, X, y, batches):
    """The floor: the same MLP's forward, backward and SGD update by hand."""
    idx = next(batches)
    x, t = X[idx], y[idx]
    w1, b1, w2, b2 = params
    h = np.maximum(x @ w1.T + b1, 0)
    z = h @ w2.T + b2
    p = np.exp(z - z.max(axis=1, keepdims=True))
    p /= p.sum(axis=1, keepdims=True)
    dz = p
    dz[np.arange(len(t)), t] -= 1
    dz /= len(t)
    dh = (dz @ w2) * (h > 0)
    for p_, g in zip(params, (dh.T @ x, dh.sum(0), dz.T @ h, dz.sum(0)), strict=True):
        p_ -= LR * g


def mlp(torch) -> None:
    (X, y), (Xt, yt) = datasets.digits(test_size=0.2)
    mu, sd = X.mean(axis=0), X.std(axis=0) + 1e-3  # standardize each pixel (train statistics)
    Xs, Xts = ((X - mu) / sd).astype(np.float32), ((Xt - mu) / sd).astype(np.float32)
    ld.manual_seed(0)
    model = nn.Sequential(nn.Linear(64, 128), nn.ReLU(), nn.Linear(128, 10))
    start = [p.numpy().copy() for p in model.parameters()]
    loader = DataLoader(TensorDataset(Xs, y), batch_size=BATCH, shuffle=True, generator=0)
    loss = train(model, loader, MLP_EPOCHS, sgd_recipe)
    acc = accuracy(model, Xts, yt)
    print(f"\ndigits MLP 64-128-10 (standardized pixels), PyTorch-style loop, SGD lr {LR} "
          f"momentum 0.9, weight decay 5e-4, cosine schedule, batch {BATCH}, {MLP_EPOCHS}"
          f" epochs: final train loss {loss:.4f}, test accuracy {acc:.3f}"
          f"  (target >= 0.97: {'met' if acc >= 0.97 else 'MISSED'})")  # fmt: skip

    # Timing: fresh copies of the starting weights, one step per call.
    ld_model = nn.Sequential(nn.Linear(64, 128), nn.ReLU(), nn.Linear(128, 10))
    ld_model.load_state_dict({k: ld.tensor(v) for k, v in zip(ld_model.state_dict(), start)})
    ld_opt = ld.optim.SGD(ld_model.parameters(), lr=LR)
    ld_batches = batches_forever(loader)
    np_params = [w.copy() for w in start]
    np_batches = index_batches(len(X))
    variants = {
        "numpy by hand (floor)": lambda: numpy_mlp_step(np_params, Xs, y, np_batches),
        "learndl": lambda: learndl_step(ld_model, ld_opt, ld_batches),
    }
    if torch is not None:
        t_model = torch.nn.Sequential(
            torch.nn.Linear(64, 128), torch.nn.ReLU(), torch.nn.Linear(128, 10)
        )
        to_torch(torch, t_model, ld_model)
        t_opt = torch.optim.SGD(t_model.parameters(), lr=LR)
        tX, ty, t_batches = torch.tensor(Xs), torch.tensor(y), index_batches(len(X))
        variants["pytorch eager"] = lambda: torch_step(torch, t_model, t_opt, tX, ty, t_batches)
    times = interleaved(variants, number=200)
    report("digits MLP training step (batch, forward, loss, backward, SGD step)", times,
           "numpy by hand (floor)")  # fmt: skip
    if torch is not None:
        ratio = times["learndl"] / times["pytorch eager"]
        print(f"  learndl / pytorch: {ratio:.2f}x  (target <= 0.5: "
              f"{'met' if ratio <= 0.5 else 'MISSED'})")  # fmt: skip
    keras_equivalence(X, y, start)


def keras_equivalence(X, y, start, epochs: int = 3, seed: int = 7) -> None:
    """fit and the loop, same weights and same shuffling: fit draws one integer from
    learndl's RNG to seed a Generator with one permutation per epoch; so does the loader."""
    kmodel = keras.Sequential(
        [keras.Input((64,)), keras.layers.Dense(128, activation="relu"), keras.layers.Dense(10)]
    )
    kmodel.set_weights([w.T if w.ndim == 2 else w for w in start])  # Dense keeps (in, out)
    kmodel.compile(
        optimizer=keras.optimizers.SGD(learning_rate=LR),
        loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
    )
    ld.manual_seed(seed)
    kmodel.fit(X, y, batch_size=BATCH, epochs=epochs, verbose=0)

    tmodel = nn.Sequential(nn.Linear(64, 128), nn.ReLU(), nn.Linear(128, 10))
    tmodel.load_state_dict({k: ld.tensor(v) for k, v in zip(tmodel.state_dict(), start)})
    ld.manual_seed(seed)
    rng = np.random.default_rng(int(ld.random.get_rng().integers(2**63)))  # as fit does
    loader = DataLoader(TensorDataset(X, y), batch_size=BATCH, shuffle=True, generator=rng)
    train(tmodel, loader, epochs, lambda ps, steps: ld.optim.SGD(ps, lr=LR))

    keras_final = kmodel.evaluate(X, y, batch_size=len(X), verbose=0)
    with ld.no_grad():
        loop_final = ld.cross_entropy(tmodel(ld.tensor(X)), ld.tensor(y)).item()
    diff = abs(keras_final - loop_final)
    print(f"\nkeras.Sequential.fit vs the loop, same weights and shuffling, {epochs} epochs:")
    print(f"  final loss: fit {keras_final:.8f}, loop {loop_final:.8f}, difference {diff:.1e}"
          f"  (target <= 1e-5: {'met' if diff <= 1e-5 else 'MISSED'})")  # fmt: skip


def digits_cnn(mod):
    return mod.Sequential(
        mod.Conv2d(1, 32, 3, padding=1), mod.ReLU(), mod.Conv2d(32, 32, 3, padding=1), mod.ReLU(),
        mod.MaxPool2d(2), mod.Flatten(), mod.Dropout(0.3), mod.Linear(32 * 4 * 4, 10),
    )  # fmt: skip


def shapes_cnn(mod):
    return mod.Sequential(
        mod.Conv2d(1, 8, 3), mod.ReLU(), mod.MaxPool2d(2),
        mod.Conv2d(8, 16, 3), mod.ReLU(), mod.MaxPool2d(2), mod.Flatten(), mod.Linear(400, 5),
    )  # fmt: skip


def cnn(torch, name, make, data, epochs, target=None) -> None:
    (X, y), (Xt, yt) = data
    ld.manual_seed(0)
    model = make(nn)
    start = [p.numpy().copy() for p in model.parameters()]
    loader = DataLoader(TensorDataset(X, y), batch_size=BATCH, shuffle=True, generator=0)
    loss = train(model, loader, epochs, sgd_recipe)
    acc = accuracy(model, Xt, yt)
    goal = f"  (target >= {target}: {'met' if acc >= target else 'MISSED'})" if target else ""
    print(f"\n{name} CNN, the MLP's SGD recipe, batch {BATCH}, {epochs} epochs: final train loss "
          f"{loss:.4f}, test accuracy {acc:.3f}{goal}")  # fmt: skip

    ld_model = make(nn)
    ld_model.load_state_dict({k: ld.tensor(v) for k, v in zip(ld_model.state_dict(), start)})
    ld_opt = ld.optim.SGD(ld_model.parameters(), lr=LR, momentum=0.9, weight_decay=5e-4)
    ld_batches = batches_forever(loader)
    variants = {"learndl": lambda: learndl_step(ld_model, ld_opt, ld_batches)}
    if torch is None:
        print("  (PyTorch not installed: no step time comparison)")
        return
    t_model = to_torch(torch, make(torch.nn), ld_model)
    t_opt = torch.optim.SGD(t_model.parameters(), lr=LR, momentum=0.9, weight_decay=5e-4)
    tX, ty, t_batches = torch.tensor(X), torch.tensor(y), index_batches(len(X))
    variants["pytorch eager"] = lambda: torch_step(torch, t_model, t_opt, tX, ty, t_batches)
    times = interleaved(variants, number=30)
    report(f"{name} CNN training step, batch {BATCH}, {X.shape[1:]} images", times,
           "pytorch eager")  # fmt: skip
    ratio = times["learndl"] / times["pytorch eager"]
    print(f"  learndl / pytorch: {ratio:.2f}x  (target <= 1.5: "
          f"{'met' if ratio <= 1.5 else 'MISSED'})")  # fmt: skip


def split(X, y, test: int):
    return (X[:-test], y[:-test]), (X[-test:], y[-test:])


if __name__ == "__main__":
    torch = torch_or_none()
    print(f"learndl {ld.__version__}, numpy {np.__version__}, "
          f"pytorch {torch.__version__ if torch else 'not installed'}")  # fmt: skip
    mlp(torch)
    (X, y), (Xt, yt) = datasets.digits(flatten=False, test_size=0.2)
    images = ((X[:, None], y), (Xt[:, None], yt))
    cnn(torch, "digits 8x8", digits_cnn, images, epochs=CNN_EPOCHS, target=0.98)
    shapes = split(*datasets.shapes(1500, seed=0), 300)
    cnn(torch, "shapes 28x28", shapes_cnn, shapes, epochs=CNN_EPOCHS)
