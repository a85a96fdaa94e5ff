"""Ownership and control: who holds what of whom, and whether a company is blocked as owned or
controlled by listed parties under a regime's rule (OFAC, EU, UK), with the calculation shown.

Data flows one way: a source file (``sources/``) gives edges, ``store`` keeps them, ``check``
reads a company's holders up the graph, ``calculate`` finds the fixed point and ``assess`` says
what it means; ``engine_duckdb`` does the same over a whole registry at once.
"""
