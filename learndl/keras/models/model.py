"""``Model``: a layer that can be trained — ``compile``, ``fit``, ``evaluate``, ``predict``.

``fit`` is a loop over epochs and batches that calls :meth:`Model.train_step` once per
batch and callbacks around it. ``train_step`` is the part worth reading (and
overriding): forward, loss, backward, optimizer step, metrics — the same five lines as
a PyTorch training loop. Subclass ``Model`` and define ``call`` for your own
architecture; :class:`~learndl.keras.Sequential` stacks layers.

Example:
    >>> import numpy as np
    >>> import learndl as ld
    >>> from learndl import keras
    >>> _ = ld.manual_seed(0)
    >>> model = keras.Sequential([keras.Input((2,)), keras.layers.Dense(1)])
    >>> model.compile(optimizer=keras.optimizers.SGD(0.1), loss="mse")
    >>> x = np.random.default_rng(0).normal(size=(64, 2)); y = x @ [[2.0], [-1.0]]
    >>> history = model.fit(x, y, epochs=30, verbose=0)
    >>> bool(history.history["loss"][-1] < 0.01)
    True
"""

from __future__ import annotations

from typing import Any

import numpy as np

import learndl as ld
from learndl.keras import callbacks as callbacks_module
from learndl.keras import losses, metrics, optimizers
from learndl.keras.layers.layer import Layer
from learndl.keras.models.data import Batches, train_validation_split, unpack_x_y_sample_weight
from learndl.tensor import Tensor


