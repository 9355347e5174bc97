using System.Text.Json.Nodes;
using Brokkr.Broker.Audit;
using Brokkr.Broker.Data;
using Microsoft.Extensions.Options;

namespace Brokkr.Broker.Commands;

/// <summary>One audit entry a subcommand writes: the API's action and resource for the same change.</summary>
public sealed record CommandAuditEntry(string Action, string ResourceType, Guid? ResourceId, string? PakOwner = null);

/// <summary>
/// The audit trail of the broker's subcommands, which change what the API's PAK routes change and so record the same
/// actions (<c>agent.created</c>, <c>pak.created</c>, <c>pak.rotated</c>, …) on the same resources. The actor is the
/// admin — whoever can run them holds the database credentials — with <c>details.via = "cli"</c> and the command as
/// the user agent, and no address. Written directly after the change committed (a subcommand runs no background
/// writer); an entry that cannot be written is reported on stderr and does not undo or fail the change. Never a PAK.
/// </summary>
public static class CommandAudit
{
    public static async Task RecordAsync(AdminSession session, string command, TextWriter error, params CommandAuditEntry[] entries)
    {
        if (!session.Services.GetRequiredService<IOptions<AuditOptions>>().Value.Enabled || entries.Length == 0)
        {
            return;
        }
        var db = session.Db;
        foreach (var entry in entries)
        {
            var details = new JsonObject { ["via"] = "cli", ["command"] = command };
            if (entry.PakOwner is { } owner)
            {
                details["owner_type"] = owner;
            }
            db.AuditLogs.Add(AuditQueue.Entry(entry.Action, entry.ResourceType, entry.ResourceId, AuditLog.Admin, null, details,
                ipAddress: null, userAgent: $"Brokkr.Broker {command}"));
        }
        try
        {
            await db.SaveChangesAsync();
        }
        catch (Exception e) when (e is Microsoft.EntityFrameworkCore.DbUpdateException or Npgsql.NpgsqlException)
        {
            await error.WriteLineAsync($"warning: the change was made but not audited: {e.GetBaseException().Message}");
        }
    }
}
