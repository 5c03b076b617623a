using JasperFx.Events;
using Marten.Events.Aggregation;

namespace CrossLearn.Features.Clusters;

/// <summary>A user's cluster now (id: the user id); none when the user is in no cluster.</summary>
public sealed class ClusterMembership
{
    public string Id { get; set; } = "";
    public int ClusterId { get; set; }
    public Guid RunId { get; set; }
    public DateTimeOffset Since { get; set; }
}

/// <summary>Inline over the user's stream: the latest <see cref="UserClustered"/>, gone at <see cref="UserUnclustered"/>.</summary>
public sealed partial class ClusterMembershipProjection : SingleStreamProjection<ClusterMembership, string>
{
    public ClusterMembershipProjection()
    {
        IncludeType<UserClustered>();
        IncludeType<UserUnclustered>();
    }

    public override ClusterMembership? Evolve(ClusterMembership? snapshot, string id, IEvent e) => e.Data switch
    {
        UserClustered c => new ClusterMembership { Id = id, ClusterId = c.ClusterId, RunId = c.RunId, Since = c.AsOf },
        UserUnclustered => null,
        _ => snapshot
    };
}
