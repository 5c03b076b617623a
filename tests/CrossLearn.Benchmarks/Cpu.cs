namespace CrossLearn.Benchmarks;

/// <summary>
/// CPU time (from /proc, in clock ticks of 10 ms) of the service process, of the PostgreSQL backends serving the
/// benchmark's database, and of this program: where a turn's CPU goes on a 2-core machine.
/// </summary>
public sealed class CpuMeter(int servicePid, string database)
{
    public sealed record Snapshot(double ServiceMs, double PostgresMs, double ClientMs);

    public Snapshot Take()
    {
        double service = Ticks(servicePid), postgres = 0;
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), out var pid)) continue;
            try
            {
                // Backends show "postgres: <user> <database> <address> <state>" as their command line.
                if (File.ReadAllText(Path.Combine(dir, "cmdline")).Contains($" {database} ")) postgres += Ticks(pid);
            }
            catch (IOException) { }
            catch (UnauthorizedAccessException) { }
        }

        return new Snapshot(service * 10, postgres * 10, System.Diagnostics.Process.GetCurrentProcess().TotalProcessorTime.TotalMilliseconds);
    }

    public static string PerUnit(Snapshot before, Snapshot after, int units, string unit) =>
        units == 0 ? "" :
        $"CPU per {unit}: service {(after.ServiceMs - before.ServiceMs) / units:F2} ms, PostgreSQL backends " +
        $"{Math.Max(0, after.PostgresMs - before.PostgresMs) / units:F2} ms, benchmark client {(after.ClientMs - before.ClientMs) / units:F2} ms";

    private static double Ticks(int pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            // Fields after the command name (which is in parentheses): utime is the 14th, stime the 15th field.
            var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            return double.Parse(fields[11]) + double.Parse(fields[12]);
        }
        catch (IOException)
        {
            return 0;
        }
    }
}
