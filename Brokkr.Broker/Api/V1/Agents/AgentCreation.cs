using Brokkr.Broker.Authentication;
using Brokkr.Broker.Data;
using Brokkr.Broker.Errors;
using Microsoft.EntityFrameworkCore;

namespace Brokkr.Broker.Api.V1.Agents;

/// <summary>A new agent, its PAK (to be shown once) and the generators it was registered with.</summary>
public sealed record CreatedAgent(Agent Agent, MintedPak Pak, IReadOnlyList<Guid> GeneratorIds, Guid? SystemGeneratorId);

/// <summary>
/// Creating an agent, for <c>POST /agents</c> and <c>Brokkr.Broker create agent</c> alike: every named generator is
/// checked before anything is written, and the agent is registered with the system generator (the fleet scope) too.
/// </summary>
public static class AgentCreation
{
    /// <exception cref="ApiException">400 <c>invalid_generator_id</c> or <c>invalid_agent</c>; nothing is written.</exception>
    public static async Task<CreatedAgent> CreateAsync(BrokkrDbContext db, PakFormat paks, string name, string clusterName,
        IReadOnlyCollection<string> generatorIds, CancellationToken cancellationToken = default)
    {
        var generators = await ExistingGeneratorIdsAsync(generatorIds, db, cancellationToken);
        var pak = paks.Mint();
        var agent = new Agent
        {
            Id = Guid.CreateVersion7(),
            Name = Validation.Name(name, "invalid_agent", "name"),
            ClusterName = Validation.Name(clusterName, "invalid_agent", "cluster_name"),
            PakHash = pak.Hash,
        };
        db.Agents.Add(agent);
        var systemGenerator = await db.LiveGenerators().Where(g => g.IsSystem).Select(g => (Guid?)g.Id).FirstOrDefaultAsync(cancellationToken);
        foreach (var generatorId in generators.Select(g => (Guid?)g).Append(systemGenerator).OfType<Guid>().Distinct())
        {
            db.AgentGeneratorRegistrations.Add(new AgentGeneratorRegistration { Id = Guid.CreateVersion7(), AgentId = agent.Id, GeneratorId = generatorId });
        }
        await db.SaveChangesAsync(cancellationToken);
        return new CreatedAgent(agent, pak, generators.Distinct().Where(g => g != systemGenerator).ToList(), systemGenerator);
    }

    /// <summary>Validates every listed generator id before anything is written (400 <c>invalid_generator_id</c>).</summary>
    private static async Task<List<Guid>> ExistingGeneratorIdsAsync(IReadOnlyCollection<string> raw, BrokkrDbContext db,
        CancellationToken cancellationToken)
    {
        var ids = new List<Guid>();
        foreach (var value in raw)
        {
            if (!Guid.TryParse(value, out var id))
            {
                throw ApiException.BadRequest("invalid_generator_id", "generator_ids must hold generator UUIDs");
            }
            ids.Add(id);
        }
        var found = await db.LiveGenerators().Where(g => ids.Contains(g.Id)).CountAsync(cancellationToken);
        if (found != ids.Distinct().Count())
        {
            throw ApiException.BadRequest("invalid_generator_id", "generator_ids names a generator that does not exist");
        }
        return ids;
    }
}
