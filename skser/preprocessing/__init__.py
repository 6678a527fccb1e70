"""Preprocessing of feature tables and image stacks."""

from ._scaler import StandardScaler

__all__ = ["StandardScaler"]
