"""The event indexer: the registry's and its Lilypad's events followed into SQLite (one file per chain, in the
state directory), every workflow, step, attempt, payment and refund rebuilt from them and from the definition
code the registry stored. `monitor`, `graph` and the dashboard read it. Never imports Ape."""
