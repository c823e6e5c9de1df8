"""Lazy item models over :mod:`inspector.report`: rows come from LazyLists on demand, never built up front."""
