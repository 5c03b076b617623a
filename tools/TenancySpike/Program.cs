using System.Diagnostics;
using JasperFx;
using JasperFx.Events;
using JasperFx.Events.Projections;
using Marten;
using Marten.Events.Aggregation;
using Marten.Events.Projections;
using Marten.Storage;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Npgsql;
using Wolverine;
using Wolverine.Marten;
using Wolverine.Runtime;

public static class P
{
    public const string Schema = "spike";
    public static string Cs(string db) => $"Host=/tmp;Port=55432;Username=postgres;Database={db};Maximum Pool Size=30";
    public static int Idx(string userId)
    {
        uint h = 2166136261;
        foreach (var c in userId) { h ^= c; h *= 16777619; }
        return (int)(h % 1024);
    }
    public static string Bucket(string userId) => "b" + Idx(userId).ToString("0000");
    public static string ShardOfIdx(int i) => i < 512 ? "shard1" : "shard2";
    public static string[] Buckets(int from, int to) => Enumerable.Range(from, to - from).Select(i => "b" + i.ToString("0000")).ToArray();

    static void Common(StoreOptions o)
    {
        o.DatabaseSchemaName = Schema;
        o.Events.DatabaseSchemaName = Schema;
        o.Events.StreamIdentity = StreamIdentity.AsString;
        o.AutoCreateSchemaObjects = Environment.GetEnvironmentVariable("AUTOCREATE") == "none" ? AutoCreate.None : AutoCreate.CreateOrUpdate;
        o.Projections.Add<UserSummaryProjection>(ProjectionLifecycle.Inline);
        o.Projections.Add<TopicCountProjection>(ProjectionLifecycle.Async);
        o.Schema.For<Profile>();
        o.Schema.For<Setting>();
        o.Schema.For<Note>();
        o.Schema.For<Tag>();
        o.Projections.FastPollingTime = TimeSpan.FromMilliseconds(100);
        o.Projections.SlowPollingTime = TimeSpan.FromMilliseconds(250);
    }

    public static void ConfigureA(StoreOptions o)
    {
        Common(o);
        o.MultiTenantedWithShardedDatabases(x =>
        {
            x.ConnectionString = Cs("master");
            x.SchemaName = Schema;
            x.AddDatabase("shard1", Cs("shard1"));
            x.AddDatabase("shard2", Cs("shard2"));
            x.UseExplicitAssignment();
        });
    }

    public static void ConfigureB(StoreOptions o)
    {
        Common(o);
        o.MultiTenantedDatabases(x =>
        {
            var e1 = x.AddMultipleTenantDatabase(Cs("bshard1"), "shard1").ForTenants(Buckets(0, 512)); if (Environment.GetEnvironmentVariable("DEFAULTB") == "1") e1.AsDefault();
            x.AddMultipleTenantDatabase(Cs("bshard2"), "shard2").ForTenants(Buckets(512, 1024));
        });
    }

    public static void ConfigureS(StoreOptions o)
    {
        Common(o);
        o.Connection(Cs("single"));
    }

    public static DocumentStore Store(string mode) => DocumentStore.For(mode switch
    {
        "A" => (Action<StoreOptions>)ConfigureA, "B" => ConfigureB, _ => ConfigureS
    });

    public static string ShardDb(string mode, int shard) => mode == "A" ? $"shard{shard}" : mode == "B" ? $"bshard{shard}" : "single";

    public static async Task<object?> Scalar(string db, string sql)
    {
        await using var c = new NpgsqlConnection(Cs(db)); await c.OpenAsync();
        await using var cmd = new NpgsqlCommand(sql, c); cmd.CommandTimeout = 600;
        var r = await cmd.ExecuteScalarAsync(); return r;
    }
    public static async Task<List<string>> Rows(string db, string sql)
    {
        await using var c = new NpgsqlConnection(Cs(db)); await c.OpenAsync();
        await using var cmd = new NpgsqlCommand(sql, c); cmd.CommandTimeout = 600;
        await using var rd = await cmd.ExecuteReaderAsync();
        var l = new List<string>();
        while (await rd.ReadAsync()) l.Add(string.Join(" | ", Enumerable.Range(0, rd.FieldCount).Select(i => rd.IsDBNull(i) ? "null" : rd.GetValue(i).ToString())));
        return l;
    }

