"""`make bench`: the national-scale benchmark (dataset, HTTP harness, service measurements).

Not part of the test suite (pytest only collects tests/); it runs only on a database named for the
bench or an empty one."""
