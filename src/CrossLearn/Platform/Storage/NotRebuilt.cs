namespace CrossLearn.Platform.Storage;

/// <summary>
/// A subscription that is not a read model: a rebuild must not replay it (the live feed would resend old
/// notifications). Registered by the module that owns it.
/// </summary>
public sealed record NotRebuilt(string SubscriptionName);
