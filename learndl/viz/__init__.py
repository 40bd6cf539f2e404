"""Seeing inside: computation graphs, backward-pass frames and training pictures as data.

Everything here makes plain data (DOT text, SVG, JSON frames, histories) and imports
nothing from Jupyter. The display methods load ``learndl.jupyter`` only when a notebook
asks for a picture, so ``ld.viz`` works in a terminal, a test and the book alike.

Example:
    >>> import learndl as ld
    >>> a = ld.tensor(2.0, requires_grad=True)
    >>> L = a * a
    >>> print(ld.viz.graph(L).text())
    L = a * a  value 4.0
      a  parameter  value 2.0  grad —
      a  (above)
"""

from learndl.viz.dashboard import TrainingDashboard
from learndl.viz.drawing import Graph
from learndl.viz.graph import graph
from learndl.viz.inspect import activations, decision_boundary
from learndl.viz.live_boundary import LiveDecisionBoundary
from learndl.viz.stepper import BackwardStepper
