using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using CrossLearn.Hosting;

namespace CrossLearn.ReliabilityTests.Infrastructure;

/// <summary>
/// The real service as a process of its own: <c>dotnet CrossLearn.dll --urls http://127.0.0.1:port</c>, built by
/// the solution build (this project references it), on the run's PostgreSQL. Start, SIGKILL, SIGTERM, start again
/// on the same port.
/// </summary>
public sealed class ServiceProcess : IAsyncDisposable
{
    public const string SigningKey = "reliability-signing-key-0123456789-0123456789-abcdef";

    private readonly string _connectionString;
    private readonly string _ownerConnectionString;
    private readonly StringBuilder _log = new();
    private Process? _process;

    private readonly IReadOnlyDictionary<string, string> _environment;

    private ServiceProcess(string connectionString, string ownerConnectionString, int port, IReadOnlyDictionary<string, string>? environment)
    {
        _ownerConnectionString = ownerConnectionString;
        _environment = environment ?? new Dictionary<string, string>();
        _connectionString = connectionString;
        Port = port;
        Http = new HttpClient(new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromSeconds(30), MaxConnectionsPerServer = 64 })
        {
            BaseAddress = new Uri($"http://127.0.0.1:{port}"),
            Timeout = TimeSpan.FromSeconds(30)
        };
    }

    public int Port { get; }
    public HttpClient Http { get; }
    public int? ProcessId => _process?.Id;

    /// <summary>What the service printed (stdout and stderr), for diagnosing a failure.</summary>
    public string Log { get { lock (_log) return _log.ToString(); } }

    public static async Task<ServiceProcess> StartAsync(IReadOnlyDictionary<string, string>? environment = null)
    {
        var service = new ServiceProcess(await ReliabilityDatabase.RuntimeConnectionStringAsync(),
            await ReliabilityDatabase.ConnectionStringAsync(), FreePort(), environment);
        await service.StartAgainAsync();
        return service;
    }

    public static string ServiceDll()
    {
        // Same configuration as this test assembly (bin/Debug or bin/Release).
        var configuration = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar)).Parent!.Name;
        var dll = Path.Combine(ReliabilityDatabase.RepositoryRoot(), "src", "CrossLearn", "bin", configuration, "net10.0", "CrossLearn.dll");
        if (!File.Exists(dll)) throw new InvalidOperationException($"{dll} is missing: build the solution first.");
        return dll;
    }

    /// <summary>Starts the process and waits until /health answers 200.</summary>
    public async Task StartAgainAsync()
    {
        if (_process is { HasExited: false }) throw new InvalidOperationException("Already running.");
        var dll = ServiceDll();
        var info = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = Path.GetDirectoryName(dll)!,
            RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false
        };
        foreach (var argument in new[] { dll, "--urls", $"http://127.0.0.1:{Port}" }) info.ArgumentList.Add(argument);
        info.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";
        info.Environment["DOTNET_ENVIRONMENT"] = "Production";
        info.Environment["ConnectionStrings__Marten"] = _connectionString;
        info.Environment["ConnectionStrings__MartenOwner"] = _ownerConnectionString;
        info.Environment["Auth__SigningKey"] = SigningKey;
        info.Environment["RateLimits__Enabled"] = "false";
        info.Environment["Logging__LogLevel__Default"] = "Warning";
        foreach (var (key, value) in _environment) info.Environment[key] = value;

        var process = new Process { StartInfo = info, EnableRaisingEvents = true };
        process.OutputDataReceived += (_, e) => Append(e.Data);
        process.ErrorDataReceived += (_, e) => Append(e.Data);
        if (!process.Start()) throw new InvalidOperationException("Could not start the service.");
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        _process = process;

        var deadline = DateTime.UtcNow.AddSeconds(90);
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

            if (DateTime.UtcNow > deadline) throw new TimeoutException($"The service did not become healthy:\n{Log}");
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

    public string Token(string userId, string role = Roles.User) =>
        TokenIssuer.Issue(new AuthSettings { SigningKey = SigningKey }, userId, role, TimeSpan.FromHours(2), DateTimeOffset.UtcNow);

    public async ValueTask DisposeAsync()
    {
        if (_process is { HasExited: false } process)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
        }

        _process?.Dispose();
        Http.Dispose();
    }

    private void Append(string? line)
    {
        if (line == null) return;
        lock (_log)
        {
            // Keep the tail only: a long load run logs a lot.
            if (_log.Length > 200_000) _log.Remove(0, 100_000);
            _log.AppendLine(line);
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
