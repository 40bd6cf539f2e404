"""@ld.function on learndl.keras layers: forward, gradients and a whole training step equal
eager, including seeded Dropout masks and BatchNormalization's moving statistics."""

from __future__ import annotations

import numpy as np
import pytest

import learndl as ld
from learndl import keras
from learndl.keras import backend
from tests.keras_helpers import fresh_keras_session  # noqa: F401 - autouse: imported, it applies
from tests.keras_helpers import sequential as _seq

L = keras.layers


MODELS = {
    "dense": ((8,), lambda: _seq((8,), L.Dense(5, activation="relu"), L.Dense(3))),
    "dense_softmax": ((8,), lambda: _seq((8,), L.Dense(5, activation="softmax"))),
    "dropout": ((8,), lambda: _seq((8,), L.Dense(6), L.Dropout(0.5), L.Dense(3))),
    "batchnorm": ((8,), lambda: _seq((8,), L.Dense(5), L.BatchNormalization(), L.ReLU())),
    "conv2d": ((6, 6, 2), lambda: _seq((6, 6, 2), L.Conv2D(3, 3, activation="relu"))),
    "conv2d_same": ((5, 5, 2), lambda: _seq((5, 5, 2), L.Conv2D(3, 3, 2, padding="same"))),
    "maxpool": ((6, 6, 2), lambda: _seq((6, 6, 2), L.Conv2D(3, 3), L.MaxPooling2D())),
    "maxpool_same": (
        (5, 5, 2),
        lambda: _seq((5, 5, 2), L.Conv2D(3, 1), L.MaxPooling2D(padding="same")),
    ),
    "avgpool": ((6, 6, 2), lambda: _seq((6, 6, 2), L.Conv2D(3, 3), L.AveragePooling2D())),
    "avgpool_same": (
        (5, 5, 2),
        lambda: _seq((5, 5, 2), L.Conv2D(3, 1), L.AveragePooling2D(padding="same")),
    ),
    "batchnorm_images": (
        (6, 6, 2),
        lambda: _seq((6, 6, 2), L.Conv2D(3, 3), L.BatchNormalization()),
    ),
    "flatten": ((6, 6, 2), lambda: _seq((6, 6, 2), L.Conv2D(3, 3), L.Flatten(), L.Dense(4))),
    "cnn": (
        (6, 6, 1),
        lambda: _seq(
            (6, 6, 1),
            L.Conv2D(4, 3, padding="same", activation="relu"),
            L.BatchNormalization(),
            L.MaxPooling2D(),
            L.Flatten(),
            L.Dropout(0.3),
            L.Dense(3, activation="softmax"),
        ),
    ),
}


def _x(shape, n=4, seed=0):
    return ld.tensor(np.random.default_rng(seed).normal(size=(n, *shape)).astype("float32"))


def _both(name, run, calls=1):
    """``run(model, fn_wrapper)`` eagerly and traced, from the same seed; both results."""
    shape, make = MODELS[name] if isinstance(name, str) else name
    out = []
    for traced in (False, True):
        backend.clear_session()
        ld.manual_seed(0)
        model = make()
        ld.manual_seed(1)
        out.append(run(model, ld.function if traced else (lambda f: f), _x(shape), calls))
    return out


@pytest.mark.parametrize("name", sorted(MODELS))
@pytest.mark.parametrize("training", [False, True])
def test_forward_equals_eager(name, training):
    def run(model, wrap, x, calls):
        f = wrap(lambda x: model(x, training=training))
        return [f(x).numpy().copy() for _ in range(calls)]

    eager, traced = _both(name, run, calls=3)  # the trace, then two replays
    for a, b in zip(eager, traced):
        np.testing.assert_allclose(a, b, rtol=1e-6, atol=1e-6)


@pytest.mark.parametrize("name", sorted(MODELS))
def test_gradients_equal_eager(name):
    def run(model, wrap, x, calls):
        def grads(x):
            model.zero_grad()
            y = model(x, training=True)
            loss = (y * y).mean()
            loss.backward()
            return loss, [w.grad for w in model.trainable_weights]

        f = wrap(grads)
        results = []
        for _ in range(calls):
            loss, gs = f(x)
            results.append([loss.numpy().copy()] + [g.numpy().copy() for g in gs])
            # the weights' .grad is written on replays too
            results.append([w.grad.numpy().copy() for w in model.trainable_weights])
        return results

    eager, traced = _both(name, run, calls=2)
    for a, b in zip(eager, traced):
        for ga, gb in zip(a, b):
            np.testing.assert_allclose(ga, gb, rtol=1e-5, atol=1e-6)


def _train_step(model, optimizer):
    """Keras' train_step without its Python-side metrics: forward, loss, backward, update."""

    def step(x, y):
        y_pred = model(x, training=True)
        model.zero_grad()
        loss = model.compute_loss(x=x, y=y, y_pred=y_pred)
        loss.backward()
        optimizer.apply([w.grad for w in model.trainable_weights], model.trainable_weights)
        return loss

    return step


