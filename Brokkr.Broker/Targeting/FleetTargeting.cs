namespace Brokkr.Broker.Targeting;

/// <summary>
/// The fleet-wide form of <see cref="TargetingQueries"/>: the same association rules (explicit targets, label and
/// annotation matches through a registration with the stack's generator) for every agent at once, so one statement
/// answers "what is pending where" for the whole fleet instead of one query per agent.
/// </summary>
public static class FleetTargeting
{
    /// <summary>(agent_id, stack_id) pairs of every association.</summary>
    public const string Associations = """
        SELECT t.agent_id, t.stack_id FROM agent_targets t
        UNION
        SELECT al.agent_id, sl.stack_id
        FROM agent_labels al
        JOIN stack_labels sl ON sl.label = al.label
        JOIN stacks s ON s.id = sl.stack_id
        JOIN agent_generator_registrations r ON r.agent_id = al.agent_id AND r.generator_id = s.generator_id
        UNION
        SELECT aa.agent_id, sa.stack_id
        FROM agent_annotations aa
        JOIN stack_annotations sa ON sa.key = aa.key AND sa.value = aa.value
        JOIN stacks s ON s.id = sa.stack_id
        JOIN agent_generator_registrations r ON r.agent_id = aa.agent_id AND r.generator_id = s.generator_id
        """;

    /// <summary>
    /// (agent_id, pending) for agents with at least one pending object: the newest live object of an associated live
    /// stack that the agent has not reported an event for — exactly what its incremental target-state would return.
    /// </summary>
    public const string PendingCounts = $"""
        SELECT assoc.agent_id, count(*) AS pending
        FROM ({Associations}) assoc
        JOIN (
            SELECT DISTINCT ON (d.stack_id) d.stack_id, d.id
            FROM deployment_objects d
            JOIN stacks s ON s.id = d.stack_id AND s.deleted_at IS NULL
            WHERE d.deleted_at IS NULL
            ORDER BY d.stack_id, d.sequence_id DESC
        ) latest ON latest.stack_id = assoc.stack_id
        WHERE NOT EXISTS (
            SELECT 1 FROM agent_events e
            WHERE e.agent_id = assoc.agent_id AND e.deployment_object_id = latest.id AND e.deleted_at IS NULL)
        GROUP BY assoc.agent_id
        """;
}
