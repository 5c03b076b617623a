using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace CrossLearn.Testing;

/// <summary>
/// Keeps the service's last warnings and errors in memory. xunit shows no host logs, so a test that times out
/// waiting for the daemon quotes these to say why (a shard that failed to start, a lock, a connection).
/// </summary>
public sealed class RecentWarnings : ILoggerProvider
{
    private const int Kept = 30;
    private readonly ConcurrentQueue<string> _entries = new();

    public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

    public void Dispose() { }

    private void Add(string entry)
    {
        _entries.Enqueue(entry);
        while (_entries.Count > Kept) _entries.TryDequeue(out _);
    }

    public override string ToString() => _entries.IsEmpty ? "(none)" : string.Join("\n", _entries);

    private sealed class Logger(RecentWarnings owner, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Warning;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (!IsEnabled(logLevel)) return;
            var problem = exception == null ? "" : $" [{exception.GetType().Name}: {exception.Message.Split('\n')[0]}]";
            owner.Add($"{DateTime.UtcNow:HH:mm:ss.fff} {logLevel} {category}: {formatter(state, exception)}{problem}");
        }
    }
}
