"""``keras.models``: ``Model``, ``Sequential`` and ``load_model``."""

from learndl.keras.models.model import Model
from learndl.keras.models.saving import load_model
from learndl.keras.models.sequential import Sequential
