using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace CrossLearn.Benchmarks;

/// <summary>
/// The service as a separate process (the Release build of src/CrossLearn next to this program's build), so its
/// memory is its own and it is measured the way it runs in production.
/// </summary>
public sealed class ServiceProcess : IAsyncDisposable
{
    private readonly Process _process;

    private ServiceProcess(Process process, Uri address)
    {
        _process = process;
        Address = address;
    }

    public Uri Address { get; }
    public int Pid => _process.Id;

    public static async Task<ServiceProcess> StartAsync(string repositoryRoot, string runtimeConnection, string ownerConnection, string signingKey, string logFile,
        IReadOnlyDictionary<string, string> environment)
    {
        var configuration = AppContext.BaseDirectory.Contains($"{Path.DirectorySeparatorChar}Release{Path.DirectorySeparatorChar}") ? "Release" : "Debug";
        if (configuration != "Release") Log.Info("WARNING: not a Release build; run with -c Release for figures that count");
        var binary = Path.Combine(repositoryRoot, "src", "CrossLearn", "bin", configuration, "net10.0", "CrossLearn.dll");
        if (!File.Exists(binary)) throw new InvalidOperationException($"{binary} not found: build with `dotnet build -c {configuration}` first.");

        var port = FreePort();
        var info = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = Path.GetDirectoryName(binary)!,
            RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false
        };
        foreach (var a in new[] { binary, "--urls", $"http://127.0.0.1:{port}" }) info.ArgumentList.Add(a);
        info.Environment["ConnectionStrings__Marten"] = runtimeConnection;
        info.Environment["ConnectionStrings__MartenOwner"] = ownerConnection;
        info.Environment["Auth__SigningKey"] = signingKey;
        info.Environment["RateLimits__Enabled"] = "false";
        info.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";
        info.Environment["DOTNET_ENVIRONMENT"] = "Production";
        info.Environment["Logging__LogLevel__Default"] = "Warning";
        foreach (var (name, value) in environment) info.Environment[name] = value;

        var process = Process.Start(info) ?? throw new InvalidOperationException("could not start the service");
        var log = new StreamWriter(logFile, append: false) { AutoFlush = true };
        process.OutputDataReceived += (_, e) => { if (e.Data != null) lock (log) log.WriteLine(e.Data); };
        process.ErrorDataReceived += (_, e) => { if (e.Data != null) lock (log) log.WriteLine(e.Data); };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();

        var service = new ServiceProcess(process, new Uri($"http://127.0.0.1:{port}"));
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        var started = Stopwatch.StartNew();
        while (true)
        {
            if (process.HasExited) throw new InvalidOperationException($"the service exited with {process.ExitCode}; see {logFile}");
            try
            {
                using var response = await http.GetAsync(new Uri(service.Address, "/health"));
                if (response.StatusCode == HttpStatusCode.OK) break;
            }
            catch (HttpRequestException) { }
            catch (TaskCanceledException) { }
            if (started.Elapsed > TimeSpan.FromMinutes(2)) throw new TimeoutException($"the service did not answer /health; see {logFile}");
            await Task.Delay(250);
        }

        Log.Info($"service pid {process.Id} on {service.Address} ready after {started.Elapsed.TotalSeconds:F1} s (log: {logFile})");
        return service;
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
        if (_process.HasExited) return;
        try
        {
            // SIGTERM lets the host stop its daemon cleanly.
            Process.Start("kill", ["-TERM", _process.Id.ToString()])?.WaitForExit();
            using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(20));
            await _process.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            _process.Kill(entireProcessTree: true);
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
