using Brokkr.Broker.Metrics;

namespace Brokkr.Tests.BrokerMetrics;

/// <summary>The <c>operation</c> label: the verb that starts the statement, never a word inside it.</summary>
public sealed class SqlOperationTests
{
    [Theory]
    // Leading whitespace, parentheses and comments (nested block comments included).
    [InlineData("SELECT a.id FROM agents a", "select")]
    [InlineData("  \n\t(select 1)", "select")]
    [InlineData("-- EF comment\nINSERT INTO stacks (id) VALUES (@p0) RETURNING sequence_id", "insert")]
    [InlineData("/* tag */ UPDATE agents SET last_heartbeat = @p", "update")]
    [InlineData("/* outer /* inner */ still a comment: SELECT */ DELETE FROM agent_labels WHERE id = @p", "delete")]
    [InlineData("-- DELETE everything\n-- (not really)\nSELECT 1", "select")]
    // Case does not matter.
    [InlineData("select 1", "select")]
    [InlineData("InSeRt INTO x VALUES (1)", "insert")]
    [InlineData("delete from x", "delete")]
    // Locking clauses and other clauses that contain a verb.
    [InlineData("SELECT * FROM agents WHERE id = @p FOR UPDATE", "select")]
    [InlineData("SELECT * FROM agents FOR SHARE SKIP LOCKED", "select")]
    [InlineData("INSERT INTO agent_labels (agent_id, label) VALUES (@a, @l) ON CONFLICT (agent_id, label) DO UPDATE SET label = excluded.label", "insert")]
    [InlineData("UPDATE stacks SET deleted_at = now() WHERE id IN (SELECT id FROM stacks FOR UPDATE)", "update")]
    // Literals and quoted identifiers that contain verbs.
    [InlineData("SELECT 'delete' AS verb", "select")]
    [InlineData("SELECT 'it''s; DELETE FROM x' AS s", "select")]
    [InlineData("SELECT E'\\'; delete from x; --' AS s", "select")]
    [InlineData("SELECT $$ ; DELETE FROM x $$, $body$ update $body$", "select")]
    [InlineData("SELECT \"delete\" FROM \"update\"", "select")]
    [InlineData("SELECT $1, $2 FROM x", "select")]
    // WITH: the main statement when it writes, else the first writing CTE, else a select.
    [InlineData("WITH x AS (SELECT 1) SELECT * FROM x", "select")]
    [InlineData("WITH t AS (SELECT updated_at FROM stacks) SELECT * FROM t", "select")]
    [InlineData("WITH RECURSIVE t(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM t) SELECT n FROM t", "select")]
    [InlineData("WITH locked AS (SELECT id FROM agents FOR UPDATE) SELECT * FROM locked FOR UPDATE", "select")]
    [InlineData("WITH x AS (SELECT 'insert' AS s, \"update\" FROM y) SELECT * FROM x -- delete", "select")]
    [InlineData("WITH n AS (SELECT 1 AS v) INSERT INTO x SELECT v FROM n", "insert")]
    [InlineData("WITH n AS MATERIALIZED (SELECT 1) UPDATE x SET v = 1", "update")]
    [InlineData("WITH d AS (DELETE FROM agent_events WHERE created_at < @cutoff RETURNING *) INSERT INTO archive SELECT * FROM d", "insert")]
    [InlineData("WITH gone AS (DELETE FROM agent_targets RETURNING *) SELECT count(*) FROM gone", "delete")]
    [InlineData("WITH a AS (SELECT 1), b AS NOT MATERIALIZED ((UPDATE x SET v = 2 RETURNING v)) SELECT * FROM a, b", "update")]
    [InlineData("(WITH x AS (SELECT 1) DELETE FROM y)", "delete")]
    // What EF Core and Npgsql send: batches are classified by their first statement.
    [InlineData("INSERT INTO stacks (id, description, generator_id, name)\nVALUES (@p0, @p1, @p2, @p3)\nRETURNING created_at, deleted_at, updated_at;\nINSERT INTO stack_labels (id, label, stack_id)\nVALUES (@p4, @p5, @p6);\n", "insert")]
    [InlineData("UPDATE agents SET name = @p0\nWHERE id = @p1;\nSELECT updated_at FROM agents WHERE id = @p1;", "update")]
    [InlineData("DELETE FROM agent_labels\nWHERE id = @p0;\nINSERT INTO agent_labels (id, agent_id, label)\nVALUES (@p1, @p2, @p3);\n", "delete")]
    [InlineData("UPDATE agents AS a\nSET last_heartbeat = @now\nWHERE a.id = @id", "update")]
    [InlineData("SELECT EXISTS (\n    SELECT 1 FROM pg_catalog.pg_class c\n    JOIN pg_catalog.pg_namespace n ON n.oid=c.relnamespace\n    WHERE n.nspname='public' AND c.relname='__EFMigrationsHistory'\n)", "select")]
    [InlineData("SELECT \"MigrationId\", \"ProductVersion\"\nFROM \"__EFMigrationsHistory\"\nORDER BY \"MigrationId\";", "select")]
    [InlineData("INSERT INTO \"__EFMigrationsHistory\" (\"MigrationId\", \"ProductVersion\")\nVALUES ('20261122000000_InitialSchema', '10.0.14');", "insert")]
    // Everything else.
    [InlineData("LOCK TABLE \"__EFMigrationsHistory\" IN ACCESS EXCLUSIVE MODE", "other")]
    [InlineData("CREATE TABLE IF NOT EXISTS \"__EFMigrationsHistory\" (\"MigrationId\" character varying(150) NOT NULL)", "other")]
    [InlineData("CREATE FUNCTION f() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN DELETE FROM x; END $$", "other")]
    [InlineData("VALUES (1), (2)", "select")]
    [InlineData("", "other")]
    [InlineData("   -- only a comment", "other")]
    [InlineData("'unterminated", "other")]
    [InlineData("WITH", "select")]
    public void The_operation_is_the_statement_verb(string sql, string operation) =>
        Assert.Equal(operation, SqlOperation.Of(sql));

    [Fact]
    public void Null_is_other() => Assert.Equal("other", SqlOperation.Of(null));
}
