using System.CommandLine;
using Brokkr.Broker.Authentication;
using Brokkr.Broker.Data;
using Brokkr.Broker.Startup;
using Microsoft.EntityFrameworkCore;

namespace Brokkr.Broker.Commands;

/// <summary>
/// <c>rotate admin|agent|generator</c>: a new PAK replaces the old one, which stops working at once on every broker
/// replica sharing the database (the rotation commits with the revocation notice, as the REST rotation does).
/// </summary>
public static class RotateCommands
{
    public static Command Build(IReadOnlyDictionary<string, string?>? settings)
    {
        var rotate = new Command("rotate", "Replace the admin key or an agent's or a generator's PAK");
        rotate.Subcommands.Add(Admin(settings));
        rotate.Subcommands.Add(Identity("agent", settings, async (session, id) =>
            await PakRotation.RotateAsync(await session.Db.AgentAsync(id), session.Db, session.Paks, session.Revocations)));
        rotate.Subcommands.Add(Identity("generator", settings, async (session, id) =>
            await PakRotation.RotateAsync(await session.Db.GeneratorAsync(id), session.Db, session.Paks, session.Revocations)));
        return rotate;
    }

    /// <summary><c>rotate agent &lt;id&gt;</c>, or upstream's spelling <c>rotate agent --uuid &lt;id&gt;</c>.</summary>
    private static Command Identity(string kind, IReadOnlyDictionary<string, string?>? settings,
        Func<AdminSession, Guid, Task<MintedPak>> rotate)
    {
        // A string: System.CommandLine 2.0.0 reports no parse error for an optional Guid argument that is not one.
        var positional = new Argument<string?>("id") { Description = $"The {kind}'s UUID", Arity = ArgumentArity.ZeroOrOne };
        var uuid = new Option<Guid>("--uuid") { Description = $"The {kind}'s UUID (instead of the argument)" };
        var command = new Command(kind, $"Mint a new PAK for a {kind}; the old one stops working") { positional, uuid };
        command.Validators.Add(result =>
        {
            if ((result.GetResult(positional) is { Tokens.Count: > 0 }) == (result.GetResult(uuid) is not null))
            {
                result.AddError($"give the {kind}'s UUID once: as the argument or as --uuid");
            }
            else if (result.GetValue(positional) is { } text && !Guid.TryParse(text, out _))
            {
                result.AddError($"'{text}' is not a UUID");
            }
        });
        command.SetAction((parsed, cancellationToken) => AdminAction.RunAsync(parsed.InvocationConfiguration.Error, async () =>
        {
            var id = parsed.GetResult(uuid) is null ? Guid.Parse(parsed.GetValue(positional)!) : parsed.GetValue(uuid);
            await using var session = await AdminSession.OpenAsync(settings, cancellationToken);
            var pak = await rotate(session, id);
            await CommandAudit.RecordAsync(session, $"rotate {kind}", parsed.InvocationConfiguration.Error,
                new CommandAuditEntry("pak.rotated", "pak", id, PakOwner: kind));
            var output = parsed.InvocationConfiguration.Output;
            await output.WriteLineAsync($"Rotated the PAK of {kind} {id}.");
            await PakOutput.WriteAsync(output, "New PAK", pak.Plaintext);
            return BrokerExitCodes.Success;
        }));
        return command;
    }

    /// <summary>
    /// Sets the admin key as upstream does: to <c>broker.pak_hash</c> when that is set (no PAK is minted), otherwise to
    /// a freshly minted PAK, printed once with its hash.
    /// </summary>
    private static Command Admin(IReadOnlyDictionary<string, string?>? settings)
    {
        var command = new Command("admin", "Set the admin key: to broker.pak_hash when set, otherwise to a newly minted PAK");
        command.SetAction((parsed, cancellationToken) => AdminAction.RunAsync(parsed.InvocationConfiguration.Error, async () =>
        {
            await using var session = await AdminSession.OpenAsync(settings, cancellationToken);
            var configured = AdminKey.ConfiguredHash(session.Options);
            if (!await session.Db.AppInitializations.AnyAsync(cancellationToken))
            {
                // The first start sets the admin key from broker.pak_hash and would overwrite a key set here.
                throw new CommandFailure(BrokerExitCodes.Refused,
                    "the broker has not started on this database yet; its first start sets the admin key from broker.pak_hash");
            }
            var minted = configured is null ? session.Paks.Mint() : null;
            var hash = configured ?? minted!.Hash;
            var previous = await AdminKey.StageAsync(session.Db, hash, cancellationToken);
            var changed = !PakFormat.HashesEqual(previous, hash);
            await session.Revocations.SaveAndRevokeAsync(session.Db, changed ? previous : null);
            if (changed)
            {
                await CommandAudit.RecordAsync(session, "rotate admin", parsed.InvocationConfiguration.Error,
                    new CommandAuditEntry("pak.rotated", "pak", null, PakOwner: "admin"));
            }

            var output = parsed.InvocationConfiguration.Output;
            if (minted is null)
            {
                await output.WriteLineAsync(changed
                    ? "Admin key set to broker.pak_hash (BROKKR__BROKER__PAK_HASH); the previous admin PAK no longer works."
                    : "Admin key unchanged: it already is broker.pak_hash (BROKKR__BROKER__PAK_HASH).");
                await output.WriteLineAsync("No PAK was minted. To replace the admin key, either set broker.pak_hash to the hash " +
                    "printed by `Brokkr.Broker generate-pak`, or set it empty (BROKKR__BROKER__PAK_HASH=) to have this command mint one.");
                return BrokerExitCodes.Success;
            }
            await output.WriteLineAsync("Minted a new admin PAK; the previous admin PAK no longer works.");
            await PakOutput.WriteAsync(output, "Admin PAK", minted.Plaintext);
            await output.WriteLineAsync($"PAK hash (for broker.pak_hash / BROKKR__BROKER__PAK_HASH): {minted.Hash}");
            return BrokerExitCodes.Success;
        }));
        return command;
    }
}
