namespace Brokkr.Broker.Targeting;

/// <summary>
/// The fleet-wide form of <see cref="TargetingQueries"/>: the same association rules (explicit targets, label and
/// annotation matches through a registration with the stack's generator) for every agent at once, so one statement
/// answers "what is pending where" for the whole fleet instead of one query per agent.
/// </summary>
public static class FleetTargeting
{
    /// <summary>
    /// (agent_id, stack_id) pairs of every association, each once. Explicit targets are unique already (a constraint),
    /// so only the label and annotation matches are de-duplicated, and those an explicit target also gives dropped:
    /// a UNION over all of them would hash every target of the fleet (most of the pairs) just to find none twice.
    /// </summary>
    public const string Associations = """
        SELECT t.agent_id, t.stack_id FROM agent_targets t
        UNION ALL
        SELECT m.agent_id, m.stack_id FROM (
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
        ) m
        WHERE NOT EXISTS (SELECT 1 FROM agent_targets t WHERE t.agent_id = m.agent_id AND t.stack_id = m.stack_id)
        """;
}