@pytest.mark.parametrize("name", sorted(MODELS))
def test_training_step_equals_eager(name):
    def run(model, wrap, x, calls):
        model.compile(optimizer=keras.optimizers.SGD(0.05, momentum=0.9), loss="mse")
        y = ld.tensor(np.linspace(-1, 1, np.prod(model(x).shape)).reshape(model(x).shape))
        step = wrap(_train_step(model, model.optimizer))
        losses = [step(x, y).item() for _ in range(calls)]
        return losses, [w.numpy().copy() for w in model.weights]  # moving statistics too

    (le, we), (lt, wt) = _both(name, run, calls=5)
    np.testing.assert_allclose(le, lt, rtol=1e-6, atol=1e-7)
    assert len(we) == len(wt)
    for a, b in zip(we, wt):
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6)


def test_batchnorm_moving_statistics_move_on_every_replay():
    model = MODELS["batchnorm"][1]()
    f = ld.function(lambda x: model(x, training=True))
    bn = model.layers[1]
    seen = []
    for i in range(3):
        f(_x((8,), seed=i))
        seen.append(bn.moving_mean.numpy().copy())
    assert len(f.traces) == 1
    assert not np.allclose(seen[0], seen[1]) and not np.allclose(seen[1], seen[2])
    assert any(n.op == "assign" for n in f.graph.nodes)


def test_seeded_dropout_draws_a_new_mask_each_replay():
    model = _seq((50,), L.Dropout(0.5))
    f = ld.function(lambda x: model(x, training=True))
    x = ld.ones(2, 50)
    ld.manual_seed(3)
    traced = [f(x).numpy().copy() for _ in range(3)]
    ld.manual_seed(3)
    eager = [model(x, training=True).numpy().copy() for _ in range(3)]
    assert not np.array_equal(traced[1], traced[2])
    for a, b in zip(eager, traced):
        np.testing.assert_array_equal(a, b)


def test_variable_assign_with_a_tensor_is_recorded():
    model = _seq((2,), L.Dense(2))
    kernel = model.layers[0].kernel

    @ld.function
    def shrink(scale):
        kernel.assign(kernel * scale)

    before = kernel.numpy().copy()
    shrink(0.5)
    shrink(0.5)
    np.testing.assert_allclose(kernel.numpy(), before * 0.25)


def test_keras_adam_training_step_equals_eager():
    # Keras' Adam adds epsilon before the bias correction, which depends on the step count:
    # the graph must count steps itself, or every replay would reuse the first step's.
    def run(model, wrap, x, calls):
        model.compile(optimizer=keras.optimizers.Adam(0.01), loss="mse")
        step = wrap(_train_step(model, model.optimizer))
        losses = [step(x, ld.zeros(4, 4)).item() for _ in range(calls)]
        return losses, model.get_weights(), model.optimizer.iterations

    model = ((8,), lambda: _seq((8,), L.Dense(4), L.BatchNormalization()))
    (le, we, ie), (lt, wt, it) = _both(model, run, calls=30)
    np.testing.assert_allclose(le, lt, rtol=1e-5, atol=1e-7)
    for a, b in zip(we, wt):
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6)
    assert ie == it == 30  # the trace and 29 replays each counted their update


def test_keras_schedule_in_a_traced_step_is_an_error():
    model = _seq((2,), L.Dense(1))
    model.compile(optimizer=keras.optimizers.SGD(lambda step: 0.1 / (1 + step)), loss="mse")
    step = ld.function(_train_step(model, model.optimizer))
    before = [w.copy() for w in model.get_weights()]
    with pytest.raises(ld.static.TracingError, match="schedule"):
        step(ld.ones(3, 2), ld.zeros(3, 1))
    assert model.optimizer.iterations == 0  # nothing was applied
    for a, b in zip(before, model.get_weights()):
        np.testing.assert_array_equal(a, b)


@pytest.mark.parametrize(
    "setting",
    [{"weight_decay": 0.1}, {"clipnorm": 0.01}, {"clipvalue": 0.01}, {"global_clipnorm": 0.01}],
)
def test_keras_weight_decay_and_clipping_are_recorded(setting):
    # Written in ops and assign, not on raw arrays: every replay decays and clips again.
    def run(model, wrap, x, calls):
        model.compile(optimizer=keras.optimizers.SGD(0.1, **setting), loss="mse")
        step = wrap(_train_step(model, model.optimizer))
        rng = np.random.default_rng(5)
        for _ in range(calls):
            step(x, ld.tensor(rng.normal(size=(4, 3)).astype("float32")))
        return model.get_weights()

    eager, traced = _both(((8,), lambda: _seq((8,), L.Dense(3))), run, calls=5)
    for a, b in zip(eager, traced):
        np.testing.assert_allclose(a, b, rtol=1e-6, atol=1e-7)


