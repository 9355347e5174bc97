namespace Brokkr.Agent.Kubernetes;

/// <summary>One served resource type: how an (apiVersion, kind) maps to a URL and what it supports.</summary>
public sealed record ApiResource(string Group, string Version, string Plural, string Kind, bool Namespaced,
    IReadOnlyList<string> Verbs)
{
    public string ApiVersion => Group.Length == 0 ? Version : $"{Group}/{Version}";

    public bool Supports(string verb) => Verbs.Contains(verb);

    /// <summary>Collection path; <paramref name="ns"/> null on a namespaced type lists across all namespaces.</summary>
    public string CollectionPath(string? ns)
    {
        var root = Group.Length == 0 ? $"/api/{Version}" : $"/apis/{Group}/{Version}";
        return Namespaced && ns is not null
            ? $"{root}/namespaces/{Uri.EscapeDataString(ns)}/{Plural}"
            : $"{root}/{Plural}";
    }

    public string ObjectPath(string? ns, string name) => $"{CollectionPath(Namespaced ? ns : null)}/{Uri.EscapeDataString(name)}";

    /// <summary>Splits an apiVersion on its first '/': no slash means the core group.</summary>
    public static (string Group, string Version) SplitApiVersion(string apiVersion)
    {
        var slash = apiVersion.IndexOf('/');
        return slash < 0 ? ("", apiVersion) : (apiVersion[..slash], apiVersion[(slash + 1)..]);
    }
}

/// <summary>
/// A group-version with its resources, and whether it is the group's preferred version. <paramref name="Stale"/>: the
/// aggregated document said its API server was unreachable (freshness "Stale"), so the list may be outdated.
/// </summary>
public sealed record ApiGroupVersion(string Group, string Version, bool Preferred, IReadOnlyList<ApiResource> Resources,
    bool Stale = false)
{
    public string GroupVersion => Group.Length == 0 ? Version : $"{Group}/{Version}";
}

/// <summary>A served group-version whose resources discovery could not read (an aggregated API answering 503).</summary>
public sealed record UnavailableGroupVersion(string Group, string Version, bool Preferred, string Error)
{
    public string GroupVersion => Group.Length == 0 ? Version : $"{Group}/{Version}";
}

/// <summary>The resources of every group's preferred version, and the preferred group-versions discovery could not read.</summary>
public sealed record PreferredResources(IReadOnlyList<ApiResource> Resources, IReadOnlyList<UnavailableGroupVersion> Unavailable);
