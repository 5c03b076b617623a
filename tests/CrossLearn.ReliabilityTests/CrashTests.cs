using System.Diagnostics;
using CrossLearn.ReliabilityTests.Infrastructure;
using Xunit.Abstractions;

namespace CrossLearn.ReliabilityTests;

/// <summary>
/// SIGKILL the service at random moments under load, start it again, let clients retry what got no answer:
/// nothing acknowledged is lost or stored twice, every read model equals a rebuild, and the async projections
/// catch up within 10 s of the restart.
/// </summary>
public sealed class CrashTests(ITestOutputHelper output)
{
    private const int Rounds = 5;

    [Fact]
    public async Task Killed_at_five_random_moments_under_load_it_loses_and_doubles_nothing()
    {
        var seed = Environment.TickCount;
        var random = new Random(seed);
        var users = Enumerable.Range(0, 200).Select(i => $"crash-{seed}-{i:000}").ToList();
        var ledger = new Ledger();
        await using var service = await ReliabilityService.StartAsync();
        await WarmUpAsync(service);

        for (var round = 1; round <= Rounds; round++)
        {
            using var stop = new CancellationTokenSource();
            var load = new LoadClients(service, users, ledger, seed + round).RunAsync(stop.Token);

            var killAfter = TimeSpan.FromMilliseconds(random.Next(1000, 5000));
            await Task.Delay(killAfter);
            var ackedBeforeKill = ledger.Turns.Count;
            await service.KillAsync();

            var restart = Stopwatch.StartNew();
            await service.StartAgainAsync();
            var startup = restart.Elapsed;
            var sinceReady = Stopwatch.StartNew();
            // Clients retry against the new process for a while, then stop after finishing what they started.
            await Task.Delay(1500);
            stop.Cancel();
            await load;

            await Storage.WaitForProjectionsAsync(TimeSpan.FromSeconds(60));
            var catchUp = sinceReady.Elapsed;
            RunFigures.Record(output, $"crash round {round} (seed {seed}): killed after {killAfter.TotalSeconds:0.0} s with {ackedBeforeKill} turns acknowledged; " +
                                      $"started again in {startup.TotalSeconds:0.0} s; async projections caught up {catchUp.TotalSeconds:0.00} s after it answered again (load went on for 1.5 s of that)");
            Assert.True(catchUp < TimeSpan.FromSeconds(10), $"async projections needed {catchUp.TotalSeconds:0.0} s after the restart to catch up");

            Assert.Empty(ledger.Unexpected);
            var figures = await Verification.NothingLostOrDoubledAsync(ledger);
            var rebuild = await Verification.ReadModelsEqualARebuildAsync(service);
            RunFigures.Record(output, $"crash round {round}: turns checked {figures.TurnsChecked}, ratings checked {figures.RatingsChecked}, " +
                                      $"lost {figures.Lost}, duplicated {figures.Duplicated}, requests retried {ledger.Retried}; rebuild took {rebuild}");
        }

        Assert.True(ledger.Retried > 0, "no request was ever cut off: the kills did not land under load");
        RunFigures.Record(output, $"crash: kills survived {Rounds}, turns checked {ledger.Turns.Count}, ratings checked {ledger.Ratings.Count}, lost 0, duplicated 0");
    }

    /// <summary>The first requests of a fresh process compile handlers; warm up so kills land under real load.</summary>
    private static async Task WarmUpAsync(ServiceProcess service)
    {
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(2));
        await new LoadClients(service, ["warm-up"], new Ledger(), 0).RunAsync(stop.Token);
    }
}
