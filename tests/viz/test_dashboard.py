"""ld.viz.TrainingDashboard: history and its text form."""

from __future__ import annotations

import learndl as ld


def test_text_shows_each_epochs_own_metrics(capsys):
    dash = ld.viz.TrainingDashboard(epochs=2, live=False)
    dash.end_epoch({"loss": 0.9, "accuracy": 0.5})
    dash.end_epoch({"loss": 0.4, "accuracy": 0.75})
    assert capsys.readouterr().out.splitlines() == [
        "epoch 1/2 - loss 0.9 - accuracy 0.5",
        "epoch 2/2 - loss 0.4 - accuracy 0.75",
    ]
    # The final text (what the executed notebook keeps) lists every epoch, not the last one twice.
    assert dash.text().splitlines() == [
        "epoch 1/2 - loss 0.9 - accuracy 0.5",
        "epoch 2/2 - loss 0.4 - accuracy 0.75",
    ]
