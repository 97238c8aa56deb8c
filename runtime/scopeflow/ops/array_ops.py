"""Placeholder: its owner fills it in (see the module layout in the helper brief)."""

__all__: list[str] = []
