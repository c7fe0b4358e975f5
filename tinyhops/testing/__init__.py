"""Rigs for tests and benchmarks: the local driver (`local_driver`), workflow shapes (`shapes`), a
throwaway anvil (`ephemeral_chain`), the provider as a child process (`provider_process`), a fresh
deployment with its provider children (`provider_stack`, for the e2e and reliability suites and the e2e
benchmark) and the reliability suite's machinery (`reliability`).

The product (`spec`, `encoding`, `chain`, `provider`, `render`, `cli`) never imports this package.
"""