    public static async Task Try(string what, Func<Task> f)
    {
        try { await f(); Console.WriteLine($"  OK   {what}"); }
        catch (Exception e) { Console.WriteLine($"  THROW {what}: {e.GetType().FullName}: {e.Message.Split('\n')[0]}"); }
    }

    public static async Task CountObjects(string mode)
    {
        foreach (var db in mode == "A" ? new[] { "master", "shard1", "shard2" } : mode == "B" ? new[] { "bshard1", "bshard2" } : new[] { "single" })
        {
            var rows = await Rows(db, $"select c.relkind, c.relispartition, count(*) from pg_class c join pg_namespace n on n.oid=c.relnamespace where n.nspname='{Schema}' group by 1,2 order by 1,2");
            Console.WriteLine($"  {db}: " + string.Join("; ", rows) + "   (r=table p=partitioned i=index I=part.index S=seq)");
        }
    }

    public static async Task Main(string[] args)
    {
        var cmd = args[0];
        var sw = Stopwatch.StartNew();
        switch (cmd)
        {
            case "schema": await Schema_(args[1]); break;
            case "probe": await Probe(args[1]); break;
            case "append": await Append(); break;
            case "groupby": await GroupBy(args[1]); break;
            case "daemon": await Daemon(args[1], int.Parse(args.Length > 2 ? args[2] : "25")); break;
        }
        Console.WriteLine($"[{cmd} done in {sw.Elapsed.TotalSeconds:F1}s]");
    }

    static async Task Schema_(string mode)
    {
        var sw = Stopwatch.StartNew();
        await using var store = Store(mode);
        Console.WriteLine($"store built {sw.ElapsedMilliseconds} ms; tenancy={store.Options.Tenancy.GetType().Name}");
        sw.Restart();
        await store.Storage.ApplyAllConfiguredChangesToDatabaseAsync();
        Console.WriteLine($"ApplyAllConfiguredChangesToDatabaseAsync {sw.ElapsedMilliseconds} ms");
        var dbs = await store.Storage.AllDatabases();
        Console.WriteLine("databases: " + string.Join(", ", dbs.Select(d => d.Identifier)));
        if (mode == "A")
        {
            sw.Restart();
            for (var i = 0; i < 1024; i++)
            {
                var t = "b" + i.ToString("0000");
                await store.Advanced.AddTenantToShardAsync(t, ShardOfIdx(i), CancellationToken.None);
                if (i % 128 == 127) Console.WriteLine($"  {i + 1} tenants assigned, {sw.Elapsed.TotalSeconds:F1}s");
            }
            Console.WriteLine($"AddTenantToShardAsync x1024 {sw.ElapsedMilliseconds} ms");
        }
        await CountObjects(mode);
    }