class Model(Layer):
    """A layer with a training loop. See the module docstring."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        if args:
            raise TypeError(
                "learndl.keras supports Sequential and subclassed models; the functional "
                "form Model(inputs, outputs) is not available."
            )
        super().__init__(**kwargs)
        self.optimizer: optimizers.Optimizer | None = None
        self.loss: Any = None
        self.compiled = False
        self.stop_training = False
        self.history: callbacks_module.History | None = None
        self._loss_tracker = metrics.Mean(name="loss")
        self._metric_ids: list[Any] = []
        self._compile_metrics: list[metrics.Metric] | None = None

    @property
    def layers(self) -> list[Layer]:
        return list(self._layers)

    # ------------------------------------------------------------------ compile
    def compile(self, optimizer: Any = "rmsprop", loss: Any = None, metrics: Any = None) -> None:
        """Choose the optimizer, the loss and the metrics to report (by name or object)."""
        self.optimizer = optimizers.get(optimizer)
        self.loss = loss
        self._loss_fn = None if loss is None else losses.get(loss)
        self._metric_ids = list(metrics or [])
        self._compile_metrics = None  # made at the first batch, when shapes are known
        self.compiled = True

    @property
    def metrics(self) -> list[metrics.Metric]:
        return [self._loss_tracker, *(self._compile_metrics or [])]

    @property
    def metrics_names(self) -> list[str]:
        return [m.name for m in self.metrics]

    def reset_metrics(self) -> None:
        for m in self.metrics:
            m.reset_state()

    def compute_loss(self, x=None, y=None, y_pred=None, sample_weight=None) -> Tensor:
        """The compiled loss of a batch, a scalar tensor."""
        if isinstance(self._loss_fn, losses.Loss):
            return self._loss_fn(y, y_pred, sample_weight)
        value = self._loss_fn(y, y_pred)
        return value if value.ndim == 0 else value.mean()

    def compute_metrics(self, x, y, y_pred, sample_weight=None) -> dict[str, float]:
        """Add a batch to the compiled metrics; return every metric's value so far."""
        if self._compile_metrics is None:
            self._compile_metrics = [metrics.get(m, y, y_pred) for m in self._metric_ids]
        with ld.no_grad():
            for m in self._compile_metrics:
                m.update_state(y, y_pred, sample_weight)
        return self.get_metrics_result()

    def get_metrics_result(self) -> dict[str, float]:
        return dict(sorted((m.name, m.result()) for m in self.metrics))  # Keras sorts its logs

    # ------------------------------------------------------------------ one batch
    def zero_grad(self) -> None:
        for w in self.trainable_weights:
            w.grad = None

    def train_step(self, data: Any) -> dict[str, float]:
        """One optimization step on one batch; returns the running metrics (the logs)."""
        x, y, sample_weight = unpack_x_y_sample_weight(data)
        y_pred = self(x, training=True)
        self.zero_grad()
        loss = self.compute_loss(x=x, y=y, y_pred=y_pred, sample_weight=sample_weight)
        self._loss_tracker.update_state(loss.item(), sample_weight=len(y_pred))
        loss.backward()
        trainable = self.trainable_weights
        self.optimizer.apply([v.grad for v in trainable], trainable)
        return self.compute_metrics(x, y, y_pred, sample_weight)

    def test_step(self, data: Any) -> dict[str, float]:
        """Loss and metrics of one batch, without training (runs under ``no_grad``)."""
        x, y, sample_weight = unpack_x_y_sample_weight(data)
        y_pred = self(x, training=False)
        loss = self.compute_loss(x=x, y=y, y_pred=y_pred, sample_weight=sample_weight)
        self._loss_tracker.update_state(loss.item(), sample_weight=len(y_pred))
        return self.compute_metrics(x, y, y_pred, sample_weight)

    def predict_step(self, data: Any) -> Tensor:
        x, _, _ = unpack_x_y_sample_weight(data)
        return self(x, training=False)

    # ------------------------------------------------------------------ loops
    def _callbacks(self, given: Any, verbose: int, **params: Any):
        # As Keras: the user's callbacks first, then History, then the progress display
        # (so both see what the user's callbacks add to the logs).
        given = list(given or [])
        if not any(isinstance(cb, callbacks_module.History) for cb in given):
            given.append(callbacks_module.History())
        # Looked up at call time, so the Jupyter layer can swap in a live dashboard.
        progress = callbacks_module.default_progress_callback(verbose)
        if progress is not None:
            given.append(progress)
        return callbacks_module.CallbackList(given, self, verbose=verbose, **params)

    def fit(
        self,
        x: Any = None,
        y: Any = None,
        batch_size: int | None = None,
        epochs: int = 1,
        verbose: int | str = "auto",
        callbacks: list | None = None,
        validation_split: float = 0.0,
        validation_data: Any = None,
        shuffle: bool = True,
        sample_weight: Any = None,
        initial_epoch: int = 0,
    ) -> callbacks_module.History:
        """Train for ``epochs`` passes over ``(x, y)`` (arrays) or over a DataLoader ``x``.

        Batches: see :mod:`learndl.keras.models.data` for the exact (reproducible) order.
        ``fit`` first draws one integer from learndl's global RNG to seed its shuffling.
        Returns the :class:`~learndl.keras.callbacks.History`, whose ``history`` dict has
        ``"loss"``, each metric, and ``"val_..."`` for the validation data.
        """
        if not self.compiled:
            raise RuntimeError("You must call model.compile(optimizer, loss) before fit().")
        verbose = 1 if verbose == "auto" else verbose
        rng = np.random.default_rng(int(ld.random.get_rng().integers(2**63)))
        if validation_split and validation_data is None:
            (x, y), validation_data = train_validation_split(x, y, validation_split)
        train = Batches(x, y, batch_size, shuffle, rng, sample_weight)
        cbs = self._callbacks(callbacks, verbose, epochs=epochs, steps=len(train))
        self.stop_training = False
        cbs.on_train_begin()
        epoch_logs: dict[str, float] = {}
        for epoch in range(initial_epoch, epochs):
            self.reset_metrics()
            cbs.on_epoch_begin(epoch)
            for step, batch in enumerate(train):
                cbs.on_train_batch_begin(step)
                logs = self.train_step(batch)
                cbs.on_train_batch_end(step, logs)
                if self.stop_training:
                    break
            epoch_logs = self.get_metrics_result()
            if validation_data is not None:
                val = validation_data
                val_x, val_y, val_w = unpack_x_y_sample_weight(val)
                val_logs = self._evaluate(
                    Batches(val_x, val_y, batch_size, sample_weight=val_w), cbs
                )
                epoch_logs.update({f"val_{k}": v for k, v in val_logs.items()})
            cbs.on_epoch_end(epoch, epoch_logs)
            if self.stop_training:
                break
        cbs.on_train_end(epoch_logs)
        return self.history

    def _evaluate(self, batches: Batches, cbs: Any) -> dict[str, float]:
        self.reset_metrics()
        cbs.on_test_begin()
        logs: dict[str, float] = {}
        with ld.no_grad():
            for step, batch in enumerate(batches):
                cbs.on_test_batch_begin(step)
                logs = self.test_step(batch)
                cbs.on_test_batch_end(step, logs)
        logs = self.get_metrics_result()
        cbs.on_test_end(logs)
        return logs

    def evaluate(
        self,
        x: Any = None,
        y: Any = None,
        batch_size: int | None = None,
        verbose: int | str = "auto",
        sample_weight: Any = None,
        callbacks: list | None = None,
        return_dict: bool = False,
    ) -> float | list[float] | dict[str, float]:
        """Loss (and metrics) over ``(x, y)``: a float, ``[loss, *metrics]`` or a dict."""
        verbose = 1 if verbose == "auto" else verbose
        batches = Batches(x, y, batch_size, sample_weight=sample_weight)
        cbs = self._callbacks(callbacks, verbose, epochs=1, steps=len(batches))
        logs = self._evaluate(batches, cbs)
        if return_dict:
            return logs
        values = [logs[m.name] for m in self.metrics]
        return values[0] if len(values) == 1 else values

    def predict(
        self, x: Any, batch_size: int | None = None, verbose: int | str = "auto", callbacks=None
    ) -> np.ndarray:
        """Outputs for ``x`` as one numpy array (inference mode: no dropout, moving BN)."""
        verbose = 1 if verbose == "auto" else verbose
        batches = Batches(x, None, batch_size)
        cbs = self._callbacks(callbacks, verbose, epochs=1, steps=len(batches))
        cbs.on_predict_begin()
        outputs = []
        with ld.no_grad():
            for step, batch in enumerate(batches):
                cbs.on_predict_batch_begin(step)
                outputs.append(self.predict_step(batch).numpy())
                cbs.on_predict_batch_end(step, {"outputs": outputs[-1]})
        cbs.on_predict_end()
        return np.concatenate(outputs)

    # ------------------------------------------------------------------ inspect, save
    def summary(self, line_length: int | None = None, print_fn: Any = None) -> None:
        """Print the table of layers, output shapes and parameter counts, as Keras 3."""
        from learndl.keras.models.summary import print_summary

        print_summary(self, line_length=line_length, print_fn=print_fn)

    def save(self, filepath: str) -> None:
        """Save architecture (JSON), compile settings and weights to one ``.keras`` file."""
        from learndl.keras.models.saving import save_model

        save_model(self, filepath)

    def save_weights(self, filepath: str) -> None:
        from learndl.keras.models.saving import save_weights

        save_weights(self, filepath)

    def load_weights(self, filepath: str) -> None:
        from learndl.keras.models.saving import load_weights

        load_weights(self, filepath)
