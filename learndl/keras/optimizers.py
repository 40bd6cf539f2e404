"""Keras' optimizers — ``SGD``, ``Adam``, ``AdamW``, ``RMSprop``, ``Adagrad`` — with Keras'
argument names and defaults, each a thin wrapper around the ``learndl.optim`` optimizer
that does the per-parameter work.

What the wrapper adds, as Keras 3 does it:

- ``weight_decay`` is *decoupled* for every optimizer: before the update each weight
  shrinks by ``w -= lr * weight_decay * w`` (``AdamW`` is ``Adam`` with a default decay of
  0.004). ``learndl.optim`` gets ``weight_decay=0``.
- ``clipvalue``, ``clipnorm`` (per weight) and ``global_clipnorm`` clip the gradients.
- ``learning_rate`` may be a float or a schedule ``f(iterations) -> lr``; it can be set
  between steps (``LearningRateScheduler`` does).
- ``iterations`` counts the updates, in a step traced by ``@ld.function`` too: as in
  TensorFlow, where it is a variable, the graph itself adds 1 on every replay.

Where Keras' update rule differs from PyTorch's:

- ``Adam``/``AdamW``: Keras adds ``epsilon`` to ``sqrt(v)`` *before* the bias correction
  ("epsilon hat" in the paper), PyTorch after it. The wrapper sets the learndl optimizer's
  group option ``eps_before_correction``, which takes Keras' rule in both the eager and the
  traced step — so the results match Keras.
- ``SGD`` with momentum: Keras keeps ``v = momentum * v - lr * g``, PyTorch
  ``b = momentum * b + g`` and steps by ``lr * b``. Same weights while ``lr`` is constant;
  after ``lr`` changes, PyTorch's buffer applies the new ``lr`` to past gradients too.
- ``RMSprop`` and ``Adagrad`` (documented deviation): Keras divides by
  ``sqrt(v + epsilon)``, PyTorch (and so learndl) by ``sqrt(v) + epsilon``. The two agree
  once ``v`` is well above ``epsilon`` (1e-7) and differ for weights with tiny gradients.

Example:
    >>> import learndl as ld
    >>> from learndl import keras
    >>> w = ld.tensor([1.0, -2.0], requires_grad=True)
    >>> opt = keras.optimizers.SGD(learning_rate=0.5)
    >>> (w * w).sum().backward()
    >>> opt.apply([w.grad], [w])
    >>> w.tolist(), opt.iterations
    ([0.0, 0.0], 1)
"""

from __future__ import annotations

import operator
from collections.abc import Callable
from typing import Any

import numpy as np

import learndl as ld
from learndl.static import assign
from learndl.static import tracer as tracing
from learndl.static.optim_rules import state_tensor
from learndl.tensor import Tensor