def test_keras_learning_rate_set_after_tracing_makes_the_step_trace_again():
    model = _seq((2,), L.Dense(1))
    model.compile(optimizer=keras.optimizers.Adam(0.1), loss="mse")
    step = ld.function(_train_step(model, model.optimizer))
    x, y = ld.ones(3, 2), ld.zeros(3, 1)
    step(x, y)
    model.optimizer.learning_rate = 0.0  # what LearningRateScheduler does between epochs
    before = [w.copy() for w in model.get_weights()]
    step(x, y)
    for a, b in zip(before, model.get_weights()):
        np.testing.assert_array_equal(a, b)
    assert step.traces[-1].reason == "Adam.learning_rate is 0.0 (the trace used 0.1)"
    assert model.optimizer.iterations == 2


# -- layers and optimizers built inside the first traced call
def _lazy_training(make_optimizer, calls=4):
    """A model with no Input, so it builds its weights (and the optimizer its slots) inside
    the first call of the step; losses, weights and step count, eagerly and traced."""
    out = []
    for traced in (False, True):
        backend.clear_session()
        ld.manual_seed(0)
        model = keras.Sequential(
            [L.Dense(6, activation="relu"), L.BatchNormalization(), L.Dropout(0.3), L.Dense(2)]
        )
        model.compile(optimizer=make_optimizer(), loss="mse")
        step = _train_step(model, model.optimizer)
        step = ld.function(step) if traced else step
        rng = np.random.default_rng(7)
        losses = []
        for _ in range(calls):
            x = ld.tensor(rng.normal(size=(5, 3)).astype("float32"))
            y = ld.tensor(rng.normal(size=(5, 2)).astype("float32"))
            losses.append(step(x, y).item())
        out.append((losses, model.get_weights(), model.optimizer.iterations))
    return out


@pytest.mark.parametrize(
    "make_optimizer",
    [
        lambda: keras.optimizers.SGD(0.1),
        lambda: keras.optimizers.SGD(0.05, momentum=0.9),
        lambda: keras.optimizers.Adam(0.01),
        lambda: keras.optimizers.AdamW(0.01),
    ],
    ids=["sgd", "momentum", "adam", "adamw"],
)
def test_model_built_by_the_first_traced_call_trains_on_every_replay(make_optimizer):
    # Weights (and the moving statistics, the optimizer's slots) made while tracing are
    # state: captured and updated by assign nodes, not frozen as constants of the trace.
    (le, we, ie), (lt, wt, it) = _lazy_training(make_optimizer)
    np.testing.assert_allclose(le, lt, rtol=1e-5, atol=1e-7)
    assert len(we) == len(wt) == 8
    for a, b in zip(we, wt):
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6)
    assert ie == it == 4
    assert len(set(np.round(lt, 6))) == 4  # the loss moves: the replays train


def test_layer_built_by_the_first_traced_call_reads_its_weights_on_replay():
    dense = L.Dense(1)
    f = ld.function(lambda x: dense(x))
    x = ld.ones(1, 2)
    first = f(x).numpy().copy()
    dense.kernel.assign(dense.kernel * 2.0)  # eagerly, between calls
    dense.bias.assign(np.ones(1, "float32"))
    np.testing.assert_allclose(f(x).numpy(), first * 2.0 + 1.0, rtol=1e-6)


def test_an_optimizer_without_a_traced_step_on_a_lazy_model_is_an_error():
    # RMSprop updates with raw NumPy: once the lazily made weights are captured, the tracer
    # sees the unrecorded write and says so (it used to replay a frozen model silently).
    model = keras.Sequential([L.Dense(2)])
    model.compile(optimizer=keras.optimizers.RMSprop(0.01), loss="mse")
    step = ld.function(_train_step(model, model.optimizer))
    with pytest.raises(ld.static.TracingError, match="changed outside learndl ops"):
        step(ld.ones(3, 2), ld.zeros(3, 2))


# -- Embedding looks up the indices of each call
@pytest.mark.parametrize("dtype", ["int64", "int32", "float32"])
def test_embedding_looks_up_new_indices_on_every_replay(dtype):
    emb = L.Embedding(6, 3)
    f = ld.function(lambda ix: emb(ix))
    for ix in ([[0, 1, 2]], [[5, 4, 3]], [[2, 2, 0]], [[1, 5, 5]]):
        ix = ld.tensor(np.array(ix, dtype))
        np.testing.assert_array_equal(f(ix).numpy(), emb(ix).numpy())
    assert len(f.traces) == 1


def test_embedding_training_step_equals_eager():
    def run(model, wrap, x, calls):
        model.compile(optimizer=keras.optimizers.Adam(0.05), loss="mse")
        step = wrap(_train_step(model, model.optimizer))
        rng = np.random.default_rng(3)
        losses = []
        for _ in range(calls):
            ix = ld.tensor(rng.integers(0, 7, size=(4, 3)))
            losses.append(step(ix, ld.ones(4, 3, 2)).item())
        return losses, model.get_weights()

    # no Input: the table is made inside the first (traced) call too
    model = ((3,), lambda: keras.Sequential([L.Embedding(7, 2)]))
    (le, we), (lt, wt) = _both(model, run, calls=4)
    np.testing.assert_allclose(le, lt, rtol=1e-5, atol=1e-7)
    np.testing.assert_allclose(we[0], wt[0], rtol=1e-5, atol=1e-6)
