using Microsoft.EntityFrameworkCore;

namespace Brokkr.Broker.Data;

/// <summary>
/// Row locks for check-then-insert writes, taken inside the writer's transaction. Under READ COMMITTED a plain
/// SELECT check can be undone by another transaction before the INSERT commits, and the foreign key's own
/// <c>FOR KEY SHARE</c> does not conflict with a soft delete (an UPDATE of a non-key column) or guard a row the
/// new one does not reference. <c>FOR SHARE</c> does: a concurrent UPDATE or DELETE of the checked row waits until
/// this transaction ends, and a row already changed by a committed writer is re-read (or gone) when locked.
/// </summary>
public static class RowLocks
{
    /// <summary>Locks the agent's registration with the generator; false when there is none.</summary>
    public static async Task<bool> LockRegistrationAsync(this BrokkrDbContext db, Guid agentId, Guid generatorId) =>
        (await db.Database.SqlQuery<Guid>($"""
            SELECT id AS "Value" FROM agent_generator_registrations
            WHERE agent_id = {agentId} AND generator_id = {generatorId} FOR SHARE
            """).ToListAsync()).Count > 0;

    /// <summary>Locks the stack if it is live; false when it is missing or soft-deleted.</summary>
    public static async Task<bool> LockLiveStackAsync(this BrokkrDbContext db, Guid stackId) =>
        (await db.Database.SqlQuery<Guid>($"""
            SELECT id AS "Value" FROM stacks WHERE id = {stackId} AND deleted_at IS NULL FOR SHARE
            """).ToListAsync()).Count > 0;
}
