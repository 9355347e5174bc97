using Brokkr.Broker.Errors;
using Microsoft.EntityFrameworkCore;

namespace Brokkr.Broker.Data;

/// <summary>Loads live (not soft-deleted) rows by id, or fails with the endpoint's 404 code.</summary>
public static class LiveRows
{
    public static IQueryable<Generator> LiveGenerators(this BrokkrDbContext db) => db.Generators.Where(g => g.DeletedAt == null);
    public static IQueryable<Agent> LiveAgents(this BrokkrDbContext db) => db.Agents.Where(a => a.DeletedAt == null);
    public static IQueryable<Stack> LiveStacks(this BrokkrDbContext db) => db.Stacks.Where(s => s.DeletedAt == null);

    public static async Task<Generator> GeneratorAsync(this BrokkrDbContext db, Guid id, string notFoundCode = "generator_not_found") =>
        await db.LiveGenerators().FirstOrDefaultAsync(g => g.Id == id)
        ?? throw ApiException.NotFound(notFoundCode, "generator not found");

    public static async Task<Agent> AgentAsync(this BrokkrDbContext db, Guid id) =>
        await db.LiveAgents().FirstOrDefaultAsync(a => a.Id == id)
        ?? throw ApiException.NotFound("agent_not_found", "agent not found");

    public static async Task<Stack> StackAsync(this BrokkrDbContext db, Guid id) =>
        await db.LiveStacks().FirstOrDefaultAsync(s => s.Id == id) ?? throw StackNotFound();

    public static ApiException StackNotFound() => ApiException.NotFound("stack_not_found", "stack not found");

    /// <summary>A live stack the caller may manage (admin or owning generator): 404 first, then 403 <c>stack_not_owned</c>.</summary>
    public static async Task<Stack> OwnedStackAsync(this BrokkrDbContext db, Guid id, Authentication.Caller caller)
    {
        var stack = await db.StackAsync(id);
        if (!caller.IsAdminOrOwner(stack.GeneratorId))
        {
            throw ApiException.Forbidden("stack_not_owned", "the stack belongs to another generator");
        }
        return stack;
    }
}
