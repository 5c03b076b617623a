using CrossLearn.Tests.Infrastructure;
using Marten;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace CrossLearn.Tests.Platform;

/// <summary>One pool for the service: Marten (and Wolverine's message store through it) and plain SQL share it.</summary>
public sealed class ConnectionPoolTests(AppFixture app) : IntegrationTest(app)
{
    [Fact]
    public void Marten_and_plain_sql_draw_connections_from_one_pool()
    {
        var pool = Host.Services.GetRequiredService<NpgsqlDataSource>();
        var database = (Weasel.Postgresql.PostgresqlDatabase)Host.Services.GetRequiredService<IDocumentStore>().Storage.Database;
        Assert.Same(pool, database.DataSource);
    }
}