class Optimizer:
    """Base class: Keras' ``apply``/``apply_gradients`` on top of a learndl optimizer."""

    def __init__(
        self,
        learning_rate: float | Callable[[int], float] = 0.001,
        weight_decay: float | None = None,
        clipnorm: float | None = None,
        clipvalue: float | None = None,
        global_clipnorm: float | None = None,
        name: str | None = None,
    ) -> None:
        self._learning_rate = learning_rate
        self.weight_decay = weight_decay
        self.clipnorm, self.clipvalue, self.global_clipnorm = clipnorm, clipvalue, global_clipnorm
        self.name = name or type(self).__name__.lower()
        # A 0-d array, not an int: a traced step adds 1 to it on every replay (see apply).
        self._iterations = np.zeros((), dtype=np.int64)
        self.built = False
        self.inner: Any = None  # the learndl.optim optimizer, made by build()
        self._variables: list[Tensor] = []

    # Subclasses return the learndl.optim optimizer over ``params`` and their settings.
    def _make(self, params: list[Tensor], lr: float) -> Any:
        raise NotImplementedError

    def _settings(self) -> dict:
        return {}

    @property
    def iterations(self) -> int:
        """How many updates this optimizer has applied."""
        return int(self._iterations)

    @iterations.setter
    def iterations(self, value: int) -> None:
        self._iterations[...] = value

    @property
    def learning_rate(self) -> float:
        lr = self._learning_rate
        if callable(lr) and tracing.current() is not None:
            raise tracing.TracingError(
                f"{type(self).__name__}: a learning-rate schedule is computed in Python from "
                "`iterations`, and a traced step would keep its first value on every replay. "
                "Train this step eagerly, or give a float learning_rate."
            )
        return float(lr(self.iterations) if callable(lr) else lr)

    @learning_rate.setter
    def learning_rate(self, value: float) -> None:
        self._learning_rate = value

    def build(self, variables: list[Tensor]) -> None:
        """Create the per-weight state (through the learndl optimizer) for ``variables``."""
        self._variables = list(variables)
        self.inner = self._make(self._variables, self.learning_rate)
        self.built = True

    def apply(self, grads: list[Tensor | None], trainable_variables: list[Tensor]) -> None:
        """One update of ``trainable_variables`` with ``grads`` (same order)."""
        variables = list(trainable_variables)
        if not self.built or any(a is not b for a, b in zip(variables, self._variables)):
            self.build(variables)
        tracer = tracing.current()
        if tracer is not None:  # a trace freezes these Python numbers: guard them
            keys = ("_learning_rate", "weight_decay", "clipnorm", "clipvalue", "global_clipnorm")
            read = operator.attrgetter(*keys)
            names = tuple(f"{type(self).__name__}.{k.lstrip('_')}" for k in keys)
            tracer.guard(names, lambda: read(self))
        lr = self.learning_rate
        with ld.no_grad():
            grads = self._clip(list(grads))
            for var, grad in zip(variables, grads):
                var.grad = grad
                if self.weight_decay and grad is not None:  # an assign: a trace records it
                    assign(var, var - (lr * self.weight_decay) * var)
            for group in self.inner.param_groups:
                group["lr"] = lr
            self.inner.step()
            if tracer is None:
                self._iterations += 1
            else:  # recorded, so that every replay counts its update
                counter = state_tensor(self._iterations)
                assign(counter, counter + 1)

    def apply_gradients(self, grads_and_vars: Any) -> None:
        """``apply`` for a list of ``(gradient, variable)`` pairs."""
        grads, variables = zip(*grads_and_vars)
        self.apply(list(grads), list(variables))

    def _clip(self, grads: list[Tensor | None]) -> list[Tensor | None]:
        """Keras' gradient clipping, written in learndl ops so that a trace records it."""
        if self.clipvalue is not None:
            c = self.clipvalue
            grads = [None if g is None else g.clip(-c, c) for g in grads]
        if self.clipnorm is not None:  # each gradient by its own norm
            grads = [None if g is None else g * _clip_factor(self.clipnorm, [g]) for g in grads]
        present = [g for g in grads if g is not None]
        if self.global_clipnorm is not None and present:  # all of them by the norm of all
            factor = _clip_factor(self.global_clipnorm, present)
            grads = [None if g is None else g * factor for g in grads]
        return grads

    def get_config(self) -> dict:
        lr = self._learning_rate
        return {
            "name": self.name,
            "learning_rate": lr if not callable(lr) else self.learning_rate,
            "weight_decay": self.weight_decay,
            "clipnorm": self.clipnorm,
            "clipvalue": self.clipvalue,
            "global_clipnorm": self.global_clipnorm,
            **self._settings(),
        }

    @classmethod
    def from_config(cls, config: dict) -> Optimizer:
        return cls(**config)

    def __repr__(self) -> str:
        return f"<{type(self).__name__} learning_rate={self.learning_rate:g}>"


def _clip_factor(limit: float, grads: list[Tensor]) -> Tensor:
    """``min(1, limit / norm)``, the norm over all of ``grads`` taken in float64; a 0-d tensor
    of the gradients' dtype."""
    norm = sum((g.double() ** 2).sum() for g in grads).sqrt()
    factor = ld.minimum(limit / ld.maximum(norm, 1e-30), 1.0)
    return factor.to(grads[0].dtype)


