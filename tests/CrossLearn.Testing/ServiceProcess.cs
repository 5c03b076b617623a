using System.Diagnostics;
using System.Net;
using System.Text;

namespace CrossLearn.Testing;

/// <summary>How to run the service as a process: which dll, with what settings.</summary>
public sealed record ServiceOptions
{
    /// <summary>The service's dll; <see cref="Repository.BuiltServiceDll"/> unless a test runs another build (the published one, say).</summary>
    public string Dll { get; init; } = Repository.BuiltServiceDll();

    /// <summary>Environment variables on top of the defaults (Production, rate limits off, warnings and up logged).</summary>
    public IReadOnlyDictionary<string, string> Environment { get; init; } = new Dictionary<string, string>();

    /// <summary>Arguments after <c>--urls</c> (e.g. <c>--contentRoot</c>).</summary>
    public IReadOnlyList<string> Arguments { get; init; } = [];

    /// <summary>How long a start may take until /health answers 200.</summary>
    public TimeSpan HealthTimeout { get; init; } = TimeSpan.FromSeconds(90);

    /// <summary>When set, everything the service prints goes to this file as well.</summary>
    public string? LogFile { get; init; }
}

/// <summary>
/// The real service as a process of its own (<c>dotnet CrossLearn.dll --urls http://127.0.0.1:port</c>): start,
/// SIGKILL, SIGTERM, start again on the same port. What it prints is kept (the tail) for diagnosing a failure.
/// </summary>
public sealed class ServiceProcess : IAsyncDisposable
{
    private readonly ServiceOptions _options;
    private readonly StringBuilder _log = new();
    private readonly StreamWriter? _logFile;
    private bool _logClosed;
    private Process? _process;

    private ServiceProcess(ServiceOptions options, int port)
    {
        _options = options;
        Port = port;
        Address = new Uri($"http://127.0.0.1:{port}");
        Http = new HttpClient(new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromSeconds(30), MaxConnectionsPerServer = 64 })
        {
            BaseAddress = Address,
            Timeout = TimeSpan.FromSeconds(30)
        };
        if (options.LogFile != null) _logFile = new StreamWriter(options.LogFile, append: false) { AutoFlush = true };
    }

    public int Port { get; }
    public Uri Address { get; }
    public HttpClient Http { get; }
    public int? ProcessId => _process?.Id;
    public bool IsRunning => _process is { HasExited: false };

    /// <summary>What the service printed (stdout and stderr), the last 100-200 KB.</summary>
    public string Log { get { lock (_log) return _log.ToString(); } }

    /// <summary>Starts the service on a free port and waits until /health answers 200.</summary>
    public static async Task<ServiceProcess> StartAsync(ServiceOptions options)
    {
        var service = new ServiceProcess(options, Ports.Free());
        try
        {
            await service.StartAgainAsync();
            return service;
        }
        catch
        {
            await service.DisposeAsync();
            throw;
        }
    }

    /// <summary>Starts the process (again, on the same port) and waits until /health answers 200.</summary>
    public async Task StartAgainAsync()
    {
        if (_process is { HasExited: false }) throw new InvalidOperationException("Already running.");
        var info = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = Path.GetDirectoryName(_options.Dll)!,
            RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false
        };
        foreach (var argument in new[] { _options.Dll, "--urls", Address.ToString().TrimEnd('/') }.Concat(_options.Arguments))
            info.ArgumentList.Add(argument);
        info.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";
        info.Environment["DOTNET_ENVIRONMENT"] = "Production";
        info.Environment["RateLimits__Enabled"] = "false";
        info.Environment["Logging__LogLevel__Default"] = "Warning";
        foreach (var (key, value) in _options.Environment) info.Environment[key] = value;

        var process = new Process { StartInfo = info, EnableRaisingEvents = true };
        process.OutputDataReceived += (_, e) => Append(e.Data);
        process.ErrorDataReceived += (_, e) => Append(e.Data);
        if (!process.Start()) throw new InvalidOperationException("Could not start the service.");
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        _process = process;

        var started = Stopwatch.StartNew();
        while (true)
        {
            if (process.HasExited) throw new InvalidOperationException($"The service exited with {process.ExitCode}:\n{Log}");
            try
            {
                using var response = await Http.GetAsync("/health");
                if (response.StatusCode == HttpStatusCode.OK) return;
            }
            catch (HttpRequestException)
            {
                // Not listening yet.
            }
            catch (TaskCanceledException)
            {
                // Listening, not answering yet.
            }

            if (started.Elapsed > _options.HealthTimeout) throw new TimeoutException($"The service did not become healthy:\n{Log}");
            await Task.Delay(100);
        }
    }

    /// <summary>SIGKILL: no shutdown code runs.</summary>
    public async Task KillAsync()
    {
        var process = _process ?? throw new InvalidOperationException("Not started.");
        process.Kill(entireProcessTree: true);
        await process.WaitForExitAsync();
    }

    /// <summary>SIGTERM, as a container runtime or systemd stops a service; returns without waiting.</summary>
    public async Task TerminateAsync()
    {
        var process = _process ?? throw new InvalidOperationException("Not started.");
        using var kill = Process.Start("kill", ["-TERM", process.Id.ToString()])!;
        await kill.WaitForExitAsync();
        if (kill.ExitCode != 0) throw new InvalidOperationException("kill -TERM failed.");
    }

    /// <summary>Waits for the process to exit and returns its exit code.</summary>
    public async Task<int> WaitForExitAsync(TimeSpan timeout)
    {
        var process = _process ?? throw new InvalidOperationException("Not started.");
        using var cts = new CancellationTokenSource(timeout);
        await process.WaitForExitAsync(cts.Token);
        return process.ExitCode;
    }

    /// <summary>SIGTERM and up to <paramref name="timeout"/> for a clean stop, then SIGKILL.</summary>
    public async Task StopAsync(TimeSpan timeout)
    {
        if (_process is not { HasExited: false }) return;
        try
        {
            await TerminateAsync();
            await WaitForExitAsync(timeout);
        }
        catch (OperationCanceledException)
        {
            await KillAsync();
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_process is { HasExited: false } process)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
        }

        _process?.Dispose();
        Http.Dispose();
        lock (_log)
        {
            // The process's output events may still arrive after this.
            _logClosed = true;
            _logFile?.Dispose();
        }
    }

    private void Append(string? line)
    {
        if (line == null) return;
        lock (_log)
        {
            // Keep the tail only: a long load run logs a lot.
            if (_log.Length > 200_000) _log.Remove(0, 100_000);
            _log.AppendLine(line);
            if (!_logClosed) _logFile?.WriteLine(line);
        }
    }
}
