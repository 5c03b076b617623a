// The tests stop and start the clusters' PostgreSQL servers and the service processes they share: one at a time.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
