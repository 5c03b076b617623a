using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Npgsql;

namespace CrossLearn.DevDatabase;

/// <summary>
/// A private PostgreSQL cluster for development and tests: initdb + pg_ctl on a free loopback port, under a
/// data folder of ours. Used only when no connection string is configured. PostgreSQL refuses to run as
/// root, so as root the server commands run as the <c>postgres</c> user.
/// </summary>
public sealed class EmbeddedPostgres : IAsyncDisposable
{
    public const string DatabaseName = "crosslearn";

    /// <summary>The login role the service runs as on a private cluster; the superuser <c>postgres</c> owns the schema.</summary>
    public const string RuntimeRole = "crosslearn_app";

    private readonly string _binDirectory;
    private readonly string _dataDirectory;
    private readonly bool _runAsPostgresUser;

    private EmbeddedPostgres(string binDirectory, string dataDirectory, int port)
    {
        _binDirectory = binDirectory;
        _dataDirectory = dataDirectory;
        _runAsPostgresUser = Environment.UserName == "root";
        Port = port;
    }

    public int Port { get; private set; }

    /// <summary>False when an already running cluster was reused: then someone else stops it.</summary>
    public bool StartedHere { get; private set; }

    public string ConnectionString(string database = DatabaseName) =>
        new NpgsqlConnectionStringBuilder
        {
            Host = "127.0.0.1", Port = Port, Username = "postgres", Database = database,
            // Short so that a database restart is noticed quickly; the pool re-opens on demand.
            Timeout = 5, MaxPoolSize = 100
        }.ConnectionString;

    /// <summary>A connection string for <see cref="RuntimeRole"/>, created (without any rights yet) when missing.</summary>
    public async Task<string> RuntimeConnectionStringAsync(CancellationToken ct = default)
    {
        await CreateLoginRoleIfMissingAsync(ConnectionString(), RuntimeRole, ct);
        return new NpgsqlConnectionStringBuilder(ConnectionString()) { Username = RuntimeRole }.ConnectionString;
    }

    /// <summary>
    /// What a DBA does once per deployment: a login role that owns nothing and may do nothing until the schema
    /// owner grants it rights. The private clusters trust loopback connections, so it needs no password here.
    /// </summary>
    public static async Task CreateLoginRoleIfMissingAsync(string superuserConnection, string role, CancellationToken ct = default)
    {
        await using var connection = new NpgsqlConnection(superuserConnection);
        await connection.OpenAsync(ct);
        await using var command = new NpgsqlCommand($"""
            DO $$ BEGIN
              IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '{role}') THEN
                CREATE ROLE {role} LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOBYPASSRLS;
              END IF;
            EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL;
            END $$;
            """, connection);
        await command.ExecuteNonQueryAsync(ct);
    }

    /// <summary>Starts (initialising on first use) the cluster in <paramref name="dataDirectory"/>.</summary>
    public static async Task<EmbeddedPostgres> StartAsync(string dataDirectory, CancellationToken ct = default)
    {
        var bin = FindBinDirectory() ?? throw new InvalidOperationException(
            "No connection string is configured (ConnectionStrings__Marten) and no PostgreSQL server binaries " +
            "(initdb, pg_ctl) were found to start a private one. Install PostgreSQL 15+ (Debian: apt-get install " +
            "postgresql), set PG_BIN to its bin folder, or point ConnectionStrings__Marten at a server.");

        dataDirectory = Path.GetFullPath(dataDirectory);
        var pg = new EmbeddedPostgres(bin, dataDirectory, 0);
        await pg.InitialiseIfNeededAsync(ct);

        var runningPort = pg.ReadRunningPort();
        if (runningPort is { } port && await pg.AnswersAsync(port, ct))
        {
            // Left running by a process that was killed: reuse it rather than fail.
            pg.Port = port;
        }
        else
        {
            pg.Port = FreeLoopbackPort();
            pg.StartedHere = true;
            await pg.StartServerAsync(ct);
        }

        await pg.EnsureDatabaseAsync(ct);
        return pg;
    }

    /// <summary>Stops the server if this process started it.</summary>
    public async Task StopAsync()
    {
        if (!StartedHere) return;
        try
        {
            await RunAsync("pg_ctl", ["-D", _dataDirectory, "-m", "fast", "-w", "stop"], CancellationToken.None);
        }
        catch (InvalidOperationException)
        {
            // Already stopped: nothing to do.
        }
    }

    /// <summary>Restarts the server on the same port (reliability tests use this).</summary>
    public Task RestartAsync(CancellationToken ct = default) =>
        RunAsync("pg_ctl", ["-D", _dataDirectory, "-m", "fast", "-w", "restart"], ct);

    /// <summary>
    /// Stops the server, keeps it down for <paramref name="outage"/>, and starts it again on the same port: a
    /// database outage of a known length (reliability tests use this).
    /// </summary>
    public async Task RestartAsync(TimeSpan outage, CancellationToken ct = default)
    {
        await RunAsync("pg_ctl", ["-D", _dataDirectory, "-m", "fast", "-w", "stop"], ct);
        await Task.Delay(outage, ct);
        await StartServerAsync(ct);
    }

