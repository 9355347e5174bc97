using System.Text;

namespace Brokkr.KubernetesStandIn.Storage;

/// <summary>
/// What the kubelet would stream for each container, seeded by tests, cut as the API server cuts a log request:
/// <c>tailLines</c> keeps the last lines, then <c>limitBytes</c> the first bytes of what is left.
/// </summary>
public sealed class PodLogs
{
    private readonly Lock _lock = new();
    private readonly Dictionary<(string Namespace, string Pod, string Container), string> _logs = new();

    public void Set(string ns, string pod, string container, string text)
    {
        lock (_lock)
        {
            _logs[(ns, pod, container)] = text;
        }
    }

    /// <summary>The container's log (empty when nothing was seeded: a container that printed nothing).</summary>
    public string Read(string ns, string pod, string container, long? tailLines, long? limitBytes)
    {
        string text;
        lock (_lock)
        {
            text = _logs.GetValueOrDefault((ns, pod, container), "");
        }
        if (tailLines is { } tail)
        {
            text = Tail(text, tail);
        }
        if (limitBytes is { } limit)
        {
            var bytes = Encoding.UTF8.GetBytes(text);
            // Byte-exact like the server: a cut through a multi-byte character leaves its first bytes.
            text = bytes.Length <= limit ? text : Encoding.UTF8.GetString(bytes, 0, (int)limit);
        }
        return text;
    }

    private static string Tail(string text, long lines)
    {
        if (lines == 0)
        {
            return "";
        }
        // A line ends with '\n'; a last line without one still counts.
        var end = text.EndsWith('\n') ? text.Length - 1 : text.Length;
        var start = end;
        for (var found = 0L; start > 0; start--)
        {
            if (text[start - 1] == '\n' && ++found == lines)
            {
                break;
            }
        }
        return text[start..];
    }
}
