// The tests kill, stop and restart a shared PostgreSQL and their own service processes: one at a time.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