class SGD(Optimizer):
    """Gradient descent, with optional momentum: ``v = momentum * v - lr * g; w += v``."""

    def __init__(self, learning_rate=0.01, momentum=0.0, nesterov=False, **kwargs: Any) -> None:
        super().__init__(learning_rate, **kwargs)
        self.momentum, self.nesterov = momentum, nesterov

    def _make(self, params, lr):
        return ld.optim.SGD(params, lr=lr, momentum=self.momentum, nesterov=self.nesterov)

    def _settings(self) -> dict:
        return {"momentum": self.momentum, "nesterov": self.nesterov}


class Adam(Optimizer):
    """Adam with Keras' defaults (``epsilon=1e-7``, added before bias correction)."""

    def __init__(
        self,
        learning_rate=0.001,
        beta_1=0.9,
        beta_2=0.999,
        epsilon=1e-7,
        amsgrad=False,
        **kwargs: Any,
    ) -> None:
        super().__init__(learning_rate, **kwargs)
        self.beta_1, self.beta_2, self.epsilon, self.amsgrad = beta_1, beta_2, epsilon, amsgrad

    def _make(self, params, lr):
        inner = ld.optim.Adam(
            params, lr=lr, betas=(self.beta_1, self.beta_2), eps=self.epsilon, amsgrad=self.amsgrad
        )
        for group in inner.param_groups:
            group["eps_before_correction"] = True  # Keras' rule (see the module docstring)
        return inner

    def _settings(self) -> dict:
        return {
            "beta_1": self.beta_1,
            "beta_2": self.beta_2,
            "epsilon": self.epsilon,
            "amsgrad": self.amsgrad,
        }


class AdamW(Adam):
    """Adam with decoupled weight decay (Keras' default ``weight_decay=0.004``)."""

    def __init__(self, learning_rate=0.001, weight_decay=0.004, **kwargs: Any) -> None:
        super().__init__(learning_rate, weight_decay=weight_decay, **kwargs)


class RMSprop(Optimizer):
    """Divide each gradient by a running root mean square: ``v = rho * v + (1 - rho) g^2``."""

    def __init__(
        self,
        learning_rate=0.001,
        rho=0.9,
        momentum=0.0,
        epsilon=1e-7,
        centered=False,
        **kwargs: Any,
    ) -> None:
        super().__init__(learning_rate, **kwargs)
        self.rho, self.momentum, self.epsilon, self.centered = rho, momentum, epsilon, centered

    def _make(self, params, lr):
        return ld.optim.RMSprop(
            params,
            lr=lr,
            alpha=self.rho,
            eps=self.epsilon,
            momentum=self.momentum,
            centered=self.centered,
        )

    def _settings(self) -> dict:
        return {
            "rho": self.rho,
            "momentum": self.momentum,
            "epsilon": self.epsilon,
            "centered": self.centered,
        }


class Adagrad(Optimizer):
    """Divide each gradient by the root of the sum of all its past squares."""

    def __init__(
        self, learning_rate=0.001, initial_accumulator_value=0.1, epsilon=1e-7, **kwargs: Any
    ) -> None:
        super().__init__(learning_rate, **kwargs)
        self.initial_accumulator_value, self.epsilon = initial_accumulator_value, epsilon

    def _make(self, params, lr):
        return ld.optim.Adagrad(
            params,
            lr=lr,
            initial_accumulator_value=self.initial_accumulator_value,
            eps=self.epsilon,
        )

    def _settings(self) -> dict:
        return {
            "initial_accumulator_value": self.initial_accumulator_value,
            "epsilon": self.epsilon,
        }


_BY_NAME = {cls.__name__.lower(): cls for cls in (SGD, Adam, AdamW, RMSprop, Adagrad)}


def get(identifier: str | Optimizer) -> Optimizer:
    """An optimizer from its name (``"adam"``, with Keras' defaults) or as is."""
    if isinstance(identifier, Optimizer):
        return identifier
    if isinstance(identifier, str) and identifier.lower() in _BY_NAME:
        return _BY_NAME[identifier.lower()]()
    raise ValueError(f"Unknown optimizer {identifier!r}; expected one of {sorted(_BY_NAME)}.")
