"""Benchmarks that print figures: gas per operation (`gas`, with `trace_gas` and `gas_breakdown` reading
call and opcode traces), spec throughput (`spec`) and end-to-end time (`e2e`).

May import `tinyhops.testing` (drivers, shapes, throwaway chains); the product never imports this.
"""
