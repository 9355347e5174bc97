using Brokkr.Broker.Authentication;
using Brokkr.Broker.Data;

namespace Brokkr.Broker.Api.V1.Generators;

/// <summary>Creating a generator, for <c>POST /generators</c> and <c>Brokkr.Broker create generator</c> alike.</summary>
public static class GeneratorCreation
{
    /// <exception cref="Brokkr.Broker.Errors.ApiException">400 <c>invalid_generator</c>; nothing is written.</exception>
    public static async Task<(Generator Generator, MintedPak Pak)> CreateAsync(BrokkrDbContext db, PakFormat paks, string name,
        string? description, CancellationToken cancellationToken = default)
    {
        var pak = paks.Mint();
        var generator = new Generator
        {
            Id = Guid.CreateVersion7(),
            Name = Validation.Name(name, "invalid_generator", "name"),
            Description = description,
            PakHash = pak.Hash,
        };
        db.Generators.Add(generator);
        await db.SaveChangesAsync(cancellationToken);
        return (generator, pak);
    }
}
