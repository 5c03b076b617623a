namespace CrossLearn.Platform.Storage;

/// <summary>
/// Documents a hand-written projection writes that Marten cannot clear for it before a rebuild (a projection that
/// batches across streams). Registered by the module that owns the projection; the rebuild clears them first.
/// </summary>
public sealed record RebuildClears(string ProjectionName, params Type[] Documents);

/// <summary>
/// A subscription that is not a read model: a rebuild must not replay it (the live feed would resend old
/// notifications). Registered by the module that owns it.
/// </summary>
public sealed record NotRebuilt(string SubscriptionName);
