"""Rigs for tests and benchmarks: the local driver (`local_driver`), workflow shapes (`shapes`), a
throwaway anvil (`ephemeral_chain`), the provider as a child process (`provider_process`) and the
reliability suite's machinery (`reliability`).

The product (`spec`, `encoding`, `chain`, `provider`, `render`, `cli`) never imports this package.
"""
