namespace Brokkr.Agent.Runtime;

/// <summary>
/// SUCCESS events sent as channel frames that the broker may not have stored yet. A REST report returns once the
/// event is stored; a frame returns once it is written to the socket, and the broker stores it a moment later on
/// another connection. A cycle woken by a push in that moment would still see the object in the incremental target
/// state, apply it again and send a second SUCCESS event. Such objects are left out of cycles for <see cref="Grace"/>
/// after their frame went out; if the frame was lost (the broker could not store it, the socket dropped with it in
/// flight), the object comes back in the first poll after that and is applied and reported again.
/// </summary>
public sealed class UnconfirmedAcknowledgements
{
    /// <summary>Well above the broker's time to store a frame, and below the shortest usual polling interval (10 s).</summary>
    public static readonly TimeSpan Grace = TimeSpan.FromSeconds(5);

    private readonly Dictionary<Guid, DateTimeOffset> _sentAt = [];

    public int Count => _sentAt.Count;

    public void Sent(Guid deploymentObjectId, DateTimeOffset now) => _sentAt[deploymentObjectId] = now;

    /// <summary>True while the object's SUCCESS frame is within its grace.</summary>
    public bool Awaiting(Guid deploymentObjectId, DateTimeOffset now) =>
        _sentAt.TryGetValue(deploymentObjectId, out var sentAt) && now - sentAt < Grace;

    /// <summary>Drops every entry past its grace, so objects that never came back do not accumulate.</summary>
    public void Expire(DateTimeOffset now)
    {
        foreach (var (id, sentAt) in _sentAt)
        {
            if (now - sentAt >= Grace)
            {
                _sentAt.Remove(id);
            }
        }
    }
}
