using Brokkr.Broker.Errors;

namespace Brokkr.Broker.OperatorConsole;

/// <summary>
/// What the console credential may do: read anything (<c>GET</c>/<c>HEAD</c>) and exactly two <c>POST</c>s that leave
/// desired state alone — credential introspection and asking an agent for a diagnostic of a deployment object.
/// </summary>
public static class ConsoleAccess
{
    public static bool Allows(string method, PathString path)
    {
        if (HttpMethods.IsGet(method) || HttpMethods.IsHead(method))
        {
            return true;
        }
        if (!HttpMethods.IsPost(method))
        {
            return false;
        }
        var segments = (path.Value ?? "").Trim('/').Split('/');
        return segments switch
        {
            ["api", "v1", "auth", "pak"] => true,
            ["api", "v1", "deployment-objects", var id, "diagnostics"] => Guid.TryParse(id, out _),
            _ => false,
        };
    }

    /// <exception cref="ApiException">403 <c>read_only_credential</c> for anything else.</exception>
    public static void Demand(HttpRequest request)
    {
        if (!Allows(request.Method, request.Path))
        {
            throw ApiException.Forbidden("read_only_credential",
                "the operator console's credential is read-only; use an admin PAK to change anything");
        }
    }
}
