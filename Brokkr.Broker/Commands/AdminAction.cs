using System.Net.Sockets;
using Brokkr.Broker.Errors;
using Microsoft.EntityFrameworkCore;
using Npgsql;

namespace Brokkr.Broker.Commands;

/// <summary>
/// Runs one administrative subcommand and turns its expected failures into a one-line <c>error: …</c> on stderr and
/// an exit code (<see cref="BrokerExitCodes"/>). Messages never carry a PAK or the database password.
/// </summary>
public static class AdminAction
{
    public static async Task<int> RunAsync(TextWriter error, Func<Task<int>> action)
    {
        try
        {
            return await action();
        }
        catch (Exception e) when (Failure(e) is { } failure)
        {
            await error.WriteLineAsync($"error: {failure.Message}");
            return failure.ExitCode;
        }
    }

    private static CommandFailure? Failure(Exception e) => e switch
    {
        CommandFailure failure => failure,
        ApiException api => new CommandFailure(BrokerExitCodes.Refused, $"{api.Message} ({api.Code})"),
        DbUpdateException update when DatabaseErrors.Map(update) is { Code: "unique_violation" } =>
            new CommandFailure(BrokerExitCodes.Refused, "the name is already taken (unique_violation)"),
        DbUpdateException update when DatabaseErrors.Map(update) is { } api =>
            new CommandFailure(BrokerExitCodes.Refused, $"{api.Message} ({api.Code})"),
        DbUpdateException { InnerException: PostgresException inner } => Failure(inner),
        // Npgsql's messages name the host and port, never the password.
        PostgresException postgres when IsConnectionProblem(postgres) =>
            new CommandFailure(BrokerExitCodes.DatabaseUnavailable, $"cannot use the database: {postgres.MessageText} ({postgres.SqlState})"),
        PostgresException { SqlState: PostgresErrorCodes.UndefinedTable } =>
            new CommandFailure(BrokerExitCodes.DatabaseUnavailable,
                "the database has no Brokkr schema: start the broker once, or leave broker.migrate_on_startup on"),
        NpgsqlException npgsql when npgsql is not PostgresException =>
            new CommandFailure(BrokerExitCodes.DatabaseUnavailable, $"cannot reach the database: {Describe(npgsql)}"),
        SocketException socket => new CommandFailure(BrokerExitCodes.DatabaseUnavailable, $"cannot reach the database: {socket.Message}"),
        InvalidOperationException { InnerException: NpgsqlException inner } => Failure(inner),
        // The broker's own configuration checks name the key at fault (Brokkr:Database:url, Brokkr:Broker:pak_hash, …).
        InvalidOperationException invalid when invalid.Message.StartsWith("Brokkr:", StringComparison.Ordinal) =>
            new CommandFailure(BrokerExitCodes.InvalidConfiguration, invalid.Message),
        _ => null,
    };

    // Class 08 is "connection exception", 28 "invalid authorization", 3D "invalid catalog name" (no such database),
    // 57P0x the server shutting down or refusing connections.
    private static bool IsConnectionProblem(PostgresException e) =>
        e.SqlState.StartsWith("08", StringComparison.Ordinal) || e.SqlState.StartsWith("28", StringComparison.Ordinal) ||
        e.SqlState.StartsWith("3D", StringComparison.Ordinal) || e.SqlState.StartsWith("57P0", StringComparison.Ordinal);

    /// <summary>"Failed to connect to host:port (Connection refused)": what failed and why.</summary>
    private static string Describe(Exception e)
    {
        var cause = e;
        while (cause.InnerException is { } inner)
        {
            cause = inner;
        }
        return cause == e ? e.Message : $"{e.Message} ({cause.Message})";
    }
}
