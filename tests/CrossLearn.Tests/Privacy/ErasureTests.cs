using CrossLearn.Platform.Http;
using CrossLearn.Platform.Storage;
using CrossLearn.Tests.Infrastructure;
using CrossLearn.Tests.Learning;
using Npgsql;

namespace CrossLearn.Tests.Privacy;

public sealed class ErasureTests(AppFixture app) : IntegrationTest(app)
{
    /// <summary>Rows, in any table of the database outside PostgreSQL's own catalogs, whose text contains <paramref name="needle"/>.</summary>
    private static async Task<List<string>> TablesContainingAsync(string needle)
    {
        await using var connection = new NpgsqlConnection(await TestDatabase.ConnectionStringAsync());
        await connection.OpenAsync();
        var tables = new List<string>();
        await using (var list = new NpgsqlCommand("""
            SELECT quote_ident(table_schema) || '.' || quote_ident(table_name) FROM information_schema.tables
            WHERE table_type = 'BASE TABLE' AND table_schema NOT IN ('pg_catalog', 'information_schema')
            """, connection))
        await using (var reader = await list.ExecuteReaderAsync())
            while (await reader.ReadAsync()) tables.Add(reader.GetString(0));

        var hits = new List<string>();
        foreach (var table in tables)
        {
            await using var scan = new NpgsqlCommand($"SELECT count(*) FROM {table} t WHERE strpos(t::text, @needle) > 0", connection);
            scan.Parameters.AddWithValue("needle", needle);
            if ((long)(await scan.ExecuteScalarAsync())! > 0) hits.Add(table);
        }

        Assert.True(tables.Count > 10, "the scan should see Marten's and Wolverine's tables");
        return hits;
    }

    private static async Task<long> DeadLettersOfAsync(long sequence)
    {
        await using var connection = new NpgsqlConnection(await TestDatabase.ConnectionStringAsync());
        await connection.OpenAsync();
        await using var count = new NpgsqlCommand(
            $"SELECT count(*) FROM {EventStore.Schema}.mt_doc_deadletterevent WHERE (data->>'EventSequence')::bigint = @sequence", connection);
        count.Parameters.AddWithValue("sequence", sequence);
        return (long)(await count.ExecuteScalarAsync())!;
    }

    [Fact]
    public async Task Forget_me_removes_every_trace_and_subtracts_the_user_from_global_counts()
    {
        var marker = Guid.NewGuid().ToString("N")[..10];
        var user = $"forget-{marker}";
        var (other1, other2) = (NewUser(), NewUser());
        foreach (var holder in new[] { user, other1, other2 }) await App.TeachAsync(holder, "I prefer quokka mode.", true);
        await App.TeachAsync(user, $"My name is Zed{marker}. I love secret{marker} jazz.", true, false);
        // An event of a version the service does not know: dead-lettered, and the dead letters go with the user.
        var poison = await PoisonEventTests.AppendRawEventAsync(user, "memory_learned", $$"""{"schemaVersion": 99, "note": "{{marker}}"}""");
        await SettleAsync();
        Assert.Equal(2, await DeadLettersOfAsync(poison));
        Assert.Equal(3, (await App.GetJsonAsync<List<PatternDto>>("/api/patterns", App.TokenFor(other1))).Single(p => p.Key == "quokka mode").UserCount);
        Assert.NotEmpty(await TablesContainingAsync(user));

        await App.EraseMeAsync(user);
        await SettleAsync();

        var pattern = (await App.GetJsonAsync<List<PatternDto>>("/api/patterns", App.TokenFor(other1))).Single(p => p.Key == "quokka mode");
        Assert.Equal((2, 1.0), (pattern.UserCount, pattern.SuccessRate));
        Assert.Empty(await TablesContainingAsync(user));
        Assert.Empty(await TablesContainingAsync(marker));
        Assert.Equal(0, await DeadLettersOfAsync(poison));

        var me = await App.GetJsonAsync<MeDto>("/api/me", App.TokenFor(user));
        Assert.Equal((0, 0), (me.MemoryCount, me.InteractionCount));
        Assert.Empty(await App.GetJsonAsync<List<ConversationDto>>("/api/me/conversations", App.TokenFor(user)));

        // Nothing of the user comes back from the events either.
        var before = await SnapshotAsync();
        await App.PostJsonAsync("/api/admin/projections/rebuild", new { }, App.TokenFor("boss", Roles.Admin), 200);
        await SettleAsync();
        var after = await SnapshotAsync();
        foreach (var (name, json) in before) Assert.True(json == after[name], $"{name} differs after the rebuild");

        // The erasure is on record, on a stream of its own, without personal data (its marker for the cross-user
        // counters, the one event that named the user, is gone once they passed it).
        await using var session = Store.QuerySession();
        var erasure = Assert.Single(await Marten.QueryableExtensions.ToListAsync(session.Events.QueryAllRawEvents().Where(e => e.EventTypeName == "user_erased")));
        Assert.True(Features.Privacy.ErasureStream.IsErasure(erasure.StreamKey));
        Assert.Single(await session.Events.FetchStreamAsync(erasure.StreamKey!));
        Assert.Equal(2, ((Features.Privacy.UserErased)erasure.Data).PatternsTouched);
    }