    private Task StartServerAsync(CancellationToken ct) =>
        RunAsync("pg_ctl", ["-D", _dataDirectory, "-l", Path.Combine(_dataDirectory, "server.log"), "-w", "-t", "60", "-o",
            $"-p {Port} -c listen_addresses=127.0.0.1 -c unix_socket_directories='' -c max_connections=200 -c fsync=on",
            "start"], ct);

    public ValueTask DisposeAsync() => new(StopAsync());

    private async Task InitialiseIfNeededAsync(CancellationToken ct)
    {
        if (File.Exists(Path.Combine(_dataDirectory, "PG_VERSION"))) return;

        Directory.CreateDirectory(_dataDirectory);
        if (Directory.EnumerateFileSystemEntries(_dataDirectory).Any())
            throw new InvalidOperationException($"{_dataDirectory} is neither empty nor a PostgreSQL data folder.");
        if (_runAsPostgresUser) await RunProcessAsync("chown", ["postgres:postgres", _dataDirectory], ct);

        await RunAsync("initdb", ["-D", _dataDirectory, "-U", "postgres", "--auth=trust", "-E", "UTF8",
            "--locale=C.UTF-8", "--no-sync"], ct);
    }

    private int? ReadRunningPort()
    {
        var pidFile = Path.Combine(_dataDirectory, "postmaster.pid");
        if (!File.Exists(pidFile)) return null;
        try
        {
            // Line 4 of postmaster.pid holds the port.
            var lines = File.ReadAllLines(pidFile);
            return lines.Length > 3 && int.TryParse(lines[3].Trim(), out var port) ? port : null;
        }
        catch (IOException)
        {
            return null;
        }
    }

    private async Task<bool> AnswersAsync(int port, CancellationToken ct)
    {
        Port = port;
        try
        {
            await using var connection = new NpgsqlConnection(ConnectionString("postgres"));
            await connection.OpenAsync(ct);
            return true;
        }
        catch (Exception e) when (e is NpgsqlException or SocketException or TimeoutException)
        {
            // A stale pid file from a crash: pg_ctl start clears it.
            return false;
        }
    }

    private async Task EnsureDatabaseAsync(CancellationToken ct)
    {
        await using var connection = new NpgsqlConnection(ConnectionString("postgres"));
        await connection.OpenAsync(ct);
        await using var exists = new NpgsqlCommand("SELECT 1 FROM pg_database WHERE datname = @name", connection);
        exists.Parameters.AddWithValue("name", DatabaseName);
        if (await exists.ExecuteScalarAsync(ct) is null)
        {
            await using var create = new NpgsqlCommand($"CREATE DATABASE {DatabaseName}", connection);
            await create.ExecuteNonQueryAsync(ct);
        }
    }

    private Task RunAsync(string tool, IReadOnlyList<string> arguments, CancellationToken ct)
    {
        var path = Path.Combine(_binDirectory, tool);
        return _runAsPostgresUser
            ? RunProcessAsync("runuser", ["-u", "postgres", "--", path, .. arguments], ct)
            : RunProcessAsync(path, arguments, ct);
    }

    private static async Task RunProcessAsync(string fileName, IReadOnlyList<string> arguments, CancellationToken ct)
    {
        var info = new ProcessStartInfo(fileName)
        {
            RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false,
            // The server must not inherit our working folder: the postgres user may not be allowed to read it.
            WorkingDirectory = "/"
        };
        foreach (var argument in arguments) info.ArgumentList.Add(argument);

        using var process = Process.Start(info) ?? throw new InvalidOperationException($"Could not start {fileName}.");
        var stdout = process.StandardOutput.ReadToEndAsync(ct);
        var stderr = process.StandardError.ReadToEndAsync(ct);
        await process.WaitForExitAsync(ct);
        if (process.ExitCode != 0)
            throw new InvalidOperationException(
                $"{Path.GetFileName(fileName)} {string.Join(' ', arguments)} failed ({process.ExitCode}): {await stderr}{await stdout}");
    }

    private static string? FindBinDirectory()
    {
        static bool HasServer(string? dir) => dir != null && File.Exists(Path.Combine(dir, "initdb")) && File.Exists(Path.Combine(dir, "pg_ctl"));

        var fromEnvironment = Environment.GetEnvironmentVariable("PG_BIN");
        if (HasServer(fromEnvironment)) return fromEnvironment;

        const string debianRoot = "/usr/lib/postgresql";
        if (Directory.Exists(debianRoot))
        {
            var newest = Directory.GetDirectories(debianRoot)
                .Select(d => (dir: Path.Combine(d, "bin"), version: int.TryParse(Path.GetFileName(d), out var v) ? v : 0))
                .Where(x => HasServer(x.dir))
                .OrderByDescending(x => x.version)
                .FirstOrDefault();
            if (newest.dir != null) return newest.dir;
        }

        return (Environment.GetEnvironmentVariable("PATH") ?? "")
            .Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .FirstOrDefault(HasServer);
    }

    private static int FreeLoopbackPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
