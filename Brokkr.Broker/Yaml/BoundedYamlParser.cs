using YamlDotNet.Core;
using YamlDotNet.Core.Events;

namespace Brokkr.Yaml;

/// <summary>
/// A YAML parser that refuses input whose loaded form would be too big to handle safely, before it is loaded:
/// <list type="bullet">
/// <item><b>Nesting.</b> YamlDotNet's representation model (<c>YamlStream.Load</c>) — and every tree walk over it —
/// recurses once per level without a bound, so a body of 50 000 <c>[</c> overflows the stack and kills the process,
/// which no <c>catch</c> can stop.</item>
/// <item><b>Aliases.</b> The model shares an anchored node between its aliases, but whoever converts it to JSON or
/// objects copies it once per alias: nine levels of ten aliases ("billion laughs") are a few hundred bytes of YAML and
/// 10⁹ nodes once expanded. An alias also places the anchored node's whole depth at its own position, so aliases of
/// aliases can nest far deeper than the text does.</item>
/// </list>
/// The parser counts, from the event stream alone, the depth of the expanded tree and how many nodes and scalar
/// characters aliases add, and throws a <see cref="YamlLimitExceededException"/> (a <see cref="YamlException"/>, so
/// existing handlers report it) the moment a limit is passed. Load through it with
/// <c>new YamlStream().Load(BoundedYamlParser.For(text))</c>.
/// <para>
/// Not tied to the broker (namespace <c>Brokkr.Yaml</c>, internal): the agent and the Kubernetes stand-in link this
/// file into their own assemblies, so what the broker accepts the agent can expand.
/// </para>
/// </summary>
internal sealed class BoundedYamlParser(IParser inner) : IParser
{
    /// <summary>
    /// Kubernetes objects are shallow: a Deployment stays under 15 levels and even CRD schemas rarely pass 40, while
    /// System.Text.Json (which the agent uses to send objects on) stops at 64 by default. 100 leaves room for both.
    /// </summary>
    public const int MaxDepth = 100;

    /// <summary>
    /// Nodes aliases may add in one stream. Manifests use anchors for a few repeated blocks (an env list, a set of
    /// labels); 100 000 copied nodes is far beyond that and still small next to what a 10 MiB body holds literally.
    /// </summary>
    public const long MaxAliasNodes = 100_000;

    /// <summary>Scalar characters aliases may add in one stream: as much again as the broker's default body limit.</summary>
    public const long MaxAliasCharacters = 10 * 1024 * 1024;

    private readonly Stack<Node> _open = new([new Node(null, 0)]);
    private readonly Dictionary<string, Node> _anchors = new(StringComparer.Ordinal);
    private long _aliasNodes;
    private long _aliasCharacters;

    public ParsingEvent? Current => inner.Current;

    public static IParser For(string yaml) => new BoundedYamlParser(new Parser(new StringReader(yaml)));

    public bool MoveNext()
    {
        if (!inner.MoveNext())
        {
            return false;
        }
        var current = inner.Current!;
        switch (current)
        {
            case MappingStart or SequenceStart:
                if (_open.Count > MaxDepth)
                {
                    throw new YamlNestingTooDeepException(current.Start, current.End, MaxDepth);
                }
                var opened = new Node(AnchorOf(current), _open.Count) { Nodes = 1, Height = 1 };
                if (opened.Anchor is not null)
                {
                    // From here on the name means this node, which is not complete yet.
                    _anchors.Remove(opened.Anchor);
                }
                _open.Push(opened);
                break;
            case MappingEnd or SequenceEnd:
                var closed = _open.Pop();
                Remember(closed);
                Add(closed);
                break;
            case Scalar scalar:
                var leaf = new Node(AnchorOf(scalar), _open.Count) { Nodes = 1, Characters = scalar.Value.Length };
                Remember(leaf);
                Add(leaf);
                break;
            case AnchorAlias alias:
                Expand(alias);
                break;
            case DocumentEnd:
                // Anchors do not reach into the next document.
                _anchors.Clear();
                break;
        }
        return true;
    }

    private void Expand(AnchorAlias alias)
    {
        if (!_anchors.TryGetValue(alias.Value.Value, out var anchored))
        {
            if (_open.Any(n => n.Anchor == alias.Value.Value))
            {
                throw new YamlLimitExceededException(alias.Start, alias.End, $"the alias *{alias.Value.Value} refers to a node that contains it");
            }
            return; // YamlDotNet reports the unknown anchor itself
        }
        if (_open.Count - 1 + anchored.Height > MaxDepth)
        {
            throw new YamlNestingTooDeepException(alias.Start, alias.End, MaxDepth);
        }
        _aliasNodes += anchored.Nodes;
        _aliasCharacters += anchored.Characters;
        if (_aliasNodes > MaxAliasNodes || _aliasCharacters > MaxAliasCharacters)
        {
            throw new YamlLimitExceededException(alias.Start, alias.End,
                $"aliases expand to more than {MaxAliasNodes} nodes or {MaxAliasCharacters} characters");
        }
        Add(anchored);
    }

    private void Add(Node child)
    {
        var parent = _open.Peek();
        parent.Nodes += child.Nodes;
        parent.Characters += child.Characters;
        parent.Height = Math.Max(parent.Height, child.Height + (parent.Depth == 0 ? 0 : 1));
    }

    private void Remember(Node node)
    {
        if (node.Anchor is not null)
        {
            _anchors[node.Anchor] = node;
        }
    }

    private static string? AnchorOf(ParsingEvent e) => e is NodeEvent { Anchor.IsEmpty: false } node ? node.Anchor.Value : null;

    /// <summary>A node's size once its aliases are expanded: nodes, scalar characters and height (levels of collections).</summary>
    private sealed class Node(string? anchor, int depth)
    {
        public string? Anchor { get; } = anchor;
        public int Depth { get; } = depth;
        public long Nodes { get; set; }
        public long Characters { get; set; }
        public int Height { get; set; }
    }
}

/// <summary>YAML the <see cref="BoundedYamlParser"/> refuses to load.</summary>
internal class YamlLimitExceededException(Mark start, Mark end, string message) : YamlException(start, end, message);

/// <summary>YAML whose collections, aliases expanded, nest deeper than <see cref="MaxDepth"/>.</summary>
internal sealed class YamlNestingTooDeepException(Mark start, Mark end, int maxDepth)
    : YamlLimitExceededException(start, end, $"collections are nested more than {maxDepth} levels deep")
{
    public int MaxDepth { get; } = maxDepth;
}
