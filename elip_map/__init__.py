"""ELIP Service Map: the Edmonton Local Immigration Partnership's map of newcomer services."""

__version__ = "0.1.0"