    static async Task Probe(string mode)
    {
        await using var store = Store(mode);
        // routing
        foreach (var t in new[] { "b0007", "b0600" })
        {
            await using var s = store.LightweightSession(t);
            var uid = "probe-" + t;
            s.Events.Append(uid, new Answered("math", 1));
            s.Store(new Profile { Id = uid, Level = 3 });
            await s.SaveChangesAsync();
            Console.WriteLine($"  session {t} -> Database.Identifier={s.Database.Identifier}");
        }
        foreach (var db in new[] { ShardDb(mode, 1), ShardDb(mode, 2) })
        {
            Console.WriteLine($"  {db} mt_events: " + string.Join("; ", await Rows(db, $"select stream_id, tenant_id, seq_id from {Schema}.mt_events where stream_id like 'probe-%'")));
            Console.WriteLine($"  {db} mt_streams: " + string.Join("; ", await Rows(db, $"select id, tenant_id from {Schema}.mt_streams where id like 'probe-%'")));
            Console.WriteLine($"  {db} mt_doc_profile cols: " + string.Join(",", await Rows(db, $"select column_name from information_schema.columns where table_schema='{Schema}' and table_name='mt_doc_profile'")));
            Console.WriteLine($"  {db} mt_doc_usersummary: " + string.Join("; ", await Rows(db, $"select id, data from {Schema}.mt_doc_usersummary where id like 'probe-%'")));
        }
        // cross-tenant visibility in same database (b0007 doc seen from b0008?)
        await Try("load b0007's Profile via session b0008 (same db)", async () =>
        {
            await using var q = store.QuerySession("b0008");
            var p = await q.LoadAsync<Profile>("probe-b0007");
            Console.WriteLine($"    -> {(p == null ? "null (isolated)" : "FOUND (visible across buckets)")}");
            var agg = await q.LoadAsync<UserSummary>("probe-b0007");
            Console.WriteLine($"    Load<UserSummary> from b0008 -> {(agg == null ? "null" : "count=" + agg.Count)}");
        });
        await Try("load b0007's Profile via session b0600 (other db)", async () =>
        {
            await using var q = store.QuerySession("b0600");
            var p = await q.LoadAsync<Profile>("probe-b0007");
            Console.WriteLine($"    -> {(p == null ? "null" : "FOUND")}");
        });
        // default tenant
        await Try("store.QuerySession().LoadAsync", async () => { await using var q = store.QuerySession(); await q.LoadAsync<Profile>("x"); });
        await Try("store.LightweightSession().SaveChanges", async () => { await using var q = store.LightweightSession(); q.Store(new Note { Id = "n" }); await q.SaveChangesAsync(); });
        await Try("store.Storage.Database", async () => { var d = store.Storage.Database; Console.WriteLine("    -> " + d.Identifier); });
        await Try("store.Storage.FindOrCreateDatabase(\"shard1\")", async () => { var d = await store.Storage.FindOrCreateDatabase("shard1"); Console.WriteLine("    -> " + d.Identifier); });
        await Try("store.QuerySession(\"b9999\") unknown tenant", async () => { await using var q = store.QuerySession("b9999"); await q.LoadAsync<Profile>("x"); });
        await Try("session b0007 .ForTenant(\"b0008\") (same db)", async () => { await using var s = store.LightweightSession("b0007"); s.ForTenant("b0008").Store(new Note { Id = "n2" }); await s.SaveChangesAsync(); });
        await Try("session b0007 .ForTenant(\"b0600\") (other db)", async () => { await using var s = store.LightweightSession("b0007"); s.ForTenant("b0600").Store(new Note { Id = "n3" }); await s.SaveChangesAsync(); });
    }

    static async Task<double> AppendRun(DocumentStore store, string prefix, int n, bool tenanted)
    {
        var sw = Stopwatch.StartNew();
        for (var i = 0; i < n; i++)
        {
            var uid = $"{prefix}-{i}";
            await using var s = tenanted ? store.LightweightSession(Bucket(uid)) : store.LightweightSession();
            s.Events.StartStream(uid, new Answered(i % 2 == 0 ? "math" : "art", 1));
            await s.SaveChangesAsync();
        }
        return sw.Elapsed.TotalMilliseconds;
    }

    static async Task Append()
    {
        await using var a = Store("A"); await using var b = Store("B"); await using var s = Store("S");
        await s.Storage.ApplyAllConfiguredChangesToDatabaseAsync();
        // warm-up
        var wtag = Guid.NewGuid().ToString("N")[..6];
        if (Environment.GetEnvironmentVariable("PRELOAD") == "1") { var w0 = Stopwatch.StartNew(); var dd = await a.Storage.AllDatabases(); Console.WriteLine($"  A: store.Storage.AllDatabases() preload {w0.ElapsedMilliseconds} ms ({dd.Count} dbs)"); }
        if (Environment.GetEnvironmentVariable("WARMALL") == "1")
            foreach (var (st, nm) in new[] { (a, "A"), (b, "B") })
            {
                var w = Stopwatch.StartNew();
                for (var k = 0; k < 1024; k++) { var t = "b" + k.ToString("0000"); await using var ss = st.LightweightSession(t); ss.Events.StartStream($"w-{t}-{wtag}", new Answered("math", 1)); await ss.SaveChangesAsync(); }
                Console.WriteLine($"  {nm}: first touch of all 1024 tenants (1 append each) {w.ElapsedMilliseconds} ms");
            }
 await AppendRun(a, "wa"+wtag, 200, true); await AppendRun(b, "wb"+wtag, 200, true); await AppendRun(s, "ws"+wtag, 200, false);
        var res = new Dictionary<string, List<double>> { ["A"] = [], ["B"] = [], ["S"] = [] };
        var rounds = int.Parse(Environment.GetEnvironmentVariable("ROUNDS") ?? "2");
        for (var round = 0; round < rounds; round++)
        {
            var tag = Guid.NewGuid().ToString("N")[..6];
            res["S"].Add(await AppendRun(s, $"s{tag}", 2000 / rounds, false));
            res["A"].Add(await AppendRun(a, $"a{tag}", 2000 / rounds, true));
            res["B"].Add(await AppendRun(b, $"b{tag}", 2000 / rounds, true));
        }
        var tot = res.ToDictionary(kv => kv.Key, kv => kv.Value.Sum());
        foreach (var kv in tot) Console.WriteLine($"  {kv.Key}: 2000 appends {kv.Value:F0} ms = {2000 / kv.Value * 1000:F0}/s  (rounds {string.Join(", ", res[kv.Key].Select(x => x.ToString("F0")))})");
        Console.WriteLine($"  ratio A/S = {tot["A"] / tot["S"]:F2}, B/S = {tot["B"] / tot["S"]:F2}");
    }

