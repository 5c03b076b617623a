namespace CrossLearn.Benchmarks;

/// <summary>
/// The service as a separate process (the Release build of src/CrossLearn next to this program's build), so its
/// memory is its own and it is measured the way it runs in production; with its memory read from /proc.
/// </summary>
public sealed class MeasuredService : IAsyncDisposable
{
    private readonly ServiceProcess _process;

    private MeasuredService(ServiceProcess process) => _process = process;

    public Uri Address => _process.Address;
    public int Pid => _process.ProcessId ?? throw new InvalidOperationException("not running");

    public static async Task<MeasuredService> StartAsync(string runtimeConnection, string ownerConnection, string signingKey, string logFile,
        IReadOnlyDictionary<string, string> environment)
    {
        if (Repository.BuildConfiguration() != "Release") Log.Info("WARNING: not a Release build; run with -c Release for figures that count");
        var settings = new Dictionary<string, string>
        {
            ["ConnectionStrings__Marten"] = runtimeConnection,
            ["ConnectionStrings__MartenOwner"] = ownerConnection,
            ["Auth__SigningKey"] = signingKey,
            // No clustering of its own a minute in: it would run in the middle of a measured phase.
            ["Clusters__RunEveryHours"] = "0",
            ["Clusters__KnowledgeEveryMinutes"] = "0",
        };
        foreach (var (name, value) in environment) settings[name] = value;
        var started = System.Diagnostics.Stopwatch.StartNew();
        var process = await ServiceProcess.StartAsync(new ServiceOptions
        {
            Environment = settings, LogFile = logFile, HealthTimeout = TimeSpan.FromMinutes(2)
        });
        Log.Info($"service pid {process.ProcessId} on {process.Address} ready after {started.Elapsed.TotalSeconds:F1} s (log: {logFile})");
        return new MeasuredService(process);
    }

    /// <summary>Resets the kernel's peak-RSS mark (VmHWM) so the next reading covers one phase only.</summary>
    public bool ResetPeak()
    {
        try
        {
            File.WriteAllText($"/proc/{Pid}/clear_refs", "5");
            return true;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }

    /// <summary>(VmHWM, VmRSS) in MB from /proc.</summary>
    public (double PeakMb, double RssMb) Memory()
    {
        double Read(string field)
        {
            foreach (var line in File.ReadLines($"/proc/{Pid}/status"))
                if (line.StartsWith(field + ":"))
                    return double.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1]) / 1024.0;
            return double.NaN;
        }

        return (Read("VmHWM"), Read("VmRSS"));
    }

    /// <summary>Samples RSS until cancelled; returns the largest sample in MB.</summary>
    public async Task<double> SampleMaxRssAsync(CancellationToken ct)
    {
        var max = 0.0;
        try
        {
            while (!ct.IsCancellationRequested)
            {
                max = Math.Max(max, Memory().RssMb);
                await Task.Delay(100, ct);
            }
        }
        catch (OperationCanceledException) { }
        catch (IOException) { }

        return max;
    }

    public async ValueTask DisposeAsync()
    {
        // SIGTERM lets the host stop its daemon cleanly.
        await _process.StopAsync(TimeSpan.FromSeconds(20));
        await _process.DisposeAsync();
    }
}
