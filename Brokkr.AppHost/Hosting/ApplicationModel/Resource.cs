namespace Brokkr.AppHost.Hosting;

/// <summary>A named part of the application: what it is comes from its type, how it is wired from its annotations.</summary>
public interface IResource
{
    string Name { get; }

    ResourceAnnotationCollection Annotations { get; }
}

/// <summary>Marker for the metadata attached to a resource by the builder extensions.</summary>
public interface IResourceAnnotation;

public sealed class ResourceAnnotationCollection : List<IResourceAnnotation>;

public abstract class Resource(string name) : IResource
{
    public string Name { get; } = ResourceNames.Validate(name);

    public ResourceAnnotationCollection Annotations { get; } = [];

    public override string ToString() => Name;
}

public interface IResourceWithEndpoints : IResource;

public interface IResourceWithEnvironment : IResource;

public interface IResourceWithArgs : IResource;

public interface IResourceWithWaitSupport : IResource;

public interface IResourceWithParent<out T> : IResource where T : IResource
{
    T Parent { get; }
}

/// <summary>A resource others reach through a connection string (<c>ConnectionStrings__name</c>).</summary>
public interface IResourceWithConnectionString : IResource, IManifestExpressionProvider, IValueProvider
{
    ReferenceExpression ConnectionStringExpression { get; }

    string IManifestExpressionProvider.ValueExpression => $"{{{Name}.connectionString}}";

    ValueTask<string?> IValueProvider.GetValueAsync(CancellationToken cancellationToken) =>
        ConnectionStringExpression.GetValueAsync(cancellationToken);
}

public static class ResourceNames
{
    /// <summary>Aspire's rule: ASCII letters, digits and hyphens, starting with a letter, no double or trailing hyphen.</summary>
    public static string Validate(string name)
    {
        var valid = name.Length is > 0 and <= 64 && char.IsAsciiLetter(name[0]) && !name.EndsWith('-') &&
                    !name.Contains("--", StringComparison.Ordinal) && name.All(c => char.IsAsciiLetterOrDigit(c) || c == '-');
        return valid ? name : throw new ArgumentException($"'{name}' is not a valid resource name", nameof(name));
    }
}
