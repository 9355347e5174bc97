using System.Reflection;
using Brokkr.Broker.Errors;

namespace Brokkr.Broker.Authentication;

public enum CallerRole
{
    Admin,
    Agent,
    Generator,
}

/// <summary>
/// The authenticated identity of a request (spec §2.4), with the ownership predicates of §4. Endpoints take it as a
/// parameter; it binds from what <see cref="AuthenticationMiddleware"/> resolved.
/// </summary>
/// <param name="ReadOnly">The operator console's credential: admin reads, no writes (<see cref="OperatorConsole.ConsoleAccess"/>).</param>
public sealed record Caller(CallerRole Role, Guid? AgentId = null, Guid? GeneratorId = null, bool ReadOnly = false)
{
    public bool IsAdmin => Role == CallerRole.Admin;
    public bool IsAgent => Role == CallerRole.Agent;
    public bool IsGenerator => Role == CallerRole.Generator;

    public bool IsAgentSelf(Guid agentId) => IsAgent && AgentId == agentId;
    public bool IsGeneratorSelf(Guid generatorId) => IsGenerator && GeneratorId == generatorId;

    /// <summary>Admin, or the generator that owns something with this generator id.</summary>
    public bool IsAdminOrOwner(Guid ownerGeneratorId) => IsAdmin || IsGeneratorSelf(ownerGeneratorId);

    public void RequireAdmin()
    {
        if (!IsAdmin) throw ApiException.Forbidden("admin_required", "this operation requires the admin PAK");
    }

    /// <summary>Admin or the agent itself, else 403 <c>agent_pak_mismatch</c>.</summary>
    public void RequireAdminOrAgentSelf(Guid agentId)
    {
        if (!IsAdmin && !IsAgentSelf(agentId)) throw ApiException.Forbidden("agent_pak_mismatch", "the PAK does not belong to this agent");
    }

    public static ValueTask<Caller?> BindAsync(HttpContext context, ParameterInfo parameter) =>
        ValueTask.FromResult<Caller?>(context.Features.Get<Caller>() ?? throw new UnauthenticatedException());
}
