using Brokkr.Broker.Authentication;
using Brokkr.Broker.Data;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace Brokkr.Broker.Api.V1.Auth;

public sealed record AuthResponse(bool Admin, Guid? Agent, Guid? Generator, bool Readonly);

public sealed record PakSummary(Guid Id, string Name);

/// <summary>Who am I (<c>POST /auth/pak</c>) and the admin's tenant list (<c>GET /paks</c>), spec §4.1.</summary>
public static class AuthApi
{
    public static RouteGroupBuilder MapAuthApi(this RouteGroupBuilder api)
    {
        api.MapPost("/auth/pak", WhoAmI).WithTags("Auth");
        api.MapGet("/paks", Paks).WithTags("Auth");
        return api;
    }

    private static Ok<AuthResponse> WhoAmI(Caller caller) =>
        TypedResults.Ok(new AuthResponse(caller.IsAdmin, caller.AgentId, caller.GeneratorId, Readonly: caller.ReadOnly));

    private static async Task<Ok<List<PakSummary>>> Paks(Caller caller, BrokkrDbContext db)
    {
        caller.RequireAdmin();
        return TypedResults.Ok(await db.LiveGenerators().Where(g => !g.IsSystem)
            .OrderBy(g => g.CreatedAt).ThenBy(g => g.Id).Select(g => new PakSummary(g.Id, g.Name)).ToListAsync());
    }
}
