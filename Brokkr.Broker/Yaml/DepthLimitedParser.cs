using YamlDotNet.Core;
using YamlDotNet.Core.Events;

namespace Brokkr.Yaml;

/// <summary>
/// A YAML parser that refuses mappings and sequences nested deeper than a limit. YamlDotNet's representation model
/// (<c>YamlStream.Load</c>) — and every tree walk over it — recurses once per level without a bound, so a body of
/// 50 000 <c>[</c> overflows the stack and kills the process, which no <c>catch</c> can stop. Counting the parser's
/// start and end events rejects such input (with a <see cref="YamlException"/>, so existing handlers report it)
/// before anything recursive sees the next level: load through it with <c>new YamlStream().Load(DepthLimitedParser.For(text))</c>.
/// <para>
/// Not tied to the broker (namespace <c>Brokkr.Yaml</c>, internal): the agent and the Kubernetes stand-in link this
/// file into their own assemblies, so what the broker accepts the agent can parse.
/// </para>
/// </summary>
internal sealed class DepthLimitedParser(IParser inner, int maxDepth = DepthLimitedParser.DefaultMaxDepth) : IParser
{
    /// <summary>
    /// Kubernetes objects are shallow: a Deployment stays under 15 levels and even CRD schemas rarely pass 40, while
    /// System.Text.Json (which the agent uses to send objects on) stops at 64 by default. 100 leaves room for both.
    /// </summary>
    public const int DefaultMaxDepth = 100;

    private int _depth;

    public ParsingEvent? Current => inner.Current;

    public static IParser For(string yaml, int maxDepth = DefaultMaxDepth) => new DepthLimitedParser(new Parser(new StringReader(yaml)), maxDepth);

    public bool MoveNext()
    {
        if (!inner.MoveNext())
        {
            return false;
        }
        if (inner.Current is MappingStart or SequenceStart && ++_depth > maxDepth)
        {
            throw new YamlNestingTooDeepException(inner.Current.Start, inner.Current.End, maxDepth);
        }
        if (inner.Current is MappingEnd or SequenceEnd)
        {
            _depth--;
        }
        return true;
    }
}

/// <summary>YAML whose collections nest deeper than <see cref="MaxDepth"/>.</summary>
internal sealed class YamlNestingTooDeepException(Mark start, Mark end, int maxDepth)
    : YamlException(start, end, $"collections are nested more than {maxDepth} levels deep")
{
    public int MaxDepth { get; } = maxDepth;
}
