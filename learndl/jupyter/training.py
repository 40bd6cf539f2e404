"""The loop that ``%%train`` runs around its cell: epochs, batches, steps, validation."""

from __future__ import annotations

from typing import Any

import numpy as np

from learndl.jupyter.magics import CELL, Interrupt, TrainStepError, batches, where_it_failed


class TrainLoop:
    """One ``%%train`` run: reads its settings from parsed magic arguments."""

    def __init__(self, ns: dict[str, Any], args: Any, cell: str):
        self.ns, self.args, self.cell = ns, args, cell
        self.code = compile(cell, CELL, "exec")
        self.names = [n.strip() for n in args.batch.split(",") if n.strip()]
        self.metrics = [m.strip() for m in args.metrics.split(",") if m.strip()]
        unknown = set(self.metrics) - {"accuracy"}
        if unknown:
            raise TrainStepError(f"%%train: unknown metric(s) {sorted(unknown)}; try accuracy")
        self.model = self._need(args.model, "--model")
        self.optimizer = self._optimizer()
        self.where = ""

    def _need(self, name: str, option: str) -> Any:
        """A variable, or a short expression such as ``(X, y)``, from the notebook."""
        try:
            return eval(name, self.ns)
        except NameError as e:
            raise TrainStepError(f"%%train: {e} (given as {option} {name})") from None

    def _optimizer(self) -> Any:
        a = self.args
        if a.optimizer in self.ns:
            return self.ns[a.optimizer]
        if a.lr is not None:
            import learndl as ld

            self.ns[a.optimizer] = ld.optim.SGD(self.model.parameters(), lr=a.lr)
            return self.ns[a.optimizer]
        if a.no_step:
            return None
        raise TrainStepError(
            f"%%train: no optimizer `{a.optimizer}`. Create one (optimizer = "
            "ld.optim.SGD(model.parameters(), lr=0.1)) or pass --lr 0.1."
        )

    def _body(self, batch: Any) -> tuple[Any, Any]:
        """Run the cell on one batch; return (loss, output) as it left them."""
        if len(self.names) == 1:
            batch = (batch,) if not isinstance(batch, tuple | list) else batch
        for name, value in zip(self.names, batch):
            self.ns[name] = value
        try:
            exec(self.code, self.ns)
        except KeyboardInterrupt:
            raise
        except Exception as e:
            detail = where_it_failed(self.cell, e)
            raise TrainStepError(
                f"the %%train cell failed at {self.where}\n{detail}\n{type(e).__name__}: {e}"
            ) from e
        if self.args.loss not in self.ns:
            raise TrainStepError(f"%%train: the cell left no `{self.args.loss}` variable")
        return self.ns[self.args.loss], self.ns.get(self.args.output)

    def _correct(self, output: Any, batch: Any) -> tuple[int, int]:
        if output is None or not isinstance(batch, tuple | list) or len(batch) < 2:
            return 0, 0
        y = np.asarray(getattr(batch[-1], "data", batch[-1]))
        pred = np.asarray(getattr(output, "data", output)).argmax(axis=-1)
        return int((pred == y).sum()), int(y.shape[0])

    def _val(self, data: Any) -> dict[str, float]:
        import learndl as ld

        make, _ = batches(data, self.args.batch_size, shuffle=False)
        losses, right, seen = [], 0, 0
        self.model.eval()
        try:
            with ld.no_grad():
                for k, batch in enumerate(make(), 1):
                    self.where = f"validation batch {k}"
                    if self.args.no_step:  # the cell would step: only run the model
                        loss, out = None, self.model(batch[0])
                    else:
                        loss, out = self._body(batch)
                    if loss is not None:
                        losses.append(float(loss.item()))
                    r, n = self._correct(out, batch)
                    right, seen = right + r, seen + n
        finally:
            self.model.train()
        logs = {"val_loss": float(np.mean(losses))} if losses else {}
        if "accuracy" in self.metrics and seen:
            logs["val_accuracy"] = right / seen
        return logs

    def _boundary(self, live: bool | None) -> Any:
        """``--boundary (X, y)``: decision regions redrawn every ``--boundary-every`` steps."""
        if not self.args.boundary:
            return None
        from learndl.viz.live_boundary import LiveDecisionBoundary

        X, y = self._need(self.args.boundary, "--boundary")
        every = self.args.boundary_every
        return LiveDecisionBoundary(self.model, X, y, every_steps=every, live=live).show()

    def run(self) -> None:
        from learndl.viz.dashboard import TrainingDashboard

        a = self.args
        data = self._need(a.data, "--data")
        val = self._need(a.val, "--val") if a.val else None
        make, steps = batches(data, a.batch_size, shuffle=not a.no_shuffle)
        live = False if a.no_dashboard else None
        dash = TrainingDashboard(self.model, epochs=a.epochs, steps=steps, live=live).show()
        boundary = self._boundary(live)
        self.ns[a.history] = dash.history  # the same dict: whatever happens, it is kept
        stopped = None
        with Interrupt() as interrupt:
            for epoch in range(1, a.epochs + 1):
                losses, right, seen = [], 0, 0
                self.model.train()
                for step, batch in enumerate(make(), 1):
                    self.where = f"epoch {epoch}, batch {step}"
                    try:
                        if not a.no_step:
                            self.optimizer.zero_grad()
                        loss, out = self._body(batch)
                        if not a.no_step:
                            loss.backward()
                            self.optimizer.step()
                    except KeyboardInterrupt:
                        stopped = self.where
                        break
                    losses.append(float(loss.item()))
                    r, n = self._correct(out, batch) if self.metrics else (0, 0)
                    right, seen = right + r, seen + n
                    dash.step(epoch, step, steps, losses[-1])
                    if boundary is not None:
                        boundary.step()
                    if interrupt.requested:
                        stopped = self.where
                        break
                if losses:
                    logs = {"loss": float(np.mean(losses))}
                    if "accuracy" in self.metrics and seen:
                        logs["accuracy"] = right / seen
                    if val is not None and stopped is None:
                        logs.update(self._val(val))
                    dash.end_epoch(logs)
                if stopped:
                    break
        dash.close()
        if boundary is not None:
            boundary.close()
        if stopped:
            print(
                f"%%train: interrupted after {stopped}; `{a.model}`, `{a.optimizer}` and "
                f"`{a.history}` keep what was done."
            )
