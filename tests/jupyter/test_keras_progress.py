"""Keras' fit(verbose=1) after %load_ext learndl: the live dashboard in a kernel, text elsewhere.

Driven through IPython's own InteractiveShell. It has no kernel, so "a notebook frontend
is attached" is simulated by patching ``in_kernel``; displays are captured by IPython's
CapturingDisplayPublisher.
"""

from __future__ import annotations

import pytest

pytest.importorskip("IPython")
pytest.importorskip("anywidget")
from IPython.core.displaypub import CapturingDisplayPublisher  # noqa: E402
from IPython.core.interactiveshell import InteractiveShell  # noqa: E402

from learndl.jupyter import display, keras_progress  # noqa: E402
from learndl.keras import callbacks  # noqa: E402

SETUP = """
import numpy as np
import learndl as ld
from learndl import keras
ld.manual_seed(0)
X = np.random.default_rng(0).normal(size=(64, 4)).astype("float32")
y = (X[:, 0] > 0).astype("int64")
model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(8, activation="relu"),
                          keras.layers.Dense(2)])
model.compile("sgd", keras.losses.SparseCategoricalCrossentropy(from_logits=True),
              metrics=["accuracy"])
"""
FIT = "h = model.fit(X, y, epochs=2, batch_size=16, validation_split=0.25, verbose=1)"


@pytest.fixture
def shell():
    sh = InteractiveShell.instance()
    sh.run_line_magic("load_ext", "learndl")
    keras_progress.install()  # the extension may have been loaded by an earlier test
    sh.user_ns.clear()
    assert sh.run_cell(SETUP).success
    yield sh
    keras_progress.uninstall()


def test_load_ext_installs_the_dashboard_factory(shell):
    assert callbacks.default_progress_callback is keras_progress.progress_callback


def test_fit_in_a_notebook_shows_the_live_dashboard(shell, monkeypatch, capsys):
    monkeypatch.setattr(display, "in_kernel", lambda: True)
    captured = CapturingDisplayPublisher()
    monkeypatch.setattr(shell, "display_pub", captured)
    assert shell.run_cell(FIT).success
    assert "Epoch 1/2" not in capsys.readouterr().out  # no text bar
    first, *updates = captured.outputs
    assert "application/vnd.jupyter.widget-view+json" in first["data"]
    final = updates[-1]  # close() leaves the finished run in the output
    assert final["update"] and final["metadata"] == {}
    data = final["data"]
    assert {"text/html", "text/plain"} <= set(data)
    text = data["text/plain"].splitlines()
    assert text[0].startswith("epoch 1/2 - accuracy ") and "val_loss" in text[1]
    h = shell.user_ns["h"].history
    assert len(h["loss"]) == 2 and set(h) == {"loss", "accuracy", "val_loss", "val_accuracy"}


def test_dashboard_reads_keras_weights_by_path(shell, monkeypatch):
    monkeypatch.setattr(display, "in_kernel", lambda: True)
    monkeypatch.setattr(shell, "display_pub", CapturingDisplayPublisher())
    seen = []
    real = keras_progress.DashboardLogger.on_train_end
    monkeypatch.setattr(
        keras_progress.DashboardLogger,
        "on_train_end",
        lambda self, logs=None: (seen.append(self.dashboard), real(self, logs)),
    )
    assert shell.run_cell(FIT).success
    dash = seen[0]
    assert dash.history["loss"] == shell.user_ns["h"].history["loss"]
    assert sorted(dash.grad_norms) == sorted(w.path for w in shell.user_ns["model"].weights)
    assert dash.snapshots and set(dash.snapshots[-1]["hist"]) == set(dash.grad_norms)


def test_outside_a_kernel_fit_prints_the_text_bar_and_evaluate_stays_text(shell, capsys):
    assert shell.run_cell(FIT).success
    out = capsys.readouterr().out
    assert "Epoch 1/2" in out and "Epoch 2/2" in out
    assert isinstance(keras_progress.progress_callback(1), callbacks.ProgbarLogger)
    assert keras_progress.progress_callback(0) is None


def test_evaluate_in_a_notebook_prints_its_bar(shell, monkeypatch, capsys):
    monkeypatch.setattr(display, "in_kernel", lambda: True)
    assert shell.run_cell("r = model.evaluate(X, y, batch_size=32, verbose=1)").success
    assert "2/2" in capsys.readouterr().out
