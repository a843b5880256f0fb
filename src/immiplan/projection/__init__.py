"""Projection: the UN cohort-component algebra, life tables, the Quebec base data and engine."""

from immiplan.projection.ccmpp import ccmpp

__all__ = ["ccmpp"]
