using System.Net;

namespace Brokkr.Agent.Broker;

/// <summary>The broker answered, but not with success; <see cref="Code"/> is its error envelope's code when it sent one.</summary>
public class BrokerApiException(HttpStatusCode statusCode, string? code, string message) : Exception(message)
{
    public HttpStatusCode StatusCode { get; } = statusCode;
    public string? Code { get; } = code;
}

/// <summary>
/// The broker could not be reached or is not serving: connection refused, DNS, timeout, or a 502/503/504 from it or
/// a proxy in front of it. These, and only these, make the agent back off.
/// </summary>
public sealed class BrokerUnreachableException(string message, Exception? inner = null) : Exception(message, inner);
