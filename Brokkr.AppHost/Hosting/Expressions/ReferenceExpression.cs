using System.Runtime.CompilerServices;
using System.Text;

namespace Brokkr.AppHost.Hosting;

/// <summary>
/// A string built from literal text and references to other resources' values, as Aspire's <c>ReferenceExpression</c>:
/// the manifest shows the references as <c>{resource.path}</c> placeholders, run mode substitutes their values.
/// </summary>
public sealed class ReferenceExpression : IManifestExpressionProvider, IValueProvider
{
    private readonly string[] _literals;
    // Each is also an IValueProvider (the handler's constraint).
    private readonly IManifestExpressionProvider[] _references;

    private ReferenceExpression(string[] literals, IManifestExpressionProvider[] references)
    {
        _literals = literals;
        _references = references;
    }

    /// <summary>The resources and values referenced by this expression, in order.</summary>
    public IReadOnlyList<IManifestExpressionProvider> ValueProviders => _references;

    public string ValueExpression => Join(_references.Select(r => r.ValueExpression).ToArray());

    public static ReferenceExpression Create(in ExpressionInterpolatedStringHandler handler) => handler.Build();

    public async ValueTask<string?> GetValueAsync(CancellationToken cancellationToken = default)
    {
        var values = new string[_references.Length];
        for (var i = 0; i < values.Length; i++)
        {
            values[i] = await ((IValueProvider)_references[i]).GetValueAsync(cancellationToken) ?? "";
        }

        return Join(values);
    }

    private string Join(string[] values)
    {
        var text = new StringBuilder(_literals[0]);
        for (var i = 0; i < values.Length; i++)
        {
            text.Append(values[i]).Append(_literals[i + 1]);
        }

        return text.ToString();
    }

    [InterpolatedStringHandler]
    public ref struct ExpressionInterpolatedStringHandler
    {
        private readonly List<string> _literals = [""];
        private readonly List<IManifestExpressionProvider> _references = [];

        public ExpressionInterpolatedStringHandler(int literalLength, int formattedCount)
        {
        }

        public readonly void AppendLiteral(string value) => _literals[^1] += value;

        public readonly void AppendFormatted(string? value) => _literals[^1] += value;

        public readonly void AppendFormatted(int value) => _literals[^1] += value.ToString(System.Globalization.CultureInfo.InvariantCulture);

        public readonly void AppendFormatted<T>(T value) where T : IManifestExpressionProvider, IValueProvider
        {
            _references.Add(value);
            _literals.Add("");
        }

        internal readonly ReferenceExpression Build() => new([.. _literals], [.. _references]);
    }
}