    [Fact]
    public async Task An_admin_erases_a_user_and_knowledge_that_no_longer_qualifies_is_demoted()
    {
        var users = Enumerable.Range(0, 5).Select(i => NewUser($"k{i}")).ToList();
        foreach (var user in users) await App.TeachAsync(user, "I prefer bullet points.", LearningScenario.Ratings(4, 0));
        await SettleAsync();
        Assert.Single(await App.GetJsonAsync<List<KnowledgeDto>>("/api/knowledge", App.TokenFor(users[0])));

        await App.EraseUserAsync(users[0]);
        // The cross-user counters follow within about a second: the erasure does not wait for them.
        await SettleAsync();
        Assert.Equal(4, Assert.Single(await App.GetJsonAsync<List<KnowledgeDto>>("/api/knowledge", App.TokenFor(users[1]))).UserCount);

        await App.EraseUserAsync(users[1]);
        await SettleAsync();
        Assert.Empty(await App.GetJsonAsync<List<KnowledgeDto>>("/api/knowledge", App.TokenFor(users[2])));
        Assert.Equal(3, Assert.Single(await App.GetJsonAsync<List<PatternDto>>("/api/patterns", App.TokenFor(users[2]))).UserCount);
    }

    [Theory]
    [InlineData(Roles.User)]
    [InlineData(Roles.Service)]
    public async Task Only_admins_may_erase_someone_else(string role)
    {
        var victim = NewUser();
        await App.PostTurnAsync(victim, "I prefer tea.");
        await App.EraseUserAsync(victim, 403, role);
        Assert.Equal(1, (await App.GetJsonAsync<MeDto>("/api/me", App.TokenFor(victim))).InteractionCount);
    }

    [Fact]
    public async Task Erasing_a_user_who_never_wrote_anything_is_harmless()
    {
        await App.EraseMeAsync(NewUser());
        await App.EraseUserAsync("nobody-at-all");
    }

    [Fact]
    public async Task Erasing_an_account_needs_its_id_typed_out_and_nothing_else_erases_it()
    {
        var user = NewUser();
        await App.PostTurnAsync(user, "I prefer tea.");
        // No body, a wrong id, someone else's id: 400 problem+json, nothing erased.
        (await App.DeleteAsync("/api/me", App.TokenFor(user), 400)).Problem();
        await App.DeleteJsonAsync("/api/me", new { confirm = "" }, App.TokenFor(user), 400);
        await App.DeleteJsonAsync("/api/me", new { confirm = NewUser() }, App.TokenFor(user), 400);
        (await App.DeleteJsonAsync($"/api/admin/users/{user}", new { confirm = "yes" }, App.TokenFor("boss", Roles.Admin), 400)).Problem();
        Assert.Equal(1, (await App.GetJsonAsync<MeDto>("/api/me", App.TokenFor(user))).InteractionCount);

        await App.EraseMeAsync(user);
        Assert.Equal(0, (await App.GetJsonAsync<MeDto>("/api/me", App.TokenFor(user))).InteractionCount);
    }

    [Fact]
    public async Task Parallel_erasures_of_different_users_all_succeed()
    {
        // Each erasure has a stream of its own: on one shared stream, parallel appends failed (23505, answered 500).
        var users = Enumerable.Range(0, 12).Select(i => NewUser($"par{i}")).ToList();
        foreach (var user in users) await App.TeachAsync(user, "I prefer parallel tea.", true);
        await SettleAsync();
        for (var round = 0; round < 3; round++)
        {
            await Task.WhenAll(users.Select(user => App.EraseMeAsync(user)));
            foreach (var user in users) await App.PostTurnAsync(user, "I prefer parallel tea.");
        }

        await Task.WhenAll(users.Select(user => App.EraseMeAsync(user)));
        await SettleAsync();
        Assert.DoesNotContain(await App.GetJsonAsync<List<PatternDto>>("/api/patterns", App.TokenFor(NewUser())), p => p.Key == "parallel tea");
        foreach (var user in users) Assert.Empty(await TablesContainingAsync(user));
    }
}