    static async Task GroupBy(string mode)
    {
        await using var store = Store(mode);
        var db = ShardDb(mode, 1);
        var existing = Convert.ToInt64(await Scalar(db, $"select count(*) from {Schema}.mt_doc_profile"));
        if (existing < 50000)
        {
            var sw = Stopwatch.StartNew();
            var users = new List<string>(); var i = 0;
            while (users.Count < 50000) { var u = "g-" + i++; if (Idx(u) < 512) users.Add(u); }
            foreach (var grp in users.GroupBy(Bucket))
            {
                await using var s = store.LightweightSession(grp.Key);
                foreach (var u in grp) s.Store(new Profile { Id = u, Level = P.Idx(u + "x") % 10, Country = "c" + (P.Idx(u + "y") % 30) });
                await s.SaveChangesAsync();
            }
            Console.WriteLine($"  inserted 50,000 profiles in {sw.ElapsedMilliseconds} ms");
            await Rows(db, $"analyze {Schema}.mt_doc_profile");
        }
        Console.WriteLine("  sample: " + (await Rows(db, $"select data from {Schema}.mt_doc_profile limit 1"))[0]);
        var sql = $"select data->>'Country', count(*) from {Schema}.mt_doc_profile group by 1";
        var times = new List<double>();
        for (var k = 0; k < 7; k++) { var sw = Stopwatch.StartNew(); var r = await Rows(db, sql); times.Add(sw.Elapsed.TotalMilliseconds); if (k == 0) Console.WriteLine($"  groups={r.Count}"); }
        times.Sort();
        Console.WriteLine($"  {mode} GROUP BY over {await Scalar(db, $"select count(*) from {Schema}.mt_doc_profile")} rows: median {times[3]:F1} ms (min {times[0]:F1}, max {times[6]:F1})");
        // via Marten LINQ for one tenant vs all
        var plan = await Rows(db, "explain " + sql);
        Console.WriteLine($"  plan lines={plan.Count}: {plan[0]} ... {plan[^1]}");
    }

