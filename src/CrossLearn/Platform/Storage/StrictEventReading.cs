using CrossLearn.Platform.Http;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;

namespace CrossLearn.Platform.Storage;

/// <summary>
/// Events are read strictly: a stored body with a member this version does not know (a newer version's field, a
/// "schemaVersion") or without one it needs does not deserialize, so the daemon dead-letters and skips it instead of
/// applying it with defaults (docs/reliability.md, poison events). Said once, here, for every <see cref="IEventFacts"/>:
/// a member is needed when its constructor parameter has no default and is not nullable. Documents are not strict:
/// they are rebuilt from the events.
/// </summary>
public static class StrictEventReading
{
    public static IJsonTypeInfoResolver Resolver(IJsonTypeInfoResolver? inner) =>
        (inner ?? new DefaultJsonTypeInfoResolver()).WithAddedModifier(Apply);

    public static void Apply(JsonTypeInfo info)
    {
        if (info.Kind != JsonTypeInfoKind.Object || !typeof(IEventFacts).IsAssignableFrom(info.Type)) return;
        info.UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow;
        foreach (var property in info.Properties)
            if (property.AssociatedParameter is { HasDefaultValue: false, IsNullable: false }) property.IsRequired = true;
    }
}
