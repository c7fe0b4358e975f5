"""The reliability suite's machinery (the tests are in tests/reliability): raw chain access, a deployment to drive,
the fault run's other actors and its verdict, the money ledger, an anvil that restarts, and the figures that
`make figures` prints (tinyhops.testing.reliability.figures)."""
