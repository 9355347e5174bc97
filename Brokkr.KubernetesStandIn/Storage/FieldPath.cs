namespace Brokkr.KubernetesStandIn.Storage;

/// <summary>
/// A field path as a list of member names (<c>["data", "app.properties"]</c>). Kept as segments because keys may hold
/// dots: split text would turn <c>.data.app.properties</c> into three levels and never find the value. The text form
/// is the API server's (dots joined, so ambiguous), used only in messages.
/// </summary>
public sealed class FieldPath(IReadOnlyList<string> segments) : IEquatable<FieldPath>
{
    public static readonly FieldPath Root = new([]);

    public IReadOnlyList<string> Segments { get; } = segments;

    public FieldPath Child(string segment) => new([.. Segments, segment]);

    public bool Equals(FieldPath? other) => other is not null && Segments.SequenceEqual(other.Segments, StringComparer.Ordinal);

    public override bool Equals(object? obj) => Equals(obj as FieldPath);

    public override int GetHashCode()
    {
        var hash = new HashCode();
        foreach (var segment in Segments)
        {
            hash.Add(segment, StringComparer.Ordinal);
        }

        return hash.ToHashCode();
    }

    public override string ToString() => "." + string.Join('.', Segments);
}
