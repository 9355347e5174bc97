using Npgsql;

namespace Brokkr.Benchmarks;

/// <summary>
/// Seeds a fleet for the fleet view straight into the database — the view only reads, and 20,000 agents through the
/// API take minutes — with every signal the view aggregates: per agent a registration, 5 targets among 50 stacks of 3
/// objects each, an event per targeted object (every 10th agent has not acknowledged its stacks' newest objects), a
/// health row per newest object (some failing or degraded), a heartbeat of varying age and Kubernetes reachability,
/// and a share of agents in work orders' targets. Agents are numbered; topping up adds the missing numbers only.
/// </summary>
public static class FleetViewSeeder
{
    private const int Stacks = 50;
    private const int Targets = 5;

    public static async Task TopUpAsync(string connectionString, int agents)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        var present = Convert.ToInt32(await Scalar(connection, "SELECT count(*) FROM agents WHERE name LIKE 'fv-agent-%'"));
        if (present == 0)
        {
            await Execute(connection, $"""
                INSERT INTO generators (name) VALUES ('fleet-view-generator');
                INSERT INTO stacks (name, generator_id)
                SELECT 'fv-stack-' || i, (SELECT id FROM generators WHERE name = 'fleet-view-generator') FROM generate_series(0, {Stacks - 1}) i;
                INSERT INTO deployment_objects (stack_id, yaml_content, yaml_checksum)
                SELECT s.id, 'kind: ConfigMap # ' || r, md5(s.name || r) FROM stacks s, generate_series(1, 3) r WHERE s.name LIKE 'fv-stack-%'
                ORDER BY r, s.name;
                """);
        }
        if (present >= agents)
        {
            return;
        }
        // Each statement covers the new agents only (numbers present .. agents-1).
        await Execute(connection, $"""
            CREATE TEMP TABLE fv_new AS
            SELECT i FROM generate_series({present}, {agents - 1}) i;
            INSERT INTO agents (name, cluster_name, pak_hash, last_heartbeat, status, k8s_reachable, k8s_api_latency_ms, k8s_reported_at)
            SELECT 'fv-agent-' || i, 'cluster-' || i, 'seeded-' || i, now() - (i % 900) * interval '1 second', 'ACTIVE',
                   CASE WHEN i % 40 = 0 THEN false ELSE true END, CASE WHEN i % 40 = 0 THEN NULL ELSE 5 + i % 60 END, now()
            FROM fv_new;
            CREATE TEMP TABLE fv_agent AS
            SELECT split_part(a.name, '-', 3)::int AS i, a.id FROM agents a WHERE a.name LIKE 'fv-agent-%'
              AND split_part(a.name, '-', 3)::int >= {present};
            CREATE TEMP TABLE fv_stack AS
            SELECT split_part(s.name, '-', 3)::int AS n, s.id FROM stacks s WHERE s.name LIKE 'fv-stack-%';
            INSERT INTO agent_generator_registrations (agent_id, generator_id)
            SELECT a.id, (SELECT id FROM generators WHERE name = 'fleet-view-generator') FROM fv_agent a;
            INSERT INTO agent_targets (agent_id, stack_id)
            SELECT a.id, s.id FROM fv_agent a, generate_series(0, {Targets - 1}) t JOIN fv_stack s ON true
            WHERE s.n = (a.i + t) % {Stacks};
            INSERT INTO agent_events (created_at, agent_id, deployment_object_id, event_type, status)
            SELECT now() - (a.i % 3600 + d.sequence_id % 100) * interval '1 second', a.id, d.id, 'DEPLOY', 'SUCCESS'
            FROM fv_agent a JOIN agent_targets t ON t.agent_id = a.id JOIN deployment_objects d ON d.stack_id = t.stack_id
            WHERE a.i % 10 <> 0 OR d.sequence_id NOT IN (SELECT max(sequence_id) FROM deployment_objects GROUP BY stack_id);
            INSERT INTO deployment_health (agent_id, deployment_object_id, status, checked_at)
            SELECT a.id, d.id, CASE WHEN a.i % 25 = 0 THEN 'failing' WHEN a.i % 30 = 0 THEN 'degraded' ELSE 'healthy' END, now()
            FROM fv_agent a JOIN agent_targets t ON t.agent_id = a.id
            JOIN LATERAL (SELECT id FROM deployment_objects WHERE stack_id = t.stack_id ORDER BY sequence_id DESC LIMIT 1) d ON true;
            INSERT INTO work_orders (work_type, yaml_content, claim_timeout_seconds, max_retries, backoff_seconds)
            SELECT 'custom', 'kind: Job # ' || g, 3600, 3, 60 FROM generate_series(1, greatest(1, ({agents} - {present}) / 100)) g;
            INSERT INTO work_order_targets (work_order_id, agent_id)
            SELECT w.id, a.id FROM (SELECT id, row_number() OVER (ORDER BY id) AS r FROM work_orders
                                    WHERE id NOT IN (SELECT work_order_id FROM work_order_targets)) w
            JOIN fv_agent a ON a.i % 100 = w.r % 100 AND a.i % 7 = 0;
            DROP TABLE fv_new, fv_agent, fv_stack;
            ANALYZE;
            """);
    }

    private static async Task Execute(NpgsqlConnection connection, string sql)
    {
        await using var command = new NpgsqlCommand(sql, connection) { CommandTimeout = 600 };
        await command.ExecuteNonQueryAsync();
    }

    private static async Task<object?> Scalar(NpgsqlConnection connection, string sql)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        return await command.ExecuteScalarAsync();
    }
}
