// Collections share one database and reset it between tests, so they must not run at the same time.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
