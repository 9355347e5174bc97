using System.Linq.Expressions;
using Brokkr.Broker.Authentication;
using Brokkr.Broker.Data;
using Microsoft.EntityFrameworkCore;

namespace Brokkr.Broker.Api.V1.Tags;

/// <summary>
/// What one kind of owner of labels and annotations (agents, stacks, templates) brings to <see cref="TagRoutes"/>: its
/// two tables, their owner and tag columns, and who may read or change them. Everything else about the six routes is
/// the same for all three.
/// </summary>
public sealed class TagOwner<TLabel, TAnnotation>
    where TLabel : class
    where TAnnotation : class
{
    /// <summary>The owner's singular name: error codes (<c>stack_label_not_found</c>), messages and Location paths.</summary>
    public required string Kind { get; init; }

    public required Func<BrokkrDbContext, DbSet<TLabel>> Labels { get; init; }
    public required Expression<Func<TLabel, Guid>> LabelOwner { get; init; }
    public required Expression<Func<TLabel, string>> LabelText { get; init; }
    public required Func<Guid, string, TLabel> NewLabel { get; init; }

    public required Func<BrokkrDbContext, DbSet<TAnnotation>> Annotations { get; init; }
    public required Expression<Func<TAnnotation, Guid>> AnnotationOwner { get; init; }
    public required Expression<Func<TAnnotation, string>> AnnotationKey { get; init; }
    public required Func<Guid, string, string, TAnnotation> NewAnnotation { get; init; }

    /// <summary>Throws unless the caller may list the owner's tags.</summary>
    public required Func<Guid, Caller, BrokkrDbContext, Task> RequireReader { get; init; }

    /// <summary>Throws unless the caller may add or remove the owner's tags.</summary>
    public required Func<Guid, Caller, BrokkrDbContext, Task> RequireManager { get; init; }
}
