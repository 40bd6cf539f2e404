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


def test_progress_counts_steps_that_were_not_sent():
    # Steps come faster than `every`: none is pushed, yet the final state knows the counts.
    dash = ld.viz.TrainingDashboard(epochs=2, steps=3, every=3600.0, live=False)
    for epoch in (1, 2):
        for step in (1, 2, 3):
            dash.step(epoch, step, loss=0.5)
        dash.end_epoch({"loss": 0.5})
    assert dash.progress == {"epoch": 2, "step": 3, "epochs": 2, "steps": 3}
    assert dash.total_steps == 6
