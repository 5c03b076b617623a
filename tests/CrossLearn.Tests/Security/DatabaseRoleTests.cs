using CrossLearn.DevDatabase;
using CrossLearn.Platform.Http;
using CrossLearn.Platform.Storage;
using CrossLearn.Tests.Infrastructure;
using Marten;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace CrossLearn.Tests.Security;

/// <summary>
/// The service runs as a role that owns nothing: it reads and writes rows; it cannot change, drop or create
/// structure, so a bug or an injected statement in the service cannot either. The schema owner migrated at start.
/// </summary>
public sealed class DatabaseRoleTests(AppFixture app) : IntegrationTest(app)
{
    private NpgsqlDataSource ServiceDatabase => Host.Services.GetRequiredService<NpgsqlDataSource>();

    private async Task<T> ScalarAsync<T>(string sql)
    {
        await using var command = ServiceDatabase.CreateCommand(sql);
        return (T)(await command.ExecuteScalarAsync())!;
    }

    [Fact]
    public async Task The_service_role_is_not_the_owner_and_has_no_special_powers()
    {
        Assert.Equal(EmbeddedPostgres.RuntimeRole, await ScalarAsync<string>("SELECT current_user"));
        Assert.False(await ScalarAsync<bool>(
            "SELECT rolsuper OR rolcreaterole OR rolcreatedb OR rolbypassrls OR rolreplication FROM pg_roles WHERE rolname = current_user"));
    }

    [Fact]
    public async Task The_service_role_owns_no_object_in_the_database()
    {
        await App.PostTurnAsync(NewUser(), "I prefer tea.");
        var owned = await ScalarAsync<long>("""
            SELECT (SELECT count(*) FROM pg_class WHERE relowner = r.oid)
                 + (SELECT count(*) FROM pg_proc WHERE proowner = r.oid)
                 + (SELECT count(*) FROM pg_namespace WHERE nspowner = r.oid)
                 + (SELECT count(*) FROM pg_type WHERE typowner = r.oid)
                 + (SELECT count(*) FROM pg_database WHERE datdba = r.oid)
            FROM pg_roles r WHERE r.rolname = current_user
            """);
        Assert.Equal(0, owned);
    }

    [Theory]
    [InlineData("CREATE TABLE crosslearn.intruder (id int)")]
    [InlineData("CREATE SCHEMA intruder")]
    [InlineData("CREATE FUNCTION crosslearn.intruder() RETURNS int LANGUAGE sql AS 'SELECT 1'")]
    [InlineData("DROP TABLE crosslearn.mt_events")]
    [InlineData("ALTER TABLE crosslearn.mt_events ADD COLUMN intruder int")]
    [InlineData("ALTER TABLE crosslearn.mt_doc_memory DISABLE ROW LEVEL SECURITY")]
    [InlineData("DROP POLICY own_rows ON crosslearn.mt_doc_memory")]
    [InlineData("ALTER SEQUENCE crosslearn.mt_events_sequence RESTART WITH 1")]
    [InlineData("CREATE INDEX intruder ON crosslearn.mt_doc_memory (id)")]
    [InlineData("DROP ROLE crosslearn_user_reader")]
    public async Task The_service_role_cannot_change_the_structure(string ddl)
    {
        await using var command = ServiceDatabase.CreateCommand(ddl);
        var error = await Assert.ThrowsAsync<PostgresException>(() => command.ExecuteNonQueryAsync());
        // 42501 insufficient_privilege; 42501 also covers "must be owner of".
        Assert.Equal(PostgresErrorCodes.InsufficientPrivilege, error.SqlState);
    }

    [Fact]
    public async Task The_owner_left_nothing_for_marten_to_migrate_at_run_time()
    {
        // Compared as the service role: the tables it needs are all there and as configured.
        await Store.Storage.Database.AssertDatabaseMatchesConfigurationAsync();
    }
}
