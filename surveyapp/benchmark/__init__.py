"""The bare submission endpoint `benchmarks/load/` compares the real one with.

Registered only with SURVEYAPP_CONFIG=benchmark (BENCHMARK_BARE_ENDPOINT); the
production settings refuse it.
"""
