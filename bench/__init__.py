"""lovflow's benchmark suite: `make bench` (or `.venv/bin/python -m bench`).

Not part of the test suite and asserts no timings: it measures, side by side in one run,
simulation throughput against a bare Temporal baseline, history sizes, live load on the dev server
and reporting latency, and writes the figures to a JSON file and a table (docs/PERFORMANCE.md).
"""
