namespace CrossLearn.Platform.Sharding;

/// <summary>
/// This shard's place in the pool (configuration section <c>Sharding</c>). The single-database set-up is one shard,
/// <see cref="DefaultShardId"/>, holding every bucket (docs/scaling.md).
/// </summary>
public sealed class ShardSettings
{
    public const string Section = "Sharding";
    public const string DefaultShardId = "shard-0";

    /// <summary>The name of the one database when Sharding:Databases is not given; never reused for another (the global side keeps figures by it).</summary>
    public string ShardId { get; set; } = DefaultShardId;

    /// <summary>How often the shard looks for changed figures to report to the global store.</summary>
    public int ReportEveryMilliseconds { get; set; } = 250;

    /// <summary>
    /// Every this many looks, the reporter compares all of the shard's patterns with what it reported (the others read
    /// only the patterns changed since the last look): a pattern nobody holds any more is reported within this many looks.
    /// </summary>
    public int FullLookEvery { get; set; } = 40;

    public static ShardSettings Load(IConfiguration configuration)
    {
        var settings = configuration.GetSection(Section).Get<ShardSettings>() ?? new ShardSettings();
        if (string.IsNullOrWhiteSpace(settings.ShardId) || settings.ShardId.Length > 64)
            throw new InvalidOperationException("Sharding:ShardId must be a name of 1 to 64 characters.");
        if (settings.ReportEveryMilliseconds < 10 || settings.FullLookEvery < 1)
            throw new InvalidOperationException("Sharding:ReportEveryMilliseconds must be at least 10 and Sharding:FullLookEvery at least 1.");
        return settings;
    }
}
