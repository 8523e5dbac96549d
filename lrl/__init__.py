"""lrl: training data for low-resource languages — generate, filter, write, and prove it helps."""

__version__ = "0.1.0"
