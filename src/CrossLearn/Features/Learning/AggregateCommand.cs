using System.Text.Json;
using CrossLearn.Platform.Http;
using CrossLearn.Platform.Storage;
using JasperFx.CommandLine;
using Marten;
using Npgsql;

namespace CrossLearn.Features.Learning;

/// <summary><c>dotnet run --project src/CrossLearn -- aggregate</c>: the same command as POST /api/admin/aggregate.</summary>
[Description("Recompute every pattern, success rate and promotion decision now", Name = "aggregate")]
public sealed class AggregateCommand : JasperFxAsyncCommand<NetCoreInput>
{
    public override async Task<bool> Execute(NetCoreInput input)
    {
        using var host = input.BuildHost();
        var services = host.Services;
        try
        {
            var store = services.GetRequiredService<IDocumentStore>();
            await store.Storage.ApplyAllConfiguredChangesToDatabaseAsync();
            await using var session = store.LightweightSession();
            var summary = await AggregateLearningsHandler.Handle(
                new AggregateLearnings($"cli:{Environment.UserName}"), session,
                services.GetRequiredService<Platform.Sharding.ShardSessions>(), services.GetRequiredService<Platform.Sharding.ShardDataSources>(),
                services.GetRequiredService<LearningSettings>(), TimeProvider.System,
                services.GetRequiredService<ILogger<AggregateLearnings>>(), CancellationToken.None);
            Console.WriteLine(JsonSerializer.Serialize(summary, JsonSerializerOptions.Web));
            return true;
        }
        finally
        {
            if (services.GetService<IPrivateDatabase>() is { } embedded) await embedded.StopAsync();
        }
    }
}