    static async Task Daemon(string mode, int waitSeconds)
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.Services.AddMarten(o => { if (mode == "A") ConfigureA(o); else ConfigureB(o); })
            .IntegrateWithWolverine(w =>
            {
                w.UseWolverineManagedEventSubscriptionDistribution = true;
                w.MainDatabaseConnectionString = Cs(mode == "A" ? "master" : "wolvb");
            });
        builder.UseWolverine(o =>
        {
            o.UseRuntimeCompilation();
            o.Durability.Mode = DurabilityMode.Balanced;
            o.Durability.FirstHealthCheckExecution = TimeSpan.FromMilliseconds(500);
            o.Durability.HealthCheckPollingTime = TimeSpan.FromSeconds(1);
        });
        using var host = builder.Build();
        var sw = Stopwatch.StartNew();
        await host.StartAsync();
        Console.WriteLine($"  host started {sw.ElapsedMilliseconds} ms");
        var runtime = host.Services.GetRequiredService<IWolverineRuntime>();
        var store = host.Services.GetRequiredService<IDocumentStore>();
        // append a few events in several buckets of shard1 and shard2 after start
        var n = 0;
        for (var i = 0; i < 300; i++)
        {
            var uid = $"d{mode}-{Guid.NewGuid():N}";
            await using var s = store.LightweightSession(Bucket(uid));
            s.Events.StartStream(uid, new Answered("daemon", 1)); await s.SaveChangesAsync(); n++;
        }
        Console.WriteLine($"  appended {n} 'daemon' events over random buckets");
        for (var t = 0; t < waitSeconds; t++)
        {
            await Task.Delay(1000);
            var uris = runtime.Agents.AllRunningAgentUris();
            if (t % 5 == 4 || t == waitSeconds - 1)
                Console.WriteLine($"  t={t + 1}s running agents={uris.Length}: " + string.Join(" ", uris.Select(u => u.ToString()).OrderBy(x => x).Take(12)) + (uris.Length > 12 ? " ..." : ""));
        }
        var all = runtime.Agents.AllRunningAgentUris().Select(u => u.ToString()).ToList();
        Console.WriteLine($"  agent schemes: " + string.Join(", ", all.GroupBy(u => u.Split("://")[0]).Select(g => g.Key + "=" + g.Count())));
        foreach (var shard in new[] { 1, 2 })
        {
            var db = ShardDb(mode, shard);
            var evs = await Scalar(db, $"select count(*) from {Schema}.mt_events");
            var tenants = await Scalar(db, $"select count(distinct tenant_id) from {Schema}.mt_events");
            var topic = await Rows(db, $"select id, count(*) rows_, sum((data->>'Count')::int) from {Schema}.mt_doc_topiccount group by id order by id");
            var prog = await Rows(db, $"select name, last_seq_id from {Schema}.mt_event_progression order by name");
            var maxseq = await Scalar(db, $"select max(seq_id) from {Schema}.mt_events");
            Console.WriteLine($"  {db}: events={evs} (distinct tenant_id={tenants}, max seq={maxseq}); topiccount(id,rows,sum)= {string.Join("; ", topic)}; progression: {string.Join("; ", prog.Take(6))}{(prog.Count > 6 ? $" ... ({prog.Count} rows)" : "")}");
        }
        try
        {
            var nodes = await Rows(mode == "A" ? "master" : "wolvb", "select n.nspname||'.'||c.relname from pg_class c join pg_namespace n on n.oid=c.relnamespace where c.relname like 'wolverine_node%' and c.relkind='r'");
            Console.WriteLine("  wolverine tables: " + string.Join(", ", nodes));
            foreach (var tname in nodes.Where(x => x.EndsWith("assignments")))
            {
                var asg = await Rows(mode == "A" ? "master" : "wolvb", $"select id, node_id from {tname} order by id");
                Console.WriteLine($"  {tname}: {asg.Count} rows: " + string.Join(" ", asg.Take(10)));
            }
        }
        catch (Exception e) { Console.WriteLine("  node table query failed: " + e.Message); }
        await host.StopAsync();
    }
}

public record Answered(string Topic, int Score);

public class UserSummary { public string Id { get; set; } = ""; public int Count { get; set; } public int Total { get; set; } }
public class TopicCount { public string Id { get; set; } = ""; public int Count { get; set; } }
public class Profile { public string Id { get; set; } = ""; public int Level { get; set; } public string Country { get; set; } = ""; }
public class Setting { public string Id { get; set; } = ""; public string Value { get; set; } = ""; }
public class Note { public string Id { get; set; } = ""; public string Text { get; set; } = ""; }
public class Tag { public string Id { get; set; } = ""; public string Name { get; set; } = ""; }

public partial class UserSummaryProjection : SingleStreamProjection<UserSummary, string>
{
    public static UserSummary Create(IEvent<Answered> e) => new() { Id = e.StreamKey!, Count = 1, Total = e.Data.Score };
    public void Apply(Answered e, UserSummary s) { s.Count++; s.Total += e.Score; }
}

public partial class TopicCountProjection : MultiStreamProjection<TopicCount, string>
{
    public TopicCountProjection() { Identity<Answered>(e => e.Topic); if (Environment.GetEnvironmentVariable("GROUPING") == "across") { var pi = GetType().GetProperty("TenancyGrouping")!; Console.WriteLine("  enum type " + pi.PropertyType.FullName); pi.SetValue(this, Enum.Parse(pi.PropertyType, "AcrossTenants")); } Console.WriteLine("  TopicCountProjection.TenancyGrouping=" + TenancyGrouping); }
    public void Apply(Answered e, TopicCount c) { c.Count++; }
}
